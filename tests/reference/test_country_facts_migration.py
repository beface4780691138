"""Migration 0003 brings a database that holds the earlier facts to what a fresh migrate gives."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reference.loading import load_all

BEFORE = ("reference", "0002_load_reference_data")

# What the earlier reference files put into every database (names, tags, statuses that changed).
OLD_NAMES = {
    "BOL": "Bolivia",
    "COD": "DR Congo",
    "COG": "Congo Republic",
    "FSM": "Micronesia, Fed. Sts.",
    "GBR": "United Kingdom",
    "GMB": "Gambia",
    "IRN": "Iran",
    "KNA": "St. Kitts and Nevis",
    "KOR": "South Korea",
    "LAO": "Laos",
    "LCA": "St. Lucia",
    "MDA": "Moldova",
    "NLD": "Netherlands",
    "PRK": "North Korea",
    "RUS": "Russia",
    "SYR": "Syria",
    "TZA": "Tanzania",
    "USA": "United States",
    "VCT": "St. Vincent and the Grenadines",
    "VEN": "Venezuela",
    "VNM": "Vietnam",
}
OLD_TAGS = {
    "AFG": {"customary", "islamic", "mixed"},
    "AND": {"customary", "mixed"},
    "BHR": {"common", "customary", "islamic", "mixed"},
    "BTN": {"civil", "islamic", "mixed"},
    "ECU": {"civil"},
    "JPN": {"civil", "common", "mixed"},
    "NOR": {"customary", "mixed"},
}
OLD_STATUS_EXCEPTIONS = {"PRK": "none", "ERI": "none", "SYR": "signatory"}  # every other State a party


def _snapshot(apps) -> dict[str, tuple]:
    Country = apps.get_model("reference", "Country")
    return {
        country.iso3: (
            country.name,
            country.regional_group,
            country.is_un_member,
            country.legal_system_text,
            tuple(sorted(country.legal_systems.values_list("code", flat=True))),
            country.uncac_status,
            country.uncac_status_date,
        )
        for country in Country.objects.prefetch_related("legal_systems")
    }


def _write_old_facts(apps) -> None:
    Country = apps.get_model("reference", "Country")
    LegalSystem = apps.get_model("reference", "LegalSystem")
    for iso3, name in OLD_NAMES.items():
        Country.objects.filter(iso3=iso3).update(name=name)
    for iso3, tags in OLD_TAGS.items():
        Country.objects.get(iso3=iso3).legal_systems.set(LegalSystem.objects.filter(code__in=tags))
    Country.objects.update(uncac_status="party")
    for iso3, status in OLD_STATUS_EXCEPTIONS.items():
        Country.objects.filter(iso3=iso3).update(uncac_status=status)


@pytest.mark.django_db(transaction=True)
def test_migrating_a_database_with_the_old_facts_gives_the_fresh_result():
    from django.apps import apps

    if not apps.get_model("reference", "Country").objects.exists():
        load_all(apps)  # an earlier transactional test emptied the tables
    fresh = _snapshot(apps)
    # Every app's latest migration, not only reference's: going back to reference 0002 also unapplies the
    # migrations of other apps that depend on a later reference migration, and the tests after this one need them.
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old_apps = executor.loader.project_state([BEFORE]).apps
    _write_old_facts(old_apps)
    old_korea = old_apps.get_model("reference", "Country").objects.get(iso3="KOR")
    assert (old_korea.name, old_korea.uncac_status) == ("South Korea", "party")

    MigrationExecutor(connection).migrate(latest)
    assert _snapshot(apps) == fresh
    assert not MigrationExecutor(connection).migration_plan(latest)
