"""Reads the project's own reference files into the database; called by the data migrations.

`load_reference_data` (migration 0002) creates the tables' rows; `country_facts_update` (0003 and
any later correction) brings every country's name, legal systems and UNCAC status in line with the
files, on a fresh database and on one that already holds older facts alike; `reference_names_update`
(0004 and any later correction) does the same for the French and Spanish names and each language's
alphabetical ranks. A correction is an edit of a file in reference/data and a new migration that runs
the function again. Where each file comes from: reference/data/README.md.
"""

import csv
import datetime
from pathlib import Path

from reference.names import NAME_LANGUAGES, ranks

DATA_DIR = Path(__file__).resolve().parent / "data"
LEGAL_SYSTEMS = {
    "civil": "Civil law",
    "common": "Common law",
    "customary": "Customary law",
    "islamic": "Islamic law",
    "mixed": "Mixed legal system",
}
LEGAL_SYSTEM_NAMES = {
    "civil": {"fr": "Droit civil", "es": "Derecho civil"},
    "common": {"fr": "Common law", "es": "Common law"},
    "customary": {"fr": "Droit coutumier", "es": "Derecho consuetudinario"},
    "islamic": {"fr": "Droit islamique", "es": "Derecho islámico"},
    "mixed": {"fr": "Système juridique mixte", "es": "Sistema jurídico mixto"},
}
TRANSLATED = tuple(language for language in NAME_LANGUAGES if language != "en")


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


def _names_set(model, rows: dict[str, dict[str, str]], *, base: str, ranked: bool = False) -> None:
    """Each row's French and Spanish `base` (name or title) as the files have them, and with `ranked` its
    place in each language's alphabetical order (the English name when a translation is missing)."""
    objects = list(model.objects.all())
    fields = [f"{base}_{language}" for language in TRANSLATED]
    for obj in objects:
        for language in TRANSLATED:
            setattr(obj, f"{base}_{language}", rows.get(str(obj.pk), {}).get(language, ""))
    if ranked:
        for language in NAME_LANGUAGES:
            column = base if language == "en" else f"{base}_{language}"
            place = ranks({obj.pk: getattr(obj, column) or getattr(obj, base) for obj in objects})
            for obj in objects:
                setattr(obj, f"rank_{language}", place[obj.pk])
        fields += [f"rank_{language}" for language in NAME_LANGUAGES]
    model.objects.bulk_update(objects, fields)


def _translations(name: str, key: str, prefix: str) -> dict[str, dict[str, str]]:
    return {row[key]: {language: row[f"{prefix}_{language}"] for language in TRANSLATED} for row in read_tsv(name)}


def reference_names_update(apps, schema_editor) -> None:
    """French and Spanish names of chapters, articles, legal systems, countries, languages and assistance types,
    and the alphabetical ranks of countries and languages, as the files have them."""
    countries = {
        row["iso3"]: {language: row[language] for language in TRANSLATED} for row in read_tsv("country_names.tsv")
    }
    _names_set(apps.get_model("reference", "Chapter"), _translations("chapters.tsv", "numeral", "title"), base="title")
    _names_set(
        apps.get_model("reference", "Article"), _translations("uncac_articles.tsv", "article", "title"), base="title"
    )
    _names_set(apps.get_model("reference", "LegalSystem"), LEGAL_SYSTEM_NAMES, base="name")
    _names_set(apps.get_model("reference", "Country"), countries, base="name", ranked=True)
    _names_set(
        apps.get_model("reference", "Language"),
        _translations("languages.tsv", "code", "name"),
        base="name",
        ranked=True,
    )
    _names_set(
        apps.get_model("reference", "AssistanceType"),
        _translations("assistance_types.tsv", "code", "name"),
        base="name",
    )


def load_all(apps, schema_editor=None) -> None:
    """What the data migrations load, in their order; for test runs that empty every table."""
    load_reference_data(apps, schema_editor)
    country_facts_update(apps, schema_editor)
    reference_names_update(apps, schema_editor)
