"""The secretariat records a State's new UNCAC status and its date in the restricted admin, audited;
nothing else about a country changes there, and nobody else reaches the page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from reference.models import Country, UncacStatus
from reference.services import country_status_update
from tests.factories import country

pytestmark = pytest.mark.django_db

ANDORRA = reverse("admin:reference_country_change", args=["AND"])
JOINS = {"uncac_status": "party", "uncac_status_date": "2026-06-15", "_save": "Save"}


def _andorra() -> tuple:
    andorra = Country.objects.get(iso3="AND")
    return andorra.uncac_status, andorra.uncac_status_date


def test_the_secretariat_records_that_a_state_joins_and_an_audit_row_says_so(cast):
    response = cast.client_for("secretariat").post(ANDORRA, JOINS)
    assert response.status_code == 302
    assert _andorra() == (UncacStatus.PARTY, datetime.date(2026, 6, 15))
    event = AuditEvent.objects.get(action=AuditAction.COUNTRY_STATUS_UPDATE, target_id="AND")
    assert event.actor == cast.secretariat
    assert event.details["changes"] == {
        "uncac_status": ["none", "party"],
        "uncac_status_date": [None, "2026-06-15"],
    }


def test_only_status_and_date_change_in_the_admin(cast):
    posted = {**JOINS, "name": "Principality", "regional_group": "EEG", "is_un_member": "", "legal_system_text": "x"}
    assert cast.client_for("secretariat").post(ANDORRA, posted).status_code == 302
    andorra = Country.objects.get(iso3="AND")
    assert (andorra.name, andorra.regional_group, andorra.is_un_member) == ("Andorra", "WEOG", True)
    assert andorra.legal_system_text.startswith("mixed legal system of civil and customary law")
    assert set(andorra.legal_systems.values_list("code", flat=True)) == {"civil", "customary", "mixed"}


@pytest.mark.parametrize(
    "data, field",
    [
        ({"uncac_status": "party", "uncac_status_date": ""}, "uncac_status_date"),  # a party since when?
        ({"uncac_status": "none", "uncac_status_date": "2026-06-15"}, "uncac_status_date"),
        ({"uncac_status": "member", "uncac_status_date": "2026-06-15"}, "uncac_status"),
    ],
)
def test_a_wrong_status_is_refused_with_the_field_named_and_nothing_written(cast, data, field):
    response = cast.client_for("secretariat").post(ANDORRA, {**data, "_save": "Save"})
    assert response.status_code == 200 and field in response.context["adminform"].form.errors
    assert _andorra() == (UncacStatus.NONE, None)
    assert not AuditEvent.objects.filter(action=AuditAction.COUNTRY_STATUS_UPDATE).exists()


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "anonymous"])
def test_nobody_but_the_secretariat_reaches_the_page(cast, who):
    if who != "anonymous":
        person = getattr(cast, who)
        person.is_staff = True  # even a focal point marked staff by mistake
        person.save(update_fields=["is_staff"])
    client = cast.client_for(who)
    for response in (client.get(ANDORRA), client.post(ANDORRA, JOINS)):
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert _andorra() == (UncacStatus.NONE, None)
    assert not AuditEvent.objects.filter(action=AuditAction.COUNTRY_STATUS_UPDATE).exists()


def test_the_service_refuses_anyone_but_the_secretariat(cast):
    with pytest.raises(PermissionDenied):
        country_status_update(by=cast.owner, country=country("AND"), status="party", date=datetime.date(2026, 6, 15))
    assert _andorra() == (UncacStatus.NONE, None)


def test_saving_the_same_status_again_writes_no_audit_row(cast):
    kitts = country("KNA")
    country_status_update(by=cast.secretariat, country=kitts, status="party", date=kitts.uncac_status_date)
    assert not AuditEvent.objects.filter(action=AuditAction.COUNTRY_STATUS_UPDATE).exists()


def test_the_other_reference_tables_stay_read_only(cast):
    client = cast.client_for("secretariat")
    url = reverse("admin:reference_article_change", args=[46])
    assert client.post(url, {"title": "Changed", "chapter": "IV"}).status_code == 403
    assert client.get(reverse("admin:reference_country_delete", args=["AND"])).status_code == 403
