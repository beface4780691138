"""The matching policy the secretariat edits, and the rankings made with it, kept so that a review can be
reproduced: the policy's parameters, the roster version, who asked and when, and each candidate's explanation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from needs.models import Need
from portal import erasure
from portal.formats import shown_moment
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
    # The global assignment (assignment runs) reads these besides the weights, filters and cap above.
    places_high_priority = models.PositiveSmallIntegerField(
        _("places per high-priority need"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Experts an assignment run proposes for a high-priority need; empty: the places balanced (k)."),
    )
    places_low_priority = models.PositiveSmallIntegerField(
        _("places per low-priority need"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Experts an assignment run proposes for a low-priority need; empty: the places balanced (k)."),
    )
    expert_capacity = models.PositiveSmallIntegerField(
        _("needs per expert in a run"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_(
            "Needs an assignment run may propose one expert for when the expert states no days per year; stated "
            "days give one need per 20 days, from 1 to 4. Current selections and deployments count against it."
        ),
    )
    own_region_floor = models.BooleanField(
        _("one expert from the requesting State's group"),
        default=False,
        help_text=_("An assignment run proposes at least one expert of the requesting State's regional group."),
    )
    min_legal_systems = models.PositiveSmallIntegerField(
        _("legal systems per need"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("An assignment run proposes experts of at least this many legal systems for each need."),
    )
    regional_share_bands = models.JSONField(
        _("share bands per regional group"),
        default=dict,
        blank=True,
        help_text=_(
            "Across all proposals of an assignment run, the lowest and highest share of each regional group, "
            'for example {"WEOG": [0, 0.3], "AFR": [0.15, 1]}.'
        ),
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
            models.CheckConstraint(
                condition=models.Q(expert_capacity__gte=1, min_legal_systems__gte=1),
                name="matching_policy_run_limits_positive",
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
        return f"{self.need_id} @ {shown_moment(self.created_at)}"


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


class AssignmentPin(models.Model):
    """The secretariat's word on one expert for one need, which every assignment run obeys: always propose the
    expert for the need (force), or never (forbid).

    A run reports a forced pin it cannot honour (the expert does not pass the need's hard filters, has no capacity
    left, the need is full or the expert's group at its cap) instead of breaking a rule for it. Removing a pin keeps
    the row (who removed it and when), as a shortlist entry's removal does, so that the need's history stays
    readable; at most one pin per need and expert is current at a time.
    """

    class Kind(models.TextChoices):
        FORCE = "force", _("Always propose")
        FORBID = "forbid", _("Never propose")

    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="assignment_pins")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignment_pins")
    kind = models.CharField(_("pin"), max_length=6, choices=Kind.choices)
    # Required to forbid (a decision against a person must be justifiable, as a removal from a shortlist is);
    # optional to force, where the ranking's explanation is on the same page.
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("set"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["need", "-created_at", "-id"]
        verbose_name = _("assignment pin")
        verbose_name_plural = _("assignment pins")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "expert"],
                condition=models.Q(removed_at__isnull=True),
                name="assignment_pin_current_once",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=["force", "forbid"]), name="assignment_pin_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(kind="force") | ~models.Q(reason=""), name="assignment_pin_forbid_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} / {self.expert_id} ({self.kind})"


# A pin about an erased person is worth nothing (no run proposes an erased expert), and its reason is prose about
# them: the rows go. The audit rows of its changes stay; they keep no free text.
erasure.register(AssignmentPin, subject="expert", delete=True)


class AssignmentRun(models.Model):
    """One global assignment of experts across needs: its policy and inputs as they were, its progress while a
    background worker solves it, its figures, and the proposals the secretariat then accepts into shortlists."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", _("Failed")

    class Scope(models.TextChoices):
        OPEN = "open", _("Open needs")
        ACTIVE = "active", _("Open needs and needs being shortlisted")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for a background worker")
        ROSTER = "roster", _("Reading the roster")
        SCORING = "scoring", _("Scoring the needs")
        SOLVING = "solving", _("Solving the assignment")
        STORING = "storing", _("Storing the proposals")
        DONE = "done", _("Done")

    policy = models.ForeignKey(MatchingPolicy, null=True, on_delete=models.SET_NULL, related_name="assignment_runs")
    # The parameters as they were: the policy may be edited afterwards.
    policy_parameters = models.JSONField(default=dict)
    scope = models.CharField(_("needs"), max_length=8, choices=Scope.choices, default=Scope.OPEN)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices, default=Stage.WAITING)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # The roster version the scores were computed on; set when the run starts reading.
    roster_version = models.PositiveBigIntegerField(null=True, blank=True)
    figures = models.JSONField(default=dict)
    # What went wrong, as the exception's class: a message could quote data, the worker's log has the rest.
    error = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    # When the worker last wrote its progress (or took the run): a running run silent for longer than
    # ASSIGNMENT_RUN_STALE_MINUTES has lost its worker, and is marked failed (matching.runs).
    progressed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="assignment_run_progress_percent"),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "running", "finished", "failed"]),
                name="assignment_run_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.status})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class AssignmentRunNeed(models.Model):
    """A need a run considered: its version then, the places asked, what was filled, why the rest was not, and
    whether the secretariat accepted the proposals into its shortlist."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="run_needs")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    need_version = models.PositiveIntegerField()
    places = models.PositiveSmallIntegerField()
    filled = models.PositiveSmallIntegerField(default=0)
    # The engine's reason code for places left unfilled ("" when all were filled).
    unfilled_reason = models.CharField(max_length=40, blank=True)
    # Rules the engine could not meet for this need although its candidates allowed it (codes).
    unmet_rules = models.JSONField(default=list)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["run", "need"]
        constraints = [
            models.UniqueConstraint(fields=["run", "need"], name="assignment_run_need_once"),
            models.CheckConstraint(condition=models.Q(filled__lte=models.F("places")), name="assignment_run_need_fill"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} / {self.need_id}: {self.filled}/{self.places}"

    @property
    def unfilled(self) -> int:
        return self.places - self.filled


class AssignmentProposal(models.Model):
    """An expert a run proposes for a need, with the expert's version then (a changed profile is not accepted
    unseen) and the ranking's score of the pair."""

    run_need = models.ForeignKey(AssignmentRunNeed, on_delete=models.CASCADE, related_name="proposals")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    expert_version = models.PositiveIntegerField()
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    regional_group = models.CharField(max_length=6, blank=True)
    # Proposed because the secretariat pinned the expert to the need (forced), not chosen by the solver.
    pinned = models.BooleanField(default=False)

    class Meta:
        ordering = ["run_need", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["run_need", "rank"], name="assignment_proposal_rank_once"),
            models.UniqueConstraint(fields=["run_need", "expert"], name="assignment_proposal_expert_once"),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="assignment_proposal_rank_positive"),
            models.CheckConstraint(
                condition=models.Q(score__gt=0, score__lte=1), name="assignment_proposal_score_unit"
            ),
        ]
        indexes = [models.Index(fields=["expert"])]

    def __str__(self) -> str:
        return f"{self.rank}. {self.expert_id} ({self.score:.4f})"


