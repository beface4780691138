"""Countries carry the UN's own short names, the re-derived legal-system tags and a dated UNCAC status."""

import datetime

import pytest

from reference.loading import country_rows, read_tsv
from reference.models import Country, UncacStatus

pytestmark = pytest.mark.django_db


def _tags(iso3: str) -> set[str]:
    return set(Country.objects.get(iso3=iso3).legal_systems.values_list("code", flat=True))


@pytest.mark.parametrize(
    "iso3, name",
    [
        ("KOR", "Republic of Korea"),
        ("PRK", "Democratic People's Republic of Korea"),
        ("VNM", "Viet Nam"),
        ("IRN", "Iran (Islamic Republic of)"),
        ("COD", "Democratic Republic of the Congo"),
        ("COG", "Congo"),
        ("GBR", "United Kingdom of Great Britain and Northern Ireland"),
        ("USA", "United States of America"),
        ("BOL", "Bolivia (Plurinational State of)"),
        ("VEN", "Venezuela (Bolivarian Republic of)"),
        ("TUR", "Türkiye"),
        ("RUS", "Russian Federation"),
        ("SYR", "Syrian Arab Republic"),
        ("TZA", "United Republic of Tanzania"),
        ("MDA", "Republic of Moldova"),
        ("LAO", "Lao People's Democratic Republic"),
        ("FSM", "Micronesia (Federated States of)"),
        ("NLD", "Netherlands (Kingdom of the)"),
        ("KNA", "Saint Kitts and Nevis"),
        ("LCA", "Saint Lucia"),
        ("VCT", "Saint Vincent and the Grenadines"),
        ("GMB", "Gambia (Republic of The)"),
        ("CIV", "Côte d'Ivoire"),
        ("VAT", "Holy See"),
        ("PSE", "State of Palestine"),
    ],
)
def test_countries_carry_the_un_short_name(iso3, name):
    assert Country.objects.get(iso3=iso3).name == name


def test_no_country_keeps_an_informal_name():
    informal = ["South Korea", "North Korea", "Vietnam", "Iran", "DR Congo", "Congo Republic", "Russia", "Laos"]
    assert not Country.objects.filter(name__in=informal).exists()
    assert not Country.objects.filter(name__startswith="St. ").exists()


# Before the re-derivation a civil or common law named inside "mixed system of ..." was missed,
# Bhutan's Buddhist law was read as Islamic and Japan's "Anglo-American influence" as common law.
@pytest.mark.parametrize(
    "iso3, before, after",
    [
        ("AFG", {"customary", "islamic", "mixed"}, {"civil", "customary", "islamic", "mixed"}),
        ("AND", {"customary", "mixed"}, {"civil", "customary", "mixed"}),
        ("BHR", {"common", "customary", "islamic", "mixed"}, {"civil", "common", "customary", "islamic", "mixed"}),
        ("BTN", {"civil", "islamic", "mixed"}, {"civil"}),
        ("ECU", {"civil"}, {"civil", "customary", "mixed"}),
        ("ERI", {"customary", "islamic", "mixed"}, {"civil", "customary", "islamic", "mixed"}),
        ("FSM", {"customary", "mixed"}, {"common", "customary", "mixed"}),
        ("GNQ", {"customary", "mixed"}, {"civil", "customary", "mixed"}),
        ("IRQ", {"islamic", "mixed"}, {"civil", "islamic", "mixed"}),
        ("JOR", {"common", "islamic", "mixed"}, {"civil", "common", "islamic", "mixed"}),
        ("JPN", {"civil", "common", "mixed"}, {"civil"}),
        ("NGA", {"common", "islamic", "mixed"}, {"common", "customary", "islamic", "mixed"}),
        ("NOR", {"customary", "mixed"}, {"civil", "common", "customary", "mixed"}),
        ("PHL", {"customary", "islamic", "mixed"}, {"civil", "common", "customary", "islamic", "mixed"}),
        ("PLW", {"customary", "mixed"}, {"civil", "common", "customary", "mixed"}),
        ("SAU", {"customary", "islamic", "mixed"}, {"civil", "customary", "islamic", "mixed"}),
        ("SWZ", {"customary", "mixed"}, {"civil", "common", "customary", "mixed"}),
        ("SYR", {"islamic", "mixed"}, {"civil", "islamic", "mixed"}),
        ("TCD", {"customary", "mixed"}, {"civil", "customary", "mixed"}),
        ("VUT", {"common", "customary", "mixed"}, {"civil", "common", "customary", "mixed"}),
    ],
)
def test_the_20_corrected_legal_system_tags(iso3, before, after):
    assert _tags(iso3) == after != before


def test_bhutan_buddhist_law_is_not_islamic():
    assert "islamic" not in _tags("BTN")
    assert "Buddhist" in Country.objects.get(iso3="BTN").legal_system_text


def test_every_country_has_one_uncac_status_row():
    rows = [row["iso3"] for row in read_tsv("uncac_status.tsv")]
    assert len(rows) == len(set(rows))
    assert set(rows) == set(country_rows()) == set(Country.objects.values_list("iso3", flat=True))


def test_192_parties_are_187_un_members_four_other_states_and_the_european_union():
    parties = Country.objects.filter(uncac_status=UncacStatus.PARTY)
    assert parties.filter(is_un_member=True).count() == 187
    assert set(parties.filter(is_un_member=False).values_list("iso3", flat=True)) == {"COK", "NIU", "PSE", "VAT"}
    # The European Union, the 192nd party, is not a State and has no row here.


def test_the_un_members_outside_the_convention():
    outside = dict(
        Country.objects.filter(is_un_member=True)
        .exclude(uncac_status=UncacStatus.PARTY)
        .values_list("iso3", "uncac_status")
    )
    assert outside == {
        "AND": "none",
        "ERI": "none",
        "MCO": "none",
        "PRK": "none",
        "SYR": "signatory",
        "VCT": "none",
    }


@pytest.mark.parametrize(
    "iso3, status, date",
    [
        ("AND", UncacStatus.NONE, None),  # not a party, whatever the earlier data said
        ("KNA", UncacStatus.PARTY, datetime.date(2024, 8, 6)),  # accession
        ("SMR", UncacStatus.PARTY, datetime.date(2025, 9, 25)),  # ratification
        ("BRB", UncacStatus.PARTY, datetime.date(2023, 10, 10)),
        ("VAT", UncacStatus.PARTY, datetime.date(2016, 9, 19)),  # accession
        ("SYR", UncacStatus.SIGNATORY, datetime.date(2003, 12, 9)),  # signed at Mérida
        ("PRK", UncacStatus.NONE, None),
    ],
)
def test_uncac_status_and_its_date(iso3, status, date):
    country = Country.objects.get(iso3=iso3)
    assert (country.uncac_status, country.uncac_status_date) == (status, date)


def test_status_dates_fall_between_the_signing_at_merida_and_today():
    dates = Country.objects.exclude(uncac_status_date=None).values_list("uncac_status_date", flat=True)
    assert dates
    assert all(datetime.date(2003, 12, 9) <= date <= datetime.date.today() for date in dates)
    assert not Country.objects.filter(uncac_status=UncacStatus.NONE).exclude(uncac_status_date=None).exists()
