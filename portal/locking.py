"""Optimistic locking: a save made from a form opened on an older version is refused, not applied over a newer one.

Every versioned record (experts, needs) is read for a write through `locked_at_version`: the row is locked
until the transaction ends (PostgreSQL's SELECT ... FOR UPDATE; SQLite's write transactions are serialised
as a whole), so the version compared is the one the write will replace.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class VersionConflict(ValidationError):
    """The stored version is not the one the person's form was opened on; nothing was saved."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("Someone else changed this record after you opened it; nothing was saved."),
            code="stale_version",
        )


def locked_at_version[Versioned: models.Model](
    queryset: models.QuerySet[Versioned], *, pk: int, version: int | None, message: str | None = None
) -> Versioned:
    """The row, fresh and locked until the transaction ends; VersionConflict when it is past `version`.

    `version` None is for a writer that holds no version (a command, an import): the row is only locked.
    Call inside the transaction that writes.
    """
    current = queryset.select_for_update().get(pk=pk)
    if version is not None and current.version != version:
        raise VersionConflict(message)
    return current
