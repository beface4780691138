"""One optimistic-locking helper: a write reads its row locked, at the version the person's form was opened on."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from needs.models import Need
from portal.locking import VersionConflict, locked_at_version
from roster.models import Expert
from tests.factories import ExpertFactory, NeedFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("make", [ExpertFactory, NeedFactory], ids=["expert", "need"])
def test_the_row_at_the_stored_version_comes_back_fresh(make):
    record = make()
    type(record).objects.filter(pk=record.pk).update(version=3)
    with transaction.atomic():
        current = locked_at_version(type(record).objects, pk=record.pk, version=3)
    assert current.pk == record.pk and current.version == 3 and current is not record


@pytest.mark.parametrize("make", [ExpertFactory, NeedFactory], ids=["expert", "need"])
def test_a_version_other_than_the_stored_one_is_a_conflict(make):
    record = make()
    with transaction.atomic(), pytest.raises(VersionConflict) as conflict:
        locked_at_version(type(record).objects, pk=record.pk, version=record.version - 1, message="Changed meanwhile.")
    assert conflict.value.code == "stale_version"
    assert conflict.value.messages == ["Changed meanwhile."]


def test_a_writer_holding_no_version_only_locks():
    expert = ExpertFactory()
    Expert.objects.filter(pk=expert.pk).update(version=9)
    with transaction.atomic():
        assert locked_at_version(Expert.objects, pk=expert.pk, version=None).version == 9


def test_the_read_takes_the_row_lock_where_the_database_has_one():
    need = NeedFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked_at_version(Need.objects, pk=need.pk, version=need.version)
    locking = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    # SQLite has no row locks: its write transactions are serialised whole (IMMEDIATE, portal/env.py).
    assert len(locking) == (1 if connection.features.has_select_for_update else 0)


def test_the_conflict_is_a_validation_error_so_forms_can_show_it():
    assert issubclass(VersionConflict, ValidationError)
    assert VersionConflict().messages  # a generic message when the caller names none
