"""The roster's version: a number that every change to an expert (or its languages, articles, conflicts) raises.

Each write service calls roster_version_bump() inside its own transaction, so the new number becomes visible
exactly when the change does. It is called from the services, not from model signals: bulk writes (imports,
seeding) send no signals, and one bump per import is enough.
"""

from django.db.models import F

from roster.models import RosterVersion


def roster_version_bump() -> None:
    if not RosterVersion.objects.filter(pk=1).update(value=F("value") + 1):
        # Only a database emptied after its migrations (some test runs) lacks the row.
        RosterVersion.objects.get_or_create(pk=1, defaults={"value": 1})


def roster_version_current() -> int:
    return RosterVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0
