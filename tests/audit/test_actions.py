"""The audit trail speaks a closed vocabulary: every action is named in audit.actions."""

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record


@pytest.mark.django_db
def test_audit_record_refuses_an_action_not_named_in_audit_actions(cast):
    with pytest.raises(ValueError, match="audit.actions"):
        audit_record(actor=cast.secretariat, action="expert.submitt", target=cast.owner)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_audit_record_refuses_a_free_string_even_when_it_spells_a_known_action(cast):
    with pytest.raises(ValueError, match="audit.actions"):
        audit_record(actor=cast.secretariat, action="expert.submit", target=cast.owner)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_audit_record_stores_the_action_as_its_plain_string(cast):
    audit_record(actor=cast.secretariat, action=AuditAction.USER_UPDATE, target=cast.owner)
    stored = AuditEvent.objects.values_list("action", flat=True).get()
    assert stored == "user.update" and type(stored) is str


def test_the_stored_strings_of_existing_actions_are_unchanged():
    # Rows already in the trail are read with these strings; renaming one would orphan them.
    assert {action.value for action in AuditAction} >= {
        "expert.nominate", "expert.update", "expert.submit", "expert.withdraw", "expert.confirm_current",
        "expert.validate", "expert.request_changes", "expert.reject", "expert.view", "expert.cv_download",
        "expert.import", "expert.consent_give", "expert.consent_refuse", "expert.deactivate_stale",
        "expert.update_reminder", "expert.data_export", "expert.erase",
        "need.create", "need.update", "need.status", "need.import",
        "user.invite", "user.update", "user.password_change", "user.password_set",
    }  # fmt: skip


def test_every_action_fits_the_column():
    assert max(len(action.value) for action in AuditAction) <= AuditEvent._meta.get_field("action").max_length
