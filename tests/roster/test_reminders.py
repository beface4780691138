"""Keeping the roster current: staleness, reminders at most once per interval, retirement after the grace period."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from audit.models import AuditEvent
from roster.consent import confirmation_token_check
from roster.models import Expert
from roster.reminders import expert_update_reminders_send
from roster.selectors import expert_stale, expert_with_staleness
from tests.factories import ExpertFactory, FocalPointFactory, country

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


@pytest.fixture
def stale_expert(cast):
    return ExpertFactory(last_confirmed_at=days_ago(400), email="stale@example.org")


def _run(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return expert_update_reminders_send(now=NOW, **kwargs)


def test_a_profile_is_stale_after_the_configured_days(db, settings):
    settings.ROSTER_STALE_AFTER_DAYS = 365
    fresh = ExpertFactory(last_confirmed_at=days_ago(364))
    stale = ExpertFactory(last_confirmed_at=days_ago(366))
    assert set(expert_stale(now=NOW)) == {stale}
    flags = dict(expert_with_staleness(now=NOW).values_list("pk", "is_stale"))
    assert flags == {fresh.pk: False, stale.pk: True}


def test_a_profile_never_confirmed_counts_from_its_creation(db):
    never = ExpertFactory(last_confirmed_at=None)
    Expert.objects.filter(pk=never.pk).update(created_at=days_ago(500))
    recent = ExpertFactory(last_confirmed_at=None)
    assert set(expert_stale(now=NOW)) == {never}
    assert recent not in expert_stale(now=NOW)


def test_reminder_mails_the_expert_a_new_link_and_the_states_focal_points(
    cast, stale_expert, django_capture_on_commit_callbacks
):
    ExpertFactory(last_confirmed_at=days_ago(10))  # fresh: no reminder
    run = _run(django_capture_on_commit_callbacks)
    assert run.reminded == [stale_expert]
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([stale_expert.email, cast.owner.email, cast.colleague_same_state.email])
    expert_mail = next(message for message in mail.outbox if message.to == [stale_expert.email])
    assert expert_mail.subject == "Is your profile on the UNCAC expert roster still current?"
    link = re.search(r"/expert/confirm/\S+/", expert_mail.body).group(0)
    token = link.split("/")[3]
    assert confirmation_token_check(token=token).expert == stale_expert
    focal_mail = next(message for message in mail.outbox if message.to == [cast.owner.email])
    assert f"/nominations/{stale_expert.pk}/" in focal_mail.body
    stale_expert.refresh_from_db()
    assert stale_expert.last_reminder_at == NOW
    assert AuditEvent.objects.filter(action="expert.update_reminder", target_id=str(stale_expert.pk)).count() == 1


def test_the_other_states_focal_point_hears_nothing(cast, stale_expert, django_capture_on_commit_callbacks):
    _run(django_capture_on_commit_callbacks)
    assert all(cast.focal_point_other_state.email not in message.to for message in mail.outbox)


def test_one_mail_per_focal_point_lists_all_their_stale_experts(cast, django_capture_on_commit_callbacks):
    experts = [ExpertFactory(last_confirmed_at=days_ago(400)) for _ in range(3)]
    run = _run(django_capture_on_commit_callbacks)
    assert run.focal_point_mails == 2
    owner_mails = [message for message in mail.outbox if message.to == [cast.owner.email]]
    assert len(owner_mails) == 1
    for expert in experts:
        assert f"/nominations/{expert.pk}/" in owner_mails[0].body


def test_reminders_go_at_most_once_per_interval(cast, stale_expert, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_REMINDER_INTERVAL_DAYS = 30
    _run(django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = expert_update_reminders_send(now=NOW + timedelta(days=29))
    assert again.reminded == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        later = expert_update_reminders_send(now=NOW + timedelta(days=30))
    assert later.reminded == [stale_expert]
    assert AuditEvent.objects.filter(action="expert.update_reminder").count() == 2


def test_only_active_unerased_profiles_are_reminded(cast, django_capture_on_commit_callbacks):
    for status in [Expert.Status.DRAFT, Expert.Status.SUBMITTED, Expert.Status.INACTIVE, Expert.Status.WITHDRAWN]:
        ExpertFactory(status=status, last_confirmed_at=days_ago(400))
    ExpertFactory(last_confirmed_at=days_ago(400), erased_at=days_ago(1))
    assert _run(django_capture_on_commit_callbacks).reminded == []
    assert mail.outbox == []


def test_a_reminded_profile_stale_past_the_grace_period_becomes_inactive(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.ROSTER_STALE_AFTER_DAYS = 365
    settings.ROSTER_STALE_GRACE_DAYS = 90
    reminded = ExpertFactory(last_confirmed_at=days_ago(365 + 91), last_reminder_at=days_ago(80))
    within_grace = ExpertFactory(last_confirmed_at=days_ago(365 + 89), last_reminder_at=days_ago(80))
    run = _run(django_capture_on_commit_callbacks)
    assert run.deactivated == [reminded]
    reminded.refresh_from_db()
    within_grace.refresh_from_db()
    assert reminded.status == Expert.Status.INACTIVE and reminded.version == 2
    assert within_grace.status == Expert.Status.ACTIVE
    event = AuditEvent.objects.get(action="expert.deactivate_stale")
    assert event.target_id == str(reminded.pk) and event.details["by"] == "send_update_reminders"
    # the retired one is not reminded again; the one still within grace is
    assert run.reminded == [within_grace]


def test_nobody_is_retired_without_a_reminder_first(cast, django_capture_on_commit_callbacks):
    never_told = ExpertFactory(last_confirmed_at=days_ago(900), last_reminder_at=None)
    told_before_it_was_stale = ExpertFactory(last_confirmed_at=days_ago(900), last_reminder_at=days_ago(800))
    run = _run(django_capture_on_commit_callbacks)
    assert run.deactivated == []
    assert set(run.reminded) == {never_told, told_before_it_was_stale}
    with django_capture_on_commit_callbacks(execute=True):
        next_day = expert_update_reminders_send(now=NOW + timedelta(days=1))
    assert set(next_day.deactivated) == {never_told, told_before_it_was_stale}


def test_confirming_from_the_reminder_makes_the_profile_current(cast, stale_expert, django_capture_on_commit_callbacks):
    _run(django_capture_on_commit_callbacks)
    expert_mail = next(message for message in mail.outbox if message.to == [stale_expert.email])
    client = Client()
    client.get(re.search(r"/expert/confirm/\S+/", expert_mail.body).group(0))
    client.post("/expert/profile/consent/", {"consent": "on"})
    assert stale_expert not in expert_stale()


def test_dry_run_writes_and_sends_nothing(cast, stale_expert, django_capture_on_commit_callbacks):
    ExpertFactory(last_confirmed_at=days_ago(900), last_reminder_at=days_ago(100))
    run = _run(django_capture_on_commit_callbacks, dry_run=True)
    assert len(run.reminded) == 1 and len(run.deactivated) == 1
    assert mail.outbox == []
    assert not AuditEvent.objects.exists()
    assert Expert.objects.filter(status=Expert.Status.ACTIVE).count() == 2
    stale_expert.refresh_from_db()
    assert stale_expert.last_reminder_at is None and stale_expert.confirmation_requested_at is None


def test_command_prints_what_it_did_without_names(cast, capsys, django_capture_on_commit_callbacks):
    expert = ExpertFactory(last_confirmed_at=datetime(2000, 1, 1, tzinfo=UTC), given_name="Zebedee")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_update_reminders")
    out = capsys.readouterr().out
    assert f"reminded: expert {expert.pk} (KEN)" in out
    assert "Reminded 1 expert(s); 2 focal point(s) informed." in out
    assert "Zebedee" not in out
    assert len(mail.outbox) == 3


def test_command_dry_run_says_so(cast, capsys):
    ExpertFactory(last_confirmed_at=datetime(2000, 1, 1, tzinfo=UTC))
    call_command("send_update_reminders", "--dry-run")
    out = capsys.readouterr().out
    assert "Would remind 1 expert(s)" in out and "Dry run: nothing was written or sent." in out
    assert not AuditEvent.objects.exists()


def test_a_state_without_focal_points_still_reminds_the_expert(db, django_capture_on_commit_callbacks):
    FocalPointFactory(state=country("FRA"))
    expert = ExpertFactory(last_confirmed_at=days_ago(400))
    run = _run(django_capture_on_commit_callbacks)
    assert run.reminded == [expert] and run.focal_point_mails == 0
    assert [message.to for message in mail.outbox] == [[expert.email]]
