from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from simple_history.models import HistoricalRecords


@contextmanager
def one_history_row(
    instance: models.Model, *, records: HistoricalRecords, by: models.Model | None, history_type: str
) -> Iterator[None]:
    """Write one history row after the row and its many-to-many sets are saved, not one per save() and set().

    `records` is the model's HistoricalRecords, kept as a module attribute (see NEED_HISTORY, EXPERT_HISTORY).
    """
    instance.skip_history_when_saving = True
    try:
        yield
    finally:
        del instance.skip_history_when_saving
    instance._history_user = by
    records.create_historical_record(instance, history_type)


def history_at_version(instance: models.Model, version: int) -> models.Model | None:
    """The latest history row of `instance` that holds `version` (the optimistic-locking counter)."""
    return instance.history.filter(version=version).order_by("-history_date", "-history_id").first()
