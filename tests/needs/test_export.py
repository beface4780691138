"""The needs CSV export: the same bytes, whatever reads the rows, in a few queries per thousand needs."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse

from needs import views
from needs.models import Need
from tests.factories import NeedFactory, country
from tests.second_factor import SECOND_FACTOR_QUERIES

pytestmark = pytest.mark.django_db

# Written by the export as it stood before it read rows with values_list (issue 13, item 2); never regenerate it
# from the code under test. Moved on once by hand-written mappings for issue 12, item 7: a UTF-8 byte-order
# mark first (Excel reads the file as UTF-8) and, after each code a person reads, its name (here in English,
# the request having no other language); every cell of the earlier file is unchanged.
EXPECTED = Path(__file__).parent / "data" / "needs_export.csv"
UTC = datetime.UTC


def _varied_needs() -> None:
    """Needs whose cells exercise the CSV writer and the formula guard, with several articles and languages."""
    needs = [
        NeedFactory(
            pk=9001,
            external_id="KEN-2026-001",
            title='Asset recovery, "tracing" and freezing',
            description="Line one\nline two, with a comma",
            articles=[52, 31, 46],
            working_languages=["pt", "fr", "en"],
            min_language_level=5,
            desired_from=datetime.date(2026, 3, 1),
            desired_until=datetime.date(2026, 9, 30),
        ),
        NeedFactory(
            pk=9002,
            requesting_state=country("CIV"),
            title='=HYPERLINK("http://evil.example")',
            description="Procédures de l'autorité centrale — entraide judiciaire",
            source_reference="+1 @SUM(A1)",
            articles=[15],
            working_languages=["fr"],
            remote=False,
            priority="high",
            review_cycle=2,
        ),
        NeedFactory(
            pk=9003,
            requesting_state=country("TUR"),
            title="Türkiye: whistle-blower protection; 通報者保護",
            description="",
            articles=[],
            working_languages=["ar", "zh", "ru", "es"],
            on_site=False,
            status=Need.Status.SHORTLISTING,
            source="self_assessment",
        ),
        NeedFactory(pk=9004, title="-1 budget line", articles=[5, 6, 7, 8, 9, 10], working_languages=[]),
        NeedFactory(pk=9005, title="＝1+1 full-width sign", external_id="ext,with,commas"),
    ]
    for hour, need in enumerate(needs):
        Need.objects.filter(pk=need.pk).update(created_at=datetime.datetime(2026, 1, 15, hour, 30, 5, tzinfo=UTC))


def _export(client, params: dict[str, str] | None = None) -> bytes:
    response = client.get(reverse("needs:need_export"), params or {})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_export_writes_the_same_bytes_as_before(cast):
    _varied_needs()
    assert _export(cast.client_for("secretariat")) == EXPECTED.read_bytes()


# Before the view runs: the user, and the session refreshed on this first request (savepoint, update, release);
# and for the secretariat member who exports here, the device that verified the session's second factor.
REQUEST_QUERIES = 4 + SECOND_FACTOR_QUERIES
# The language names, read once per file whatever its size.
NAME_QUERIES = 1


@pytest.mark.parametrize("count", [5, 50])
@pytest.mark.parametrize("chunk", [views.EXPORT_CHUNK, 20])
def test_the_export_reads_the_needs_once_and_the_links_once_per_chunk(
    cast, django_assert_max_num_queries, monkeypatch, count, chunk
):
    monkeypatch.setattr(views, "EXPORT_CHUNK", chunk)
    client = cast.client_for("secretariat")
    NeedFactory.create_batch(count, articles=[46, 48, 52], working_languages=["fr", "en"])
    chunks = -(-count // chunk)
    with django_assert_max_num_queries(REQUEST_QUERIES + NAME_QUERIES + 1 + 2 * chunks) as captured:
        body = _export(client)
    assert sum('FROM "needs_need' in query["sql"] for query in captured) == 1 + 2 * chunks
    assert body.count(b"46;48;52,legal_advice,Legal advice or legislative drafting,en;fr,English; French,") == count


def test_the_export_opens_in_a_spreadsheet_as_utf8_with_names_in_the_readers_language(cast):
    _varied_needs()
    client = cast.client_for("secretariat")
    response = client.get(reverse("needs:need_export"), HTTP_ACCEPT_LANGUAGE="fr")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbfid,external_id,country,country_name,")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    civ = next(row for row in rows if row["id"] == "9002")
    assert (civ["country"], civ["country_name"]) == ("CIV", "Côte d'Ivoire")
    assert civ["assistance_type_name"] == "Conseils juridiques ou rédaction de textes législatifs"
    assert (civ["priority"], civ["priority_name"]) == ("high", "Élevée")
    tur = next(row for row in rows if row["id"] == "9003")
    # Codes in one order whatever the language; their names follow them.
    assert tur["languages"] == "ar;zh;ru;es"
    assert tur["language_names"] == "Arabe; Chinois; Russe; Espagnol"
    kenya = next(row for row in rows if row["id"] == "9001")
    assert (kenya["regional_group"], kenya["regional_group_name"]) == ("AFR", "États d'Afrique")
