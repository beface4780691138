"""Technical assistance needs of States, as identified by the Implementation Review Mechanism."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal import erasure
from reference.models import Article, AssistanceType, Country, Language, LanguageLevel

# Kept as a module attribute so that services can write one history row per change, with the
# articles and working languages as they stand after the change, instead of one row per m2m call.
NEED_HISTORY = HistoricalRecords(m2m_fields=["articles", "working_languages"])


class Need(models.Model):
    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Source(models.TextChoices):
        REVIEW_REPORT = "review_report", _("Country review report")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment checklist")
        DIRECT_REQUEST = "direct_request", _("Direct request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SHORTLISTING = "shortlisting", _("Shortlisting experts")
        ADDRESSED = "addressed", _("Addressed")
        CANCELLED = "cancelled", _("Cancelled")

    external_id = models.CharField(
        _("external identifier"),
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Identifier in the secretariat's own records, used by bulk imports."),
    )
    requesting_state = models.ForeignKey(
        Country, verbose_name=_("requesting State"), on_delete=models.PROTECT, related_name="needs"
    )
    articles = models.ManyToManyField(Article, verbose_name=_("UNCAC articles"), related_name="needs")
    assistance_type = models.ForeignKey(
        AssistanceType, verbose_name=_("type of assistance"), on_delete=models.PROTECT, related_name="needs"
    )
    working_languages = models.ManyToManyField(Language, verbose_name=_("working languages"), related_name="needs")
    min_language_level = models.PositiveSmallIntegerField(
        _("minimum level in a working language"),
        choices=LanguageLevel.choices,
        default=LanguageLevel.B2,
        help_text=_("An expert must master one of the working languages at least at this level (CEFR)."),
    )
    priority = models.CharField(_("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.REVIEW_REPORT)
    source_reference = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        help_text=_("Document symbol and paragraph, e.g. CAC/COSP/IRG/I/1/1/Add.1, para. 42."),
    )
    review_cycle = models.PositiveSmallIntegerField(_("review cycle"), default=1)
    remote = models.BooleanField(_("remote assistance is acceptable"), default=True)
    on_site = models.BooleanField(_("on-site assistance is acceptable"), default=True)
    desired_from = models.DateField(_("desired from"), null=True, blank=True)
    desired_until = models.DateField(_("desired until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)

    # Optimistic locking: every accepted change increments it; a save over an older one is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = NEED_HISTORY

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("technical assistance need")
        verbose_name_plural = _("technical assistance needs")
        indexes = [
            # The list pages of a focal point and the matching engine's "open needs" both start here.
            models.Index(fields=["requesting_state", "status"]),
            models.Index(fields=["status", "priority"]),
            models.Index(fields=["assistance_type", "status"]),
            models.Index(fields=["-created_at", "-id"], name="need_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(priority__in=["high", "medium", "low"]), name="need_priority_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=["review_report", "self_assessment", "direct_request"]),
                name="need_source_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "shortlisting", "addressed", "cancelled"]),
                name="need_status_valid",
            ),
            models.CheckConstraint(condition=models.Q(review_cycle__gte=1), name="need_review_cycle_positive"),
            models.CheckConstraint(
                condition=models.Q(min_language_level__gte=1, min_language_level__lte=7),
                name="need_min_language_level_range",
            ),
            models.CheckConstraint(
                condition=models.Q(remote=True) | models.Q(on_site=True),
                name="need_some_modality",
                violation_error_message=_("Accept remote assistance, on-site assistance, or both."),
            ),
            models.CheckConstraint(
                condition=models.Q(desired_until__isnull=True)
                | models.Q(desired_from__isnull=True)
                | models.Q(desired_until__gte=models.F("desired_from")),
                name="need_desired_period_ordered",
                violation_error_message=_("The end of the desired period cannot come before its start."),
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="need_version_positive"),
            models.CheckConstraint(condition=~models.Q(title=""), name="need_title_not_empty"),
        ]

    def __str__(self) -> str:
        return str(self.title)


erasure.exempt(Need, reason="a State's request for technical assistance; it names no expert")
