"""The register's rules, enforced in the services and, for the invariants, by the database."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from needs.models import Need
from needs.services import need_create, need_set_status, need_update
from reference.models import Article, AssistanceType, Language
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _create(by, state, **extra):
    values = {
        "requesting_state": state,
        "articles": list(Article.objects.filter(number__in=[46, 48])),
        "assistance_type": AssistanceType.objects.get(code="legal_advice"),
        "working_languages": [Language.objects.get(code="fr")],
        "title": "Central authority for mutual legal assistance",
        **extra,
    }
    return need_create(by=by, **values)


def test_a_focal_point_records_a_need_for_its_state_with_an_audit_row_and_one_history_row(cast):
    need = _create(cast.owner, cast.owner.state)
    assert need.requesting_state == cast.owner.state and need.status == "open" and need.version == 1
    assert sorted(need.articles.values_list("pk", flat=True)) == [46, 48]
    event = AuditEvent.objects.get(action="need.create", target_id=str(need.pk))
    assert event.actor == cast.owner and event.details["articles"] == [46, 48]
    history = need.history.all()
    assert len(history) == 1 and history[0].history_type == "+" and history[0].history_user == cast.owner
    assert sorted(history[0].articles.values_list("article_id", flat=True)) == [46, 48]


def test_a_focal_point_cannot_record_a_need_for_another_state(cast, state_b):
    with pytest.raises(PermissionDenied):
        _create(cast.owner, state_b)
    assert not Need.objects.exists() and not AuditEvent.objects.filter(action="need.create").exists()


def test_the_secretariat_records_needs_for_any_state(cast, state_b):
    assert _create(cast.secretariat, state_b).requesting_state == state_b


def test_a_need_needs_an_article_and_a_working_language(cast):
    with pytest.raises(ValidationError) as error:
        _create(cast.owner, cast.owner.state, articles=[], working_languages=[])
    assert set(error.value.message_dict) == {"articles", "working_languages"}
    assert not Need.objects.exists()


def test_desired_period_must_be_ordered(cast):
    with pytest.raises(ValidationError, match="cannot come before its start"):
        _create(cast.owner, cast.owner.state, desired_from=date(2026, 6, 1), desired_until=date(2026, 5, 1))


def test_update_records_what_changed_bumps_the_version_and_keeps_history(cast, need_a):
    fr = Language.objects.get(code="fr")
    need = need_update(
        need=need_a,
        by=cast.colleague_same_state,
        data={"title": "New title", "working_languages": [fr]},
        expected_version=1,
    )
    assert need.version == 2 and need.title == "New title"
    assert list(need.working_languages.values_list("pk", flat=True)) == ["fr"]
    event = AuditEvent.objects.get(action="need.update")
    assert event.details["changes"]["title"][1] == "New title"
    assert event.details["changes"]["working_languages"] == [["en"], ["fr"]]
    latest = need.history.latest()
    assert latest.history_type == "~" and latest.version == 2
    assert list(latest.working_languages.values_list("language_id", flat=True)) == ["fr"]


def test_update_over_someone_elses_newer_change_is_refused(cast, need_a):
    need_update(need=need_a, by=cast.owner, data={"title": "First edit"}, expected_version=1)
    with pytest.raises(ValidationError, match="Someone else changed this need"):
        need_update(need=need_a, by=cast.colleague_same_state, data={"title": "Second edit"}, expected_version=1)
    need_a.refresh_from_db()
    assert need_a.title == "First edit" and need_a.version == 2


def test_an_update_that_changes_nothing_writes_nothing(cast, need_a):
    need_update(need=need_a, by=cast.owner, data={"title": need_a.title}, expected_version=1)
    need_a.refresh_from_db()
    assert need_a.version == 1 and not AuditEvent.objects.filter(action="need.update").exists()


def test_a_focal_point_cannot_move_its_need_to_another_state(cast, need_a, state_b):
    with pytest.raises(PermissionDenied):
        need_update(need=need_a, by=cast.owner, data={"requesting_state": state_b})


def test_another_state_cannot_update(cast, need_a):
    with pytest.raises(PermissionDenied):
        need_update(need=need_a, by=cast.focal_point_other_state, data={"title": "x"})


@pytest.mark.parametrize(
    "path",
    [["shortlisting", "addressed"], ["cancelled"], ["shortlisting", "cancelled"]],
)
def test_the_secretariat_moves_a_need_along_its_lifecycle(cast, need_a, path):
    for status in path:
        need_set_status(need=need_a, by=cast.secretariat, status=status)
    need_a.refresh_from_db()
    assert need_a.status == path[-1] and need_a.version == 1 + len(path)
    assert [e.details["to"] for e in AuditEvent.objects.filter(action="need.status").order_by("id")] == path


@pytest.mark.parametrize(
    "start, target",
    [
        ("open", "addressed"),
        ("addressed", "open"),
        ("cancelled", "open"),
        ("addressed", "cancelled"),
        ("open", "open"),
        ("cancelled", "shortlisting"),
        ("open", "bogus"),
    ],
)
def test_illegal_transitions_are_refused(cast, start, target):
    need = NeedFactory(status=start)
    with pytest.raises(ValidationError, match="cannot become"):
        need_set_status(need=need, by=cast.secretariat, status=target)
    need.refresh_from_db()
    assert need.status == start and not AuditEvent.objects.filter(action="need.status").exists()


def test_a_focal_point_may_cancel_but_not_shortlist_or_close(cast, need_a):
    with pytest.raises(PermissionDenied):
        need_set_status(need=need_a, by=cast.owner, status="shortlisting")
    need_set_status(need=need_a, by=cast.owner, status="cancelled")
    need_a.refresh_from_db()
    assert need_a.status == "cancelled"


def test_a_focal_point_cannot_edit_once_shortlisting_has_started(cast, need_a):
    need_set_status(need=need_a, by=cast.secretariat, status="shortlisting")
    with pytest.raises(PermissionDenied):
        need_update(need=need_a, by=cast.owner, data={"title": "Late change"})
    need_a.refresh_from_db()
    assert need_a.title == "Witness protection programme for Kenya" and need_a.version == 2
    assert not AuditEvent.objects.filter(action="need.update").exists()
    need_update(need=need_a, by=cast.secretariat, data={"title": "Secretariat clarification"})
    need_a.refresh_from_db()
    assert need_a.title == "Secretariat clarification" and need_a.version == 3
    assert AuditEvent.objects.get(action="need.update").actor == cast.secretariat


@pytest.mark.parametrize(
    "field, value",
    [
        ("priority", "urgent"),
        ("source", "rumour"),
        ("status", "closed"),
        ("review_cycle", 0),
        ("title", ""),
        ("version", 0),
    ],
)
def test_the_database_refuses_values_outside_the_invariants(field, value):
    need = NeedFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(**{field: value})


def test_the_database_refuses_a_need_with_no_modality_or_a_reversed_period():
    need = NeedFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(remote=False, on_site=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Need.objects.filter(pk=need.pk).update(desired_from=date(2026, 2, 1), desired_until=date(2026, 1, 1))


def test_external_ids_are_unique_but_may_be_absent():
    NeedFactory(external_id=None)
    NeedFactory(external_id=None)
    NeedFactory(external_id="IRG-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        NeedFactory(external_id="IRG-1")


@pytest.mark.parametrize("target, version", [("addressed", None), ("cancelled", None), ("cancelled", 7)])
def test_another_states_focal_point_learns_nothing_from_a_refused_status_change(cast, need_a, target, version):
    with pytest.raises(PermissionDenied):
        need_set_status(need=need_a, by=cast.focal_point_other_state, status=target, expected_version=version)
    need_a.refresh_from_db()
    assert need_a.status == "open" and not AuditEvent.objects.filter(action="need.status").exists()
