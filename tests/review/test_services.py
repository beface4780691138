"""Availability requests, answers and reminders; exports; the justification for opening a full record."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from accounts.models import OneTimeToken
from accounts.tokens import TokenProblem, TokenRefused
from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import ShortlistEntry
from matching.shortlists import shortlist_add
from review import services
from review.selectors import availability_silences
from tests.factories import ExpertLanguageFactory

pytestmark = pytest.mark.django_db
Status = ShortlistEntry.Status
LINK = re.compile(r"https?://\S+/availability/(\d+)/([\w-]+)/")


def _link(message) -> tuple[int, str]:
    found = LINK.search(message.body)
    assert found, message.body
    return int(found[1]), found[2]


@pytest.fixture
def entry(cast, need, experts):
    return shortlist_add(by=cast.secretariat, need=need, expert=experts[0])


def test_an_availability_request_contacts_the_expert_by_mail_in_their_language_with_a_one_time_link(
    cast, need, entry, django_capture_on_commit_callbacks, monkeypatch
):
    ExpertLanguageFactory(expert=entry.expert, language_id="fr", level=7)
    languages = []
    real_mail_send = services.mail_send
    # The French text itself comes with the catalogues; what is checked here is the language asked for.
    monkeypatch.setattr(services, "mail_send", lambda **kw: languages.append(kw["language"]) or real_mail_send(**kw))
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.availability_request(by=cast.secretariat, entry_id=entry.pk, version=entry.version)
    assert asked.status == Status.CONTACTED and asked.contacted_at is not None
    (message,) = mail.outbox
    assert message.to == [entry.expert.email]
    assert languages == ["fr"]
    assert _link(message)[0] == entry.pk
    actions = list(AuditEvent.objects.filter(target_id=str(entry.pk)).order_by("pk").values_list("action", flat=True))
    assert actions[-2:] == [AuditAction.SHORTLIST_STATUS, AuditAction.SHORTLIST_AVAILABILITY_REQUEST]


def test_only_a_proposed_entry_is_asked_and_only_by_the_secretariat(cast, entry, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.availability_request(by=cast.owner, entry_id=entry.pk, version=entry.version)
    with django_capture_on_commit_callbacks(execute=True):
        services.availability_request(by=cast.secretariat, entry_id=entry.pk, version=entry.version)
        with pytest.raises(ValidationError):
            services.availability_request(by=cast.secretariat, entry_id=entry.pk, version=None)
    assert len(mail.outbox) == 1


def _asked(cast, entry, capture) -> tuple[int, str]:
    with capture(execute=True):
        services.availability_request(by=cast.secretariat, entry_id=entry.pk, version=entry.version)
    return _link(mail.outbox[-1])


def test_the_experts_answer_through_the_link_updates_the_entry_once(cast, entry, django_capture_on_commit_callbacks):
    entry_id, token = _asked(cast, entry, django_capture_on_commit_callbacks)
    answered = services.availability_answer(entry_id=entry_id, token=token, available=True, comment="Free in May")
    assert (answered.status, answered.answer_comment) == (Status.AVAILABLE, "Free in May")
    assert answered.answered_at is not None
    event = AuditEvent.objects.filter(action=AuditAction.SHORTLIST_STATUS).latest("pk")
    assert event.actor is None
    assert event.details["via"] == "expert_link" and event.details["status"] == ["contacted", "available"]
    assert "Free in May" not in str(event.details)
    with pytest.raises(TokenRefused) as refused:
        services.availability_answer(entry_id=entry_id, token=token, available=False, comment="")
    assert refused.value.problem is TokenProblem.USED


def test_a_link_opens_only_its_own_entry(cast, need, experts, entry, django_capture_on_commit_callbacks):
    other = shortlist_add(by=cast.secretariat, need=need, expert=experts[1])
    _entry_id, token = _asked(cast, entry, django_capture_on_commit_callbacks)
    with pytest.raises(TokenRefused) as refused:
        services.availability_answer(entry_id=other.pk, token=token, available=True, comment="")
    assert refused.value.problem is TokenProblem.UNKNOWN


def test_an_answer_already_taken_by_the_secretariat_leaves_the_link_unused(
    cast, entry, django_capture_on_commit_callbacks
):
    from matching.shortlists import shortlist_status_set

    entry_id, token = _asked(cast, entry, django_capture_on_commit_callbacks)
    shortlist_status_set(by=cast.secretariat, entry_id=entry_id, version=None, status=Status.DECLINED)
    with pytest.raises(ValidationError):
        services.availability_answer(entry_id=entry_id, token=token, available=True, comment="")
    assert OneTimeToken.objects.get(subject_id=entry_id, purpose="availability_answer").used_at is None


def test_reminders_go_to_the_silent_past_n_days_with_a_fresh_link(
    cast, need, experts, entry, django_capture_on_commit_callbacks
):
    recent = shortlist_add(by=cast.secretariat, need=need, expert=experts[1])
    old_id, old_token = _asked(cast, entry, django_capture_on_commit_callbacks)
    _asked(cast, recent, django_capture_on_commit_callbacks)
    OneTimeToken.objects.filter(subject_id=entry.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("availability_reminders", "--days", "7")
    reminder = mail.outbox[-1]
    assert len(mail.outbox) == 3 and reminder.to == [entry.expert.email]
    assert _link(reminder)[0] == entry.pk and _link(reminder)[1] != old_token
    with pytest.raises(TokenRefused) as refused:
        services.availability_link_check(entry_id=old_id, token=old_token)
    assert refused.value.problem is TokenProblem.SUPERSEDED
    event = AuditEvent.objects.get(action=AuditAction.SHORTLIST_AVAILABILITY_REMINDER)
    assert event.actor is None and event.target_id == str(entry.pk)
    # The reminder is the newest mail: nobody is reminded twice on the same day.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("availability_reminders", "--days", "7")
    assert len(mail.outbox) == 3


def test_an_expert_who_answered_is_not_reminded(cast, entry, django_capture_on_commit_callbacks):
    entry_id, token = _asked(cast, entry, django_capture_on_commit_callbacks)
    services.availability_answer(entry_id=entry_id, token=token, available=False, comment="")
    with pytest.raises(ValidationError):
        services.availability_remind(by=cast.secretariat, entry_id=entry_id)
    assert list(availability_silences(older_than=timedelta(0))) == []
