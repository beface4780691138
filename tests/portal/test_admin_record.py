"""The expert record written without Django's edit form is Django's read-only page, field for field."""

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import portal.admin_site
from audit.models import AuditEvent
from roster import services
from roster.models import Expert
from tests.factories import ExpertFactory, country, cv_pdf_bytes, expert_profile
from tests.roster.test_search import upload

pytestmark = pytest.mark.django_db

FORM_ROW = re.compile(
    r'<div class="form-row field-(?P<name>\w+)"><div class="flex-container"><label>(?P<label>.*?)</label>'
    r'(?:<div class="help"><div>(?P<help>.*?)</div></div>)?<div class="readonly">(?P<value>.*?)</div></div></div>'
)
INLINE_ROW = re.compile(r'<tr class="form-row has_original" id="(?P<id>[\w-]+)">(?P<cells>.*?)</tr>')
CELL = re.compile(r'<td class="(?P<name>[\w-]+)">(?P<value>.*?)</td>')


def _normalized(html: str) -> str:
    """The page without its CSRF token and without the whitespace between tags, which neither way keeps alike."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", html))


def _fields(html: str) -> dict[str, tuple[str, str | None, str]]:
    return {row["name"]: (row["label"], row["help"], row["value"]) for row in FORM_ROW.finditer(html)}


def _inline_rows(html: str) -> dict[str, list[tuple[str, str]]]:
    return {row["id"]: CELL.findall(row["cells"]) for row in INLINE_ROW.finditer(html)}


@pytest.fixture
def full_expert(cast) -> Expert:
    """An expert with every part of the record filled, and texts that need escaping."""
    profile = expert_profile(
        family_name="O'Brien <b>",
        given_name="Ann & Co",
        email="ann@example.org",
        phone="+254 700 000000",
        summary="First line\nSecond line <i>with tags</i>",
        available_from=date(2027, 1, 10),
        available_until=date(2029, 12, 5),
        remote=False,
        on_site=True,
    )
    profile.assistance_type_ids = ["legal_advice", "onsite_expert"]
    profile.countries_worked_in_ids = ["FRA", "BRA"]
    profile.employment.append(
        {"employer": "UNODC", "position": "Adviser", "start_year": 2005, "end_year": 2009, "description": "x"}
    )
    expert = services.expert_nominate(by=cast.owner, profile=profile, cv=upload("cv.pdf", cv_pdf_bytes("Lagos")))
    expert.declared_conflict_states.set(["KEN"])
    Expert.objects.filter(pk=expert.pk).update(
        secretariat_message="Please add\nthe <dates> & posts.",
        status=Expert.Status.SUBMITTED,
        revalidation_pending=True,
        last_confirmed_at=timezone.now(),
    )
    ExpertFactory(email="ann@example.org", given_name="Twin", nominating_state=country("FRA"))  # a possible duplicate
    return Expert.objects.get(pk=expert.pk)


def _djangos_page(client, url: str, monkeypatch, **headers) -> str:
    with monkeypatch.context() as patched:
        patched.setattr(portal.admin_site, "written_record", lambda *args: None)
        response = client.get(url, **headers)
    assert response.status_code == 200
    assert "written_record" not in response.context
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "query"),
    [("en", ""), ("fr", ""), ("en", "?_changelist_filters=status__exact%3Dsubmitted%26q%3DAnn")],
)
def test_the_written_record_shows_djangos_fields_and_values(cast, full_expert, monkeypatch, language, query):
    client = cast.client_for("secretariat")
    url = reverse("admin:roster_expert_change", args=[full_expert.pk]) + query
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and response.context["written_record"] is not None
    ours = _normalized(response.content.decode())
    djangos = _normalized(_djangos_page(client, url, monkeypatch, HTTP_ACCEPT_LANGUAGE=language))
    # Field for field first, for a failure that says which one differs.
    fields = _fields(djangos)
    assert len(fields) == 35 and "cv_download" in fields and "possible_duplicates" in fields
    assert _fields(ours) == fields
    rows = _inline_rows(djangos)
    assert {row.rsplit("-", 1)[0] for row in rows} == {"languages", "expertise", "employment", "education"}
    assert _inline_rows(ours) == rows
    # Then the whole page: headings, help texts, inline headers, hidden inputs, media, decisions, the list's
    # filters kept in the links.
    assert ours == djangos
    assert not query or "_changelist_filters=status__exact" in ours


def test_the_written_record_shows_what_the_reader_needs_in_their_language(cast, full_expert):
    url = reverse("admin:roster_expert_change", args=[full_expert.pk])
    page = _normalized(cast.client_for("secretariat").get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode())
    fields = _fields(page)
    assert fields["status"][0] == "Statut :" and fields["status"][2] == "Soumis pour validation"
    assert fields["secretariat_message"][2] == "Please add<br>the &lt;dates&gt; &amp; posts."
    assert fields["available_from"][2] == "10 janvier 2027"
    assert 'href="/secretariat/roster/expert/' in fields["possible_duplicates"][2] and "Twin" in page
    assert reverse("roster:expert_cv", args=[full_expert.pk]) in fields["cv_download"][2]
    assert "/decide/validate/" in page  # the decisions open to a submitted nomination


def test_the_written_record_makes_no_more_queries_than_djangos(cast, full_expert, monkeypatch):
    client = cast.client_for("secretariat")
    url = reverse("admin:roster_expert_change", args=[full_expert.pk])
    client.get(url)  # the per-process caches (content types) filled
    with CaptureQueriesContext(connection) as ours:
        client.get(url)
    with CaptureQueriesContext(connection) as djangos:
        _djangos_page(client, url, monkeypatch)
    assert len(ours) <= len(djangos)


def test_opening_the_written_record_is_audited_each_time(cast, full_expert):
    client = cast.client_for("secretariat")
    url = reverse("admin:roster_expert_change", args=[full_expert.pk])
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response.context["written_record"] is not None
    events = AuditEvent.objects.filter(action="expert.view", target_id=str(full_expert.pk))
    assert events.count() == 2 and {event.actor for event in events} == {cast.secretariat}


def test_a_popup_or_a_post_is_left_to_django(cast, full_expert):
    client = cast.client_for("secretariat")
    url = reverse("admin:roster_expert_change", args=[full_expert.pk])
    popup = client.get(url, {"_popup": "1"})
    assert popup.status_code == 200 and "written_record" not in popup.context and "adminform" in popup.context
    assert client.post(url, {"status": "active"}).status_code == 403
    missing = client.get(reverse("admin:roster_expert_change", args=[full_expert.pk + 1000]))
    assert missing.status_code == 302
