"""Snapshots of the published figures, the API's clients and their daily quotas."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey, BaseAPIKeyManager

from portal import erasure
from portal.formats import shown_moment


class Measure(models.TextChoices):
    EXPERTS = "experts", _("Experts")
    NEEDS = "needs", _("Needs")
    COVERAGE = "coverage", _("Coverage of open needs")


class StatsSnapshot(models.Model):
    """One refresh of every measure; requests read the newest, so a refresh appears all at once."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("statistics snapshot")

    def __str__(self) -> str:
        return shown_moment(self.created_at)


class StatsCell(models.Model):
    """A cell of a measure: the members matching up to three (dimension, code) pairs.

    Only cells at or above the threshold are stored, less the totals the disclosure audit withholds
    (stats.disclosure.TotalsAudit): a cell that is never published is not kept.
    """

    snapshot = models.ForeignKey(StatsSnapshot, on_delete=models.CASCADE, related_name="cells")
    measure = models.CharField(max_length=16, choices=Measure.choices)
    # Canonical "dimension=code" pairs sorted by dimension and joined by "&"; "" is the whole population.
    cell = models.CharField(max_length=200)
    count = models.PositiveIntegerField()
    # Sum of the members' secret keys: the only input of the cell's rounding besides its count.
    key_sum = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "measure", "cell"], name="stats_cell_once"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}:{self.cell}"


def new_need_key() -> int:
    return secrets.randbelow(256)


class NeedCellKey(models.Model):
    """The secret rounding key of a need, set once when the need is first counted, never shown."""

    need = models.OneToOneField("needs.Need", on_delete=models.CASCADE, primary_key=True, related_name="+")
    key = models.PositiveSmallIntegerField(default=new_need_key)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(key__lte=255), name="need_cell_key_byte")]

    def __str__(self) -> str:
        return f"need {self.need_id}"


class ApiClientManager(BaseAPIKeyManager):
    pass


class ApiClient(AbstractAPIKey):
    """A REST client (donor, researcher, partner); the key itself is stored only as a hash."""

    objects = ApiClientManager()

    daily_cell_quota = models.PositiveIntegerField(_("distinct cells per day"))

    class Meta(AbstractAPIKey.Meta):
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [models.UniqueConstraint(fields=["name"], name="api_client_name_unique")]


class ApiClientDay(models.Model):
    """A client's use on one day; its row is locked while a request charges its cells."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    cells_used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="api_client_day_once")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.day}"


class ApiClientCell(models.Model):
    """A distinct cell a client has been answered on one day: asking it again costs nothing."""

    client_day = models.ForeignKey(ApiClientDay, on_delete=models.CASCADE, related_name="cells")
    measure = models.CharField(max_length=16, choices=Measure.choices)
    cell = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client_day", "measure", "cell"], name="api_client_cell_once"),
        ]

    def __str__(self) -> str:
        return f"{self.measure}:{self.cell}"


erasure.exempt(StatsCell, reason="public codes and counts of at least the threshold; it names no one")
erasure.exempt(ApiClient, reason="a REST client (an organisation) and its key's hash, not an expert")
erasure.exempt(ApiClientCell, reason="public codes of the cells a client was answered on; it names no one")