class AssignmentRunPin(models.Model):
    """A pin as a run read it, and what became of it: part of the run's inputs, so that the run can be reproduced,
    and the reason a forced pin was not honoured."""

    run = models.ForeignKey(AssignmentRun, on_delete=models.CASCADE, related_name="run_pins")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=6, choices=AssignmentPin.Kind.choices)
    # "" when the run obeyed the pin; otherwise the reason code of a forced pin it could not honour
    # (matching.runs.PIN_OUTCOMES).
    outcome = models.CharField(max_length=24, blank=True)

    class Meta:
        ordering = ["run", "need", "expert"]
        constraints = [models.UniqueConstraint(fields=["run", "need", "expert"], name="assignment_run_pin_once")]

    def __str__(self) -> str:
        return f"{self.run_id} / {self.need_id} / {self.expert_id} ({self.kind})"

    @property
    def honoured(self) -> bool:
        return not self.outcome


erasure.exempt(
    AssignmentRunPin, reason="a need, an expert and a reason code; the expert row itself is what erasure anonymises"
)
erasure.exempt(
    AssignmentRun, reason="policy parameters, counts and figures, and an exception's class name; nobody's data"
)
erasure.exempt(AssignmentRunNeed, reason="a need's places and a reason code; it names no expert")
erasure.exempt(
    AssignmentProposal,
    reason="a score and the group of the expert's State; the expert row itself is what erasure anonymises",
)
