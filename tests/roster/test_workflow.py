"""The nomination workflow: legal transitions happen and are audited, illegal ones are refused."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from portal.locking import VersionConflict
from roster import services
from roster.models import Expert
from roster.services import ArticleExpertise, LanguageSkill
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, country, expert_profile

pytestmark = pytest.mark.django_db
S = Expert.Status


def _expert(status, state="KEN", **kwargs) -> Expert:
    expert = ExpertFactory(nominating_state=country(state), status=status, **kwargs)
    ExpertLanguageFactory(expert=expert)
    ExpertArticleFactory(expert=expert)
    return expert


def _actions(expert) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="roster.expert", target_id=str(expert.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_a_focal_point_nominates_a_draft_for_its_own_state_with_every_section(cast):
    expert = services.expert_nominate(by=cast.owner, profile=expert_profile())
    assert expert.status == S.DRAFT and expert.nominating_state_id == "KEN" and expert.created_by == cast.owner
    assert expert.name_key == "amina odhiambo"
    assert sorted(expert.languages.values_list("language_id", "level")) == [("en", 7), ("fr", 4)]
    assert sorted(expert.expertise.values_list("article_id", "level")) == [(46, 3), (48, 2)]
    assert expert.employment.count() == 1 and expert.education.count() == 1
    assert list(expert.countries_worked_in.values_list("pk", flat=True)) == ["UGA"]
    assert _actions(expert) == ["expert.nominate"]


def test_the_state_of_a_focal_points_nomination_is_never_taken_from_the_caller(cast):
    expert = services.expert_nominate(by=cast.owner, profile=expert_profile(), nominating_state=country("FRA"))
    assert expert.nominating_state_id == "KEN"


def test_the_secretariat_must_name_the_nominating_state(cast):
    with pytest.raises(ValidationError, match="nominating State"):
        services.expert_nominate(by=cast.secretariat, profile=expert_profile())
    expert = services.expert_nominate(by=cast.secretariat, profile=expert_profile(), nominating_state=country("FRA"))
    assert expert.nominating_state_id == "FRA"


def test_a_profile_listing_a_language_twice_is_refused_and_nothing_is_written(cast):
    profile = expert_profile()
    profile.languages = [LanguageSkill("en", 7), LanguageSkill("en", 3)]
    with pytest.raises(ValidationError, match="only once"):
        services.expert_nominate(by=cast.owner, profile=profile)
    assert not Expert.objects.exists() and not AuditEvent.objects.exists()


def test_submit_sends_the_expert_a_one_time_link_after_commit(cast, django_capture_on_commit_callbacks):
    expert = _expert(S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        expert = services.expert_submit(expert=expert, by=cast.owner)
    assert expert.status == S.SUBMITTED and expert.version == 2
    assert expert.confirmation_requested_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [expert.email]
    assert "/expert/confirm/" in mail.outbox[0].body
    assert _actions(expert) == ["expert.submit"]


def test_a_nomination_without_language_or_article_cannot_be_submitted(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.DRAFT)
    with pytest.raises(ValidationError, match="at least one language and one UNCAC article"):
        services.expert_submit(expert=expert, by=cast.owner)
    expert.refresh_from_db()
    assert expert.status == S.DRAFT and expert.version == 1


def test_the_full_path_draft_submitted_active(cast):
    expert = _expert(S.DRAFT)
    expert = services.expert_submit(expert=expert, by=cast.owner)
    expert = services.expert_validate(expert=expert, version=expert.version, by=cast.secretariat)
    assert expert.status == S.ACTIVE and expert.version == 3
    assert _actions(expert) == ["expert.submit", "expert.validate"]


def test_an_inactive_profile_comes_back_through_submission_and_validation(cast):
    # Retired as stale, then confirmed by its State: without this path it could never be active again.
    expert = _expert(S.INACTIVE)
    expert = services.expert_confirm_current(expert=expert, by=cast.owner)
    expert = services.expert_submit(expert=expert, by=cast.owner)
    assert expert.status == S.SUBMITTED
    expert = services.expert_validate(expert=expert, version=expert.version, by=cast.secretariat)
    assert expert.status == S.ACTIVE
    assert _actions(expert) == ["expert.confirm_current", "expert.submit", "expert.validate"]


def test_changes_requested_carries_the_message_and_can_be_resubmitted(cast):
    expert = _expert(S.SUBMITTED)
    expert = services.expert_request_changes(
        expert=expert, version=expert.version, by=cast.secretariat, message="Add the LL.M. year."
    )
    assert expert.status == S.CHANGES_REQUESTED and expert.secretariat_message == "Add the LL.M. year."
    expert = services.expert_submit(expert=expert, by=cast.colleague_same_state)
    assert expert.status == S.SUBMITTED
    expert = services.expert_validate(expert=expert, version=expert.version, by=cast.secretariat)
    assert expert.status == S.ACTIVE and expert.secretariat_message == ""
    event = AuditEvent.objects.get(action="expert.request_changes")
    assert event.details == {"message": "Add the LL.M. year."}


def test_requesting_changes_needs_a_message(cast):
    expert = _expert(S.SUBMITTED)
    with pytest.raises(ValidationError, match="message"):
        services.expert_request_changes(expert=expert, version=expert.version, by=cast.secretariat, message="   ")


def test_a_rejection_needs_a_reason(cast):
    expert = _expert(S.SUBMITTED)
    with pytest.raises(ValidationError, match="reason"):
        services.expert_reject(expert=expert, version=1, by=cast.secretariat, message="  ")
    expert.refresh_from_db()
    assert expert.status == S.SUBMITTED


def test_reject_ends_a_nomination(cast):
    expert = services.expert_reject(
        expert=_expert(S.SUBMITTED), version=1, by=cast.secretariat, message="Not an expert."
    )
    assert expert.status == S.REJECTED
    with pytest.raises(ValidationError):
        services.expert_submit(expert=expert, by=cast.owner)


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.ACTIVE, S.INACTIVE])
def test_withdraw_is_possible_from_every_live_status(cast, status):
    expert = services.expert_withdraw(expert=_expert(status), by=cast.owner, reason="Retired")
    assert expert.status == S.WITHDRAWN
    assert AuditEvent.objects.get(action="expert.withdraw").details == {"from": status, "reason": "Retired"}


@pytest.mark.parametrize(
    "service, status, message",
    [
        ("expert_submit", S.ACTIVE, "Only a draft"),
        ("expert_submit", S.SUBMITTED, "Only a draft"),
        ("expert_submit", S.WITHDRAWN, "Only a draft"),
        ("expert_validate", S.DRAFT, "cannot be validated"),
        ("expert_validate", S.ACTIVE, "cannot be validated"),
        ("expert_validate", S.REJECTED, "cannot be validated"),
        ("expert_reject", S.ACTIVE, "cannot be rejected"),
        ("expert_reject", S.DRAFT, "cannot be rejected"),
        ("expert_withdraw", S.WITHDRAWN, "already withdrawn"),
        ("expert_withdraw", S.REJECTED, "already withdrawn"),
        ("expert_confirm_current", S.WITHDRAWN, "cannot be confirmed"),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_message_and_change_nothing(cast, service, status, message):
    expert = _expert(status)
    decision = service in ("expert_validate", "expert_reject")
    by, reviewed = (cast.secretariat, {"version": expert.version}) if decision else (cast.owner, {})
    if service == "expert_reject":
        reviewed["message"] = "Outside the roster's scope."
    with pytest.raises(ValidationError, match=message):
        getattr(services, service)(expert=expert, by=by, **reviewed)
    expert.refresh_from_db()
    assert expert.status == status and expert.version == 1
    assert not AuditEvent.objects.exists()


def test_requesting_changes_on_a_draft_is_refused(cast):
    with pytest.raises(ValidationError, match="only for"):
        services.expert_request_changes(expert=_expert(S.DRAFT), version=1, by=cast.secretariat, message="Why?")


@pytest.mark.parametrize("service, extra", [("expert_validate", {}), ("expert_reject", {"message": "No."})])
def test_only_the_secretariat_decides(cast, service, extra):
    expert = _expert(S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        getattr(services, service)(expert=expert, by=cast.owner, version=expert.version, **extra)
    with pytest.raises(PermissionDenied):
        services.expert_request_changes(expert=expert, version=expert.version, by=cast.owner, message="x")
    expert.refresh_from_db()
    assert expert.status == S.SUBMITTED


@pytest.mark.parametrize("service", ["expert_submit", "expert_withdraw", "expert_confirm_current"])
def test_another_state_cannot_act_on_an_expert_even_by_calling_the_service(cast, service):
    expert = _expert(S.DRAFT)
    with pytest.raises(PermissionDenied):
        getattr(services, service)(expert=expert, by=cast.focal_point_other_state)


def test_confirm_current_restarts_the_stale_clock(cast):
    expert = _expert(S.ACTIVE, last_confirmed_at=None)
    expert = services.expert_confirm_current(expert=expert, by=cast.owner)
    assert expert.last_confirmed_at is not None and expert.version == 2
    assert _actions(expert) == ["expert.confirm_current"]


def test_editing_an_active_expert_keeps_it_active_and_asks_for_revalidation(cast):
    expert = _expert(S.ACTIVE)
    updated = services.expert_update(
        expert=expert, by=cast.owner, version=1, profile=expert_profile(current_position="Chief prosecutor")
    )
    assert updated.status == S.ACTIVE and updated.revalidation_pending is True
    assert updated.current_position == "Chief prosecutor" and updated.version == 2
    assert Expert.objects.filter(status=S.ACTIVE, pk=expert.pk).exists()  # still on the roster meanwhile
    validated = services.expert_validate(expert=updated, version=updated.version, by=cast.secretariat)
    assert validated.status == S.ACTIVE and validated.revalidation_pending is False
    assert _actions(expert) == ["expert.update", "expert.validate"]


def test_a_save_over_a_stale_version_is_refused_and_changes_nothing(cast):
    expert = _expert(S.DRAFT)
    services.expert_update(
        expert=expert, by=cast.colleague_same_state, version=1, profile=expert_profile(phone="+254 1")
    )
    with pytest.raises(VersionConflict, match="Someone else changed this profile"):
        services.expert_update(expert=expert, by=cast.owner, version=1, profile=expert_profile(phone="+254 2"))
    expert.refresh_from_db()
    assert expert.phone == "+254 1" and expert.version == 2
    assert _actions(expert) == ["expert.update"]


def test_an_edit_replaces_the_repeated_sections(cast):
    expert = services.expert_nominate(by=cast.owner, profile=expert_profile())
    profile = expert_profile()
    profile.languages = [LanguageSkill("es", 5)]
    profile.expertise = [ArticleExpertise(5, 1)]
    profile.employment = []
    services.expert_update(expert=expert, by=cast.owner, version=expert.version, profile=profile)
    assert list(expert.languages.values_list("language_id", "level")) == [("es", 5)]
    assert list(expert.expertise.values_list("article_id", "level")) == [(5, 1)]
    assert not expert.employment.exists()


@pytest.mark.parametrize("status", [S.WITHDRAWN, S.REJECTED, S.INACTIVE])
def test_a_closed_profile_cannot_be_edited(cast, status):
    expert = _expert(status)
    with pytest.raises(ValidationError, match="cannot be edited"):
        services.expert_update(expert=expert, by=cast.owner, version=1, profile=expert_profile())


def test_every_change_is_kept_in_the_history_with_who_made_it(cast):
    expert = services.expert_nominate(by=cast.owner, profile=expert_profile())
    submitted = services.expert_submit(expert=expert, by=cast.owner)
    services.expert_validate(expert=expert, version=submitted.version, by=cast.secretariat)
    history = list(expert.history.order_by("history_id").values_list("status", "history_user_id"))
    assert history[0] == (S.DRAFT, cast.owner.pk)
    assert (S.ACTIVE, cast.secretariat.pk) in history


def test_possible_duplicates_are_recorded_on_nomination_and_nothing_merges(cast):
    first = services.expert_nominate(by=cast.owner, profile=expert_profile())
    second = services.expert_nominate(by=cast.colleague_same_state, profile=expert_profile(given_name="AMINA"))
    event = AuditEvent.objects.get(action="expert.nominate", target_id=str(second.pk))
    assert event.details["possible_duplicates"] == [first.pk]
    assert Expert.objects.count() == 2


@pytest.mark.parametrize(
    "service, extra",
    [
        ("expert_validate", {}),
        ("expert_reject", {"message": "Outside the roster's scope."}),
        ("expert_request_changes", {"message": "Add the years."}),
    ],
)
def test_a_decision_on_a_version_the_state_has_since_changed_is_refused_and_changes_nothing(cast, service, extra):
    expert = _expert(S.SUBMITTED)
    reviewed = expert.version
    services.expert_update(
        expert=expert, by=cast.owner, version=reviewed, profile=expert_profile(current_position="Chief prosecutor")
    )
    with pytest.raises(VersionConflict, match="changed by the nominating State after you opened it"):
        getattr(services, service)(expert=expert, by=cast.secretariat, version=reviewed, **extra)
    expert.refresh_from_db()
    assert (expert.status, expert.version, expert.secretariat_message) == (S.SUBMITTED, reviewed + 1, "")
    assert _actions(expert) == ["expert.update"]
    decided = getattr(services, service)(expert=expert, by=cast.secretariat, version=reviewed + 1, **extra)
    assert decided.status != S.SUBMITTED  # reviewed again at the stored version, the decision goes through
