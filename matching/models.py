"""The matching policy the secretariat edits, and the rankings made with it, kept so that a review can be
reproduced: the policy's parameters, the roster version, who asked and when, and each candidate's explanation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from needs.models import Need
from portal import erasure
from reference.models import LanguageLevel
from roster.models import Expert

WEIGHT = [MinValueValidator(0), MaxValueValidator(100)]


class MatchingPolicy(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(
        _("active"), default=False, help_text=_("The policy every new ranking uses; exactly one is active.")
    )
    weight_expertise = models.FloatField(_("weight of expertise"), default=0.5, validators=WEIGHT)
    weight_assistance_type = models.FloatField(_("weight of the type of assistance"), default=0.15, validators=WEIGHT)
    weight_language = models.FloatField(_("weight of language"), default=0.15, validators=WEIGHT)
    weight_geography = models.FloatField(_("weight of geography"), default=0.1, validators=WEIGHT)
    weight_workload = models.FloatField(_("weight of workload"), default=0.1, validators=WEIGHT)
    same_chapter_credit = models.FloatField(
        _("credit for an article of the same chapter"),
        default=0.25,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of an article's credit given for expertise in another article of its chapter (0 to 1)."),
    )
    min_language_level = models.PositiveSmallIntegerField(
        _("lowest usable language level"),
        choices=LanguageLevel.choices,
        default=LanguageLevel.B2,
        help_text=_(
            "No ranking accepts an expert below this level in the need's working languages; a need may ask for more."
        ),
    )
    k = models.PositiveSmallIntegerField(
        _("places balanced per need"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("The first k places of each ranking are balanced across regional groups."),
    )
    regional_cap = models.PositiveSmallIntegerField(
        _("cap per regional group"),
        default=2,
        validators=[MinValueValidator(1)],
        help_text=_("At most this many of the first k places go to one regional group, when others qualify."),
    )
    exclude_nationals = models.BooleanField(
        _("exclude nationals of the requesting State"),
        default=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["-active", "name"]
        verbose_name = _("matching policy")
        verbose_name_plural = _("matching policies")
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=models.Q(active=True), name="matching_policy_one_active"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    weight_expertise__gte=0,
                    weight_assistance_type__gte=0,
                    weight_language__gte=0,
                    weight_geography__gte=0,
                    weight_workload__gte=0,
                ),
                name="matching_policy_weights_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(same_chapter_credit__gte=0, same_chapter_credit__lte=1),
                name="matching_policy_chapter_credit_share",
            ),
            models.CheckConstraint(
                condition=models.Q(k__gte=1, regional_cap__gte=1), name="matching_policy_places_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_language_level__gte=1, min_language_level__lte=7),
                name="matching_policy_language_level_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.name)


class RankingSnapshot(models.Model):
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="rankings")
    policy = models.ForeignKey(MatchingPolicy, null=True, on_delete=models.SET_NULL, related_name="rankings")
    # The parameters as they were: the policy may be edited afterwards.
    policy_parameters = models.JSONField()
    roster_version = models.PositiveBigIntegerField()
    excluded = models.JSONField(default=dict)
    candidates = models.PositiveIntegerField(default=0)
    regional_mix = models.JSONField(default=dict)
    legal_system_mix = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        indexes = [models.Index(fields=["need", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.need_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class RankedCandidate(models.Model):
    snapshot = models.ForeignKey(RankingSnapshot, on_delete=models.CASCADE, related_name="candidates_ranked")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    components = models.JSONField()
    covered_articles = models.JSONField(default=list)
    missing_articles = models.JSONField(default=list)
    regional_group = models.CharField(max_length=6, blank=True)
    legal_systems = models.JSONField(default=list)

    class Meta:
        ordering = ["snapshot", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "rank"], name="ranked_candidate_rank_once"),
            models.UniqueConstraint(fields=["snapshot", "expert"], name="ranked_candidate_expert_once"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="ranked_candidate_rank_positive"),
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=1), name="ranked_candidate_score_unit"),
        ]
        indexes = [models.Index(fields=["expert", "rank"])]

    def __str__(self) -> str:
        return f"{self.rank}. {self.expert_id} ({self.score:.4f})"


erasure.exempt(MatchingPolicy, reason="parameters of the secretariat's rules; nothing about a person")
erasure.exempt(RankingSnapshot, reason="policy parameters and counts per reason, regional group or legal system")
erasure.exempt(
    RankedCandidate,
    reason="scores, article numbers and the group of the expert's State; the expert row itself is what erasure "
    "anonymises, and the ranking stays consistent with it",
)


class ShortlistEntry(models.Model):
    """An expert the secretariat considers for a need, and how far that has gone.

    Removing an entry keeps the row (with who, when and why), so that the need's history stays readable;
    at most one entry per need and expert is current (not removed) at a time.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONTACTED = "contacted", _("Contacted")
        AVAILABLE = "available", _("Available")
        DECLINED = "declined", _("Declined")
        SELECTED = "selected", _("Selected")
        DEPLOYED = "deployed", _("Deployed")

    class Source(models.TextChoices):
        RANKING = "ranking", _("Ranking")
        ASSIGNMENT = "assignment", _("Assignment run")
        MANUAL = "manual", _("Added by hand")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="shortlist_entries")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="shortlist_entries")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    position = models.PositiveIntegerField(_("position"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.RANKING)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_comment = models.TextField(_("expert's comment"), blank=True, max_length=2000)
    selected_at = models.DateTimeField(_("selected"), null=True, blank=True)
    deployed_from = models.DateField(_("deployed from"), null=True, blank=True)
    deployed_until = models.DateField(_("deployed until"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_reason = models.TextField(_("reason for removal"), blank=True, max_length=2000)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["need", "position", "id"]
        verbose_name = _("shortlist entry")
        verbose_name_plural = _("shortlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "expert"],
                condition=models.Q(removed_at__isnull=True),
                name="shortlist_entry_current_once",
            ),
            models.CheckConstraint(
                condition=models.Q(deployed_until__isnull=True)
                | models.Q(deployed_from__isnull=True)
                | models.Q(deployed_until__gte=models.F("deployed_from")),
                name="shortlist_entry_deployment_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["expert", "status"]),
            models.Index(fields=["status", "deployed_from"]),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} / {self.expert_id} ({self.status})"


# The rows stay, without their free text: who was deployed where is what equitable distribution is judged on,
# and the erased expert row they point to names nobody.
erasure.register(ShortlistEntry, subject="expert", blank={"note": "", "answer_comment": "", "removed_reason": ""})
