"""Reads the project's own reference files into the database; called by the data migration."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LEGAL_SYSTEMS = {
    "civil": "Civil law",
    "common": "Common law",
    "customary": "Customary law",
    "islamic": "Islamic law",
    "mixed": "Mixed legal system",
}


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def load_reference_data(apps, schema_editor) -> None:
    Chapter = apps.get_model("reference", "Chapter")
    Article = apps.get_model("reference", "Article")
    LegalSystem = apps.get_model("reference", "LegalSystem")
    Country = apps.get_model("reference", "Country")
    Language = apps.get_model("reference", "Language")
    AssistanceType = apps.get_model("reference", "AssistanceType")

    chapters = {
        row["numeral"]: Chapter.objects.create(
            numeral=row["numeral"], position=int(row["position"]), title=row["title"]
        )
        for row in read_tsv("chapters.tsv")
    }
    Article.objects.bulk_create(
        Article(number=int(row["article"]), chapter=chapters[row["chapter"]], title=row["title"])
        for row in read_tsv("uncac_articles.tsv")
    )
    systems = {code: LegalSystem.objects.create(code=code, name=name) for code, name in LEGAL_SYSTEMS.items()}
    legal = {row["iso3"]: row for row in read_tsv("legal_systems_factbook.tsv")}
    status = {row["iso3"]: row["status"] for row in read_tsv("uncac_status_exceptions.tsv")}
    for row in read_tsv("un_regional_groups.tsv"):
        facts = legal.get(row["iso3"], {})
        country = Country.objects.create(
            iso3=row["iso3"],
            name=row["name"],
            regional_group=row["group"],
            is_un_member=True,
            uncac_status=status.get(row["iso3"], "party"),
            legal_system_text=facts.get("factbook_legal_system_text", ""),
        )
        tags = [tag for tag in facts.get("derived_tags", "").split(",") if tag in systems]
        country.legal_systems.set([systems[tag] for tag in tags])
    for row in read_tsv("non_member_parties.tsv"):
        Country.objects.create(
            iso3=row["iso3"], name=row["name"], regional_group="", is_un_member=False, uncac_status="party"
        )
    Language.objects.bulk_create(
        Language(code=row["code"], name=row["name"], is_un_language=row["un"] == "1")
        for row in read_tsv("languages.tsv")
    )
    AssistanceType.objects.bulk_create(
        AssistanceType(code=row["code"], name=row["name"], position=int(row["position"]))
        for row in read_tsv("assistance_types.tsv")
    )
