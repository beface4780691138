"""Reads the project's own reference files into the database; called by the data migrations.

`load_reference_data` (migration 0002) creates the tables' rows; `country_facts_update` (0003 and
any later correction) brings every country's name, legal systems and UNCAC status in line with the
files, on a fresh database and on one that already holds older facts alike. A correction is an edit
of a file in reference/data and a new migration that runs `country_facts_update` again.
"""

import csv
import datetime
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


def country_rows() -> dict[str, dict[str, object]]:
    """Each country's own columns, by ISO 3166 alpha-3: UN members first, then the non-member parties."""
    rows: dict[str, dict[str, object]] = {
        row["iso3"]: {"name": row["name"], "regional_group": row["group"], "is_un_member": True}
        for row in read_tsv("un_regional_groups.tsv")
    }
    for row in read_tsv("non_member_parties.tsv"):
        rows[row["iso3"]] = {"name": row["name"], "regional_group": "", "is_un_member": False}
    return rows


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
    LegalSystem.objects.bulk_create(LegalSystem(code=code, name=name) for code, name in LEGAL_SYSTEMS.items())
    Country.objects.bulk_create(Country(iso3=iso3, **columns) for iso3, columns in country_rows().items())
    Language.objects.bulk_create(
        Language(code=row["code"], name=row["name"], is_un_language=row["un"] == "1")
        for row in read_tsv("languages.tsv")
    )
    AssistanceType.objects.bulk_create(
        AssistanceType(code=row["code"], name=row["name"], position=int(row["position"]))
        for row in read_tsv("assistance_types.tsv")
    )


def country_facts_update(apps, schema_editor) -> None:
    """Every country as the files have it: name, group, legal systems, UNCAC status and its date."""
    Country = apps.get_model("reference", "Country")
    LegalSystem = apps.get_model("reference", "LegalSystem")
    systems = {system.code: system for system in LegalSystem.objects.all()}
    legal = {row["iso3"]: row for row in read_tsv("legal_systems_factbook.tsv")}
    status = {row["iso3"]: row for row in read_tsv("uncac_status.tsv")}
    for iso3, columns in country_rows().items():
        facts = legal.get(iso3, {})
        uncac = status[iso3]
        country, _created = Country.objects.update_or_create(
            iso3=iso3,
            defaults={
                **columns,
                "legal_system_text": facts.get("factbook_legal_system_text", ""),
                "uncac_status": uncac["status"],
                "uncac_status_date": datetime.date.fromisoformat(uncac["date"]) if uncac["date"] else None,
            },
        )
        tags = [tag for tag in facts.get("derived_tags", "").split(",") if tag in systems]
        country.legal_systems.set([systems[tag] for tag in tags])


def load_all(apps, schema_editor=None) -> None:
    """What the data migrations load, in their order; for test runs that empty every table."""
    load_reference_data(apps, schema_editor)
    country_facts_update(apps, schema_editor)
