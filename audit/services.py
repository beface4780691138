from typing import Any

from django.db import models

from audit.models import AuditEvent


def audit_record(
    *, actor: Any, action: str, target: models.Model | None = None, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Write the audit row; call inside the transaction of the change it records."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        details=details or {},
    )
