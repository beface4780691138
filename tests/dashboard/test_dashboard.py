"""The secretariat's dashboard: the roster against the needs, coverage gaps, stale profiles and deployments, each
figure drawn on the server with its table, in a bounded number of queries, and for the secretariat only."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from matching.models import MatchingPolicy, ShortlistEntry
from roster.roster_version import roster_version_bump
from tests.conftest import signed_in_client
from tests.factories import (
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    FocalPointFactory,
    NeedFactory,
    ShortlistEntryFactory,
    country,
)

pytestmark = pytest.mark.django_db

URL = "/secretariat/workspace/dashboard/"


def _cells(html: str, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, each as its cells' text."""
    table = re.search(rf"<caption>{re.escape(caption)}</caption>(.*?)</table>", unescape(html), re.S)
    assert table, caption
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in row] for row in cells]


def _row(html: str, caption: str, name: str) -> list[str]:
    return next(
        row for row in _cells(html, caption) if any(cell == name or cell.startswith(f"{name},") for cell in row)
    )


@pytest.fixture
def roster(db):
    """Kenya (AFR, common and customary law) and France (WEOG, civil law): three Kenyans, one French expert."""
    kenya, france = country("KEN"), country("FRA")
    experts = [ExpertFactory(nominating_state=kenya, gender="female") for _ in range(2)]
    experts.append(ExpertFactory(nominating_state=kenya, gender="male"))
    experts.append(ExpertFactory(nominating_state=france, gender="female"))
    for expert in experts:
        ExpertLanguageFactory(expert=expert, language_id="en", level=6)
        ExpertArticleFactory(expert=expert, article_id=46, level=3)
    # Spoken below the policy's minimum: not counted as a French speaker.
    ExpertLanguageFactory(expert=experts[0], language_id="fr", level=2)
    ExpertLanguageFactory(expert=experts[3], language_id="fr", level=7)
    # Not on the roster: a draft, and an active expert without consent.
    ExpertFactory(nominating_state=kenya, status="draft")
    ExpertFactory(nominating_state=kenya, consent_given_at=None)
    return experts


@pytest.fixture
def needs(roster):
    """Two open needs of France in French, one of Kenya in English; one addressed need that no longer counts."""
    france = country("FRA")
    return [
        NeedFactory(requesting_state=france, working_languages=["fr"], articles=[46]),
        NeedFactory(requesting_state=france, working_languages=["fr"], articles=[20]),
        NeedFactory(requesting_state=country("KEN"), working_languages=["en"], articles=[46]),
        NeedFactory(requesting_state=country("KEN"), status="addressed"),
    ]


def test_the_secretariat_reads_the_roster_against_the_needs_by_group_gender_legal_system_and_language(cast, needs):
    html = cast.client_for("secretariat").get(URL).content.decode()
    assert "4 experts on the roster" in html and "3 open needs" in html
    # code, name, experts, share of the roster, open needs, share of open needs
    assert _row(html, "UN regional group", "African States") == ["AFR", "African States", "3", "75.0%", "1", "33.3%"]
    assert _row(html, "UN regional group", "Western European and other States")[2:] == ["1", "25.0%", "2", "66.7%"]
    assert _row(html, "Gender", "Female") == ["female", "Female", "3", "75.0%"]
    assert _row(html, "Language", "French")[2:] == ["1", "25.0%", "2", "66.7%"]
    assert _row(html, "Language", "English")[2:] == ["4", "100.0%", "1", "33.3%"]
    civil = _row(html, "Legal system", "civil")
    assert civil[2:] == ["1", "25.0%", "2", "66.7%"]


def test_every_figure_is_a_drawn_chart_with_its_table_and_nothing_is_fetched_or_run(cast, needs):
    html = cast.client_for("secretariat").get(URL).content.decode()
    charts = re.findall(r'<svg[^>]+role="img"[^>]+aria-labelledby="([a-z_-]+)-title \1-desc"', html)
    assert set(charts) >= {
        "composition-regional_group",
        "composition-gender",
        "composition-legal_system",
        "composition-language",
        "gaps-article",
        "gaps-language",
        "gaps-regional_group",
        "deployments-chart",
    }
    for chart_id in charts:
        assert f'<title id="{chart_id}-title">' in html and f'<desc id="{chart_id}-desc">' in html
    assert html.count("<table") >= len(charts)
    assert "<script" not in html.split('id="dashboard"')[1] and "https://" not in html.split('id="dashboard"')[1]


