from typing import Any

from django.db import models

from audit.actions import AuditAction
from audit.models import AuditEvent


def audit_record(
    *, actor: Any, action: AuditAction, target: models.Model | None = None, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Write the audit row; call inside the transaction of the change it records."""
    # A free string would let a typo start a new, unsearchable action in the trail.
    if not isinstance(action, AuditAction):
        raise ValueError(f"Unknown audit action {action!r}: name it in audit.actions.AuditAction.")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action.value,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details or {},
    )
