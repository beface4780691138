"""Ratings of a deployment: the requesting State's view of the assistance, and the expert's of the assignment."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models import ShortlistEntry
from portal import erasure

SCORES = range(1, 6)


class Rating(models.Model):
    """One side's rating of one deployment (a shortlist entry that reached "deployed"), given once.

    Seen by the secretariat only; the focal points of the State see that their State has rated, not how.
    """

    class Rater(models.TextChoices):
        STATE = "state", _("Requesting State")
        EXPERT = "expert", _("Expert")

    shortlist_entry = models.ForeignKey(
        ShortlistEntry, verbose_name=_("deployment"), on_delete=models.PROTECT, related_name="ratings"
    )
    rater = models.CharField(_("rated by"), max_length=8, choices=Rater.choices)
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORES[0]), MaxValueValidator(SCORES[-1])]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    # The focal point who rated for the State; none when the expert rated through the mailed link.
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        ordering = ["shortlist_entry", "rater"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["shortlist_entry", "rater"], name="rating_once_per_side"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.CheckConstraint(
                condition=models.Q(rater="state", rated_by__isnull=False)
                | models.Q(rater="expert", rated_by__isnull=True),
                name="rating_rater_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shortlist_entry_id} ({self.rater}: {self.score})"


# The score stays (who was deployed, and how it went, is what the secretariat reports on; the erased expert
# it points to names nobody); the comment is prose about or by the person and goes.
erasure.register(Rating, subject="shortlist_entry__expert", blank={"comment": ""})