def test_coverage_gaps_count_the_needs_with_too_few_qualified_experts(cast, needs):
    MatchingPolicy.objects.filter(active=True).update(k=2)
    html = cast.client_for("secretariat").get(URL).content.decode()
    # Article 20: nobody holds it. French at C1 for article 46: one expert (the French one), fewer than 2.
    assert "2 of 3 open needs have fewer than 2 qualified experts" in html
    rows = {row[0]: row[2] for row in _cells(html, "Needs with too few qualified experts, by UNCAC article")[1:]}
    assert rows == {"46": "1", "20": "1"}
    caption = "Needs with too few qualified experts, by the requesting State's regional group"
    groups = {row[0]: row[2] for row in _cells(html, caption)[1:]}
    assert groups == {"WEOG": "2"}
    listed = _cells(html, "The needs with the fewest qualified experts")[1:]
    assert [row[2] for row in listed] == ["0", "1"]
    assert f'href="{reverse("admin:needs_need_change", args=[needs[1].pk])}"' in html


def test_stale_profiles_are_counted_by_group_and_the_oldest_listed(cast, roster):
    old = timezone.now() - datetime.timedelta(days=400)
    stale = ExpertFactory(nominating_state=country("FRA"), family_name="Longago", last_confirmed_at=old)
    ExpertFactory(nominating_state=country("FRA"), status="withdrawn", last_confirmed_at=old)  # not active
    html = cast.client_for("secretariat").get(URL).content.decode()
    assert "1 active profile not confirmed for more than 365 days." in html
    assert _row(html, "Stale profiles by the nominating State's regional group", "WEOG")[2] == "1"
    assert _row(html, "The profiles confirmed longest ago", "Longago")[2] == formats.date_format(
        old.date(), "DATE_FORMAT"
    )
    assert reverse("admin:roster_expert_change", args=[stale.pk]) in html


def test_deployments_are_counted_per_group_and_year_of_the_deployment(cast, roster, needs):
    this_year = timezone.localdate().year
    kenyan, french = roster[0], roster[3]

    def deployed(expert, year, need=needs[0], **extra):
        return ShortlistEntryFactory(
            need=need, expert=expert, status="deployed", deployed_from=datetime.date(year, 3, 1), **extra
        )

    deployed(kenyan, this_year)
    deployed(roster[1], this_year)
    deployed(french, this_year - 1)
    deployed(roster[2], this_year - 1, removed_at=timezone.now())  # removed: not counted
    ShortlistEntryFactory(need=needs[1], expert=kenyan, status="selected")  # not deployed
    deployed(french, this_year - 10, need=needs[2])  # before the years shown
    assert ShortlistEntry.objects.count() == 6
    html = cast.client_for("secretariat").get(URL).content.decode()
    caption = "Deployments per regional group and year"
    header = _cells(html, caption)[0]
    assert header[0] == "Year" and header[-1] == "Total" and "African States" in header
    by_year = {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in _cells(html, caption)[1:]}
    assert len(by_year) == 6
    assert by_year[str(this_year)]["African States"] == "2" and by_year[str(this_year)]["Total"] == "2"
    assert by_year[str(this_year - 1)]["Western European and other States"] == "1"
    assert by_year[str(this_year - 1)]["Total"] == "1"


def test_names_are_in_the_readers_language(cast, needs):
    client = cast.client_for("secretariat")
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "États d&#x27;Afrique" in html


def _grow(n: int) -> None:
    for i in range(n):
        expert = ExpertFactory(nominating_state=country("KEN" if i % 2 else "FRA"))
        ExpertLanguageFactory(expert=expert, language_id="fr", level=6)
        ExpertArticleFactory(expert=expert, article_id=46)
        need = NeedFactory(working_languages=["fr", "en"], articles=[46, 20])
        ShortlistEntryFactory(need=need, expert=expert, status="deployed", deployed_from=timezone.localdate())
    roster_version_bump()  # factories write around the services: the matching arrays are rebuilt in both runs


def test_the_dashboard_makes_the_same_few_queries_for_a_small_or_a_larger_roster(cast, django_assert_max_num_queries):
    client = cast.client_for("secretariat")
    client.get(URL)
    _grow(3)
    with django_assert_max_num_queries(45) as small:
        assert client.get(URL).status_code == 200
    _grow(30)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        assert client.get(URL).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "anonymous", "staff_outside_the_group"])
def test_only_the_secretariat_may_open_the_dashboard(cast, needs, who):
    if who == "staff_outside_the_group":
        client = signed_in_client(FocalPointFactory(email="staff@a.example.org", is_staff=True))
    else:
        client = cast.client_for(who)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/secretariat/login/")


def test_the_admin_index_links_the_dashboard(cast):
    html = cast.client_for("secretariat").get(reverse("admin:index")).content.decode()
    assert f'<a href="{URL}">Dashboard</a>' in html
