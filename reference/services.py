"""The one write on reference data outside migrations: a State's UNCAC status changes when it signs or joins."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.actions import AuditAction
from audit.services import audit_record
from reference.models import Country, UncacStatus


def country_status_check(*, status: str | None, date: datetime.date | None) -> None:
    """A status from the list, dated unless the State has neither signed nor joined."""
    if status not in UncacStatus.values:
        raise ValidationError({"uncac_status": _("Choose a UNCAC status from the list.")})
    if status == UncacStatus.NONE and date is not None:
        raise ValidationError({"uncac_status_date": _("A State that has neither signed nor joined has no date.")})
    if status != UncacStatus.NONE and date is None:
        raise ValidationError(
            {"uncac_status_date": _("Give the day it signed, or for a party the day its instrument was deposited.")}
        )


@transaction.atomic
def country_status_update(
    *, by: AbstractBaseUser, country: Country, status: str, date: datetime.date | None
) -> Country:
    """Record a State's new UNCAC status and its date, as the depositary notified them."""
    if not getattr(by, "is_secretariat", False):
        raise PermissionDenied
    country_status_check(status=status, date=date)
    current = Country.objects.select_for_update().get(pk=country.pk)
    changes = {
        name: [None if old is None else str(old), None if new is None else str(new)]
        for name, old, new in (
            ("uncac_status", current.uncac_status, status),
            ("uncac_status_date", current.uncac_status_date, date),
        )
        if old != new
    }
    if changes:
        current.uncac_status = status
        current.uncac_status_date = date
        current.save(update_fields=["uncac_status", "uncac_status_date"])
        audit_record(actor=by, action=AuditAction.COUNTRY_STATUS_UPDATE, target=current, details={"changes": changes})
    return current
