"""One row per write that matters, and per opening of a full expert record by the secretariat."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal import erasure
from portal.formats import shown_moment


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{shown_moment(self.created_at)} {self.action} {self.target_type}:{self.target_id}"


erasure.exempt(
    AuditEvent, reason="who did what and when; expert_erase (roster/personal_data.py) scrubs the rows about the expert"
)
