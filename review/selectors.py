"""Reads of the review workspace: one need's ranking, shortlist, mix and history, in a fixed number of queries.

Only the secretariat reviews needs: a ranking and a shortlist name people of every State. Each read here costs a
constant number of queries whatever the roster's size: the ranking is read from its snapshot (at most
REVIEW_TOP rows), never recomputed on a page view unless the need has none yet.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import django_filters
from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OneTimeToken, User
from audit.actions import AuditAction
from audit.models import AuditEvent
from matching import engine
from matching.models import AssignmentPin, MatchingPolicy, RankedCandidate, RankingSnapshot, ShortlistEntry
from matching.services import matching_policy_active
from matching.shortlists import TRANSITIONS
from needs.models import Need
from portal.access import secretariat_only
from portal.filters import StrictFilterSet
from reference.models import Country, Language, LegalSystem, RegionalGroup
from reference.names import localized_column
from roster.models import ExpertLanguage

# The ranking's length on the review page: enough to shortlist from, small enough to read at a glance.
REVIEW_TOP = 50
HISTORY_ROWS = 200
ENTRY_TARGET = ShortlistEntry._meta.label_lower
NEED_TARGET = Need._meta.label_lower
PIN_TARGET = AssignmentPin._meta.label_lower

Status = ShortlistEntry.Status


def review_need_get(*, user: User, need_id: int) -> Need:
    secretariat_only(user)
    return get_object_or_404(Need.objects.select_related("requesting_state", "assistance_type"), pk=need_id)


def review_need_list(*, user: User) -> QuerySet[Need]:
    """The needs the secretariat shortlists for, the ones being shortlisted first."""
    secretariat_only(user)
    return (
        Need.objects.filter(status__in=[Need.Status.SHORTLISTING, Need.Status.OPEN])
        .select_related("requesting_state")
        .annotate(
            shortlisted=Count("shortlist_entries", filter=Q(shortlist_entries__removed_at__isnull=True), distinct=True)
        )
        .order_by("-status", "-priority", "title", "pk")
    )


def ranking_latest(*, need: Need, policy: MatchingPolicy | None = None) -> RankingSnapshot | None:
    rankings = RankingSnapshot.objects.filter(need=need).select_related("policy", "created_by")
    if policy is not None:
        rankings = rankings.filter(policy=policy)
    return rankings.order_by("-created_at", "-id").first()


AVAILABILITY_CHOICES = [
    ("now", _("Available today")),
    ("remote", _("Works remotely")),
    ("on_site", _("Travels on site")),
]


class CandidateFilter(StrictFilterSet):
    regional_group = django_filters.ChoiceFilter(label=_("Regional group"), choices=RegionalGroup.choices)
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), queryset=Language.objects.all(), method="filter_language", to_field_name="code"
    )
    availability = django_filters.ChoiceFilter(
        label=_("Availability"), choices=AVAILABILITY_CHOICES, method="filter_availability"
    )

    class Meta:
        model = RankedCandidate
        fields = ["regional_group", "language", "availability"]

    def filter_language(self, queryset: QuerySet, name: str, value: Language) -> QuerySet:
        return queryset.filter(
            Exists(ExpertLanguage.objects.filter(expert_id=OuterRef("expert_id"), language_id=value.code))
        )

    def filter_availability(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "remote":
            return queryset.filter(expert__remote=True)
        if value == "on_site":
            return queryset.filter(expert__on_site=True)
        today = timezone.localdate()
        return queryset.filter(
            Q(expert__available_from__isnull=True) | Q(expert__available_from__lte=today),
            Q(expert__available_until__isnull=True) | Q(expert__available_until__gte=today),
        )


CANDIDATE_FIELDS = (
    *(field.name for field in RankedCandidate._meta.concrete_fields),
    *(f"expert__{name}" for name in ("given_name", "family_name", "erased_at")),
    *(f"expert__nationality__{localized_column('name', code)}" for code, _name in settings.LANGUAGES),
)


def ranking_candidates(
    *, snapshot: RankingSnapshot, filters: Mapping[str, str] | None = None
) -> tuple[CandidateFilter, list[RankedCandidate]]:
    """The snapshot's candidates in rank order (at most REVIEW_TOP), narrowed by the page's filters."""
    # The page shows a candidate's name and State, never the rest of the expert's row.
    queryset = (
        RankedCandidate.objects.filter(snapshot=snapshot)
        .select_related("expert", "expert__nationality")
        .only(*CANDIDATE_FIELDS)
    )
    candidate_filter = CandidateFilter(filters or {}, queryset=queryset)
    return candidate_filter, list(candidate_filter.qs.order_by("rank")[:REVIEW_TOP])


@dataclass
class MixRow:
    code: str
    label: str
    count: int
    cap: int | None = None

    @property
    def over_cap(self) -> bool:
        return self.cap is not None and self.count > self.cap


@dataclass
class EntryRow:
    entry: ShortlistEntry
    regional_group: str
    legal_systems: list[str]
    next_statuses: list[tuple[str, str]]
    last_mail_at: datetime | None = None
    link_expires_at: datetime | None = None
    reminders: int = 0

    @property
    def silent_days(self) -> int | None:
        """Days since the expert was asked without answering; None once answered (or never asked)."""
        entry = self.entry
        if entry.status != Status.CONTACTED or entry.contacted_at is None:
            return None
        return (timezone.now() - entry.contacted_at).days


@dataclass
class Shortlist:
    rows: list[EntryRow]
    regional_mix: list[MixRow]
    legal_system_mix: list[MixRow]
    policy: MatchingPolicy
    expert_ids: set[int] = field(default_factory=set)
    # Every entry the need has had, removed ones included: entry id -> (expert id, name as the history shows it).
    names: dict[int, tuple[int, str]] = field(default_factory=dict)


def _next_statuses(entry: ShortlistEntry) -> list[tuple[str, str]]:
    return [(status.value, status.label) for status in Status if status in TRANSITIONS[entry.status]]


def shortlist_review(
    *, user: User, need: Need, policy: MatchingPolicy | None = None, now: datetime | None = None
) -> Shortlist:
    """The need's current shortlist with each entry's group, legal systems, mails and reminders, and its mix
    against the cap per regional group of `policy` (the active one by default; five queries, six without it)."""
    secretariat_only(user)
    # Removed entries too, for the history's names; the page lists the current ones.
    every_entry = list(
        ShortlistEntry.objects.filter(need=need)
        .select_related("expert", "expert__nationality")
        .order_by("position", "id")
    )
    entries = [entry for entry in every_entry if entry.removed_at is None]
    ids = [entry.pk for entry in entries]
    countries = {entry.expert.nationality_id for entry in entries}
    legal: dict[str, list[str]] = {}
    for iso3, code in Country.legal_systems.through.objects.filter(country_id__in=countries).values_list(
        "country_id", "legalsystem_id"
    ):
        legal.setdefault(iso3, []).append(code)
    tokens: dict[int, OneTimeToken] = {}
    for token in OneTimeToken.objects.filter(
        purpose=OneTimeToken.Purpose.AVAILABILITY_ANSWER, subject_id__in=ids
    ).order_by("created_at", "pk"):
        tokens[token.subject_id] = token  # the newest wins
    reminders = dict(
        AuditEvent.objects.filter(
            target_type=ENTRY_TARGET,
            target_id__in=[str(pk) for pk in ids],
            action=AuditAction.SHORTLIST_AVAILABILITY_REMINDER,
        )
        .order_by()
        .values_list("target_id")
        .annotate(n=Count("id"))
    )
    rows = []
    for entry in entries:
        token = tokens.get(entry.pk)
        rows.append(
            EntryRow(
                entry=entry,
                regional_group=entry.expert.nationality.regional_group,
                legal_systems=sorted(legal.get(entry.expert.nationality_id, [])),
                next_statuses=_next_statuses(entry),
                last_mail_at=token.created_at if token else None,
                link_expires_at=token.expires_at if token and token.used_at is None else None,
                reminders=reminders.get(str(entry.pk), 0),
            )
        )
    policy = policy or matching_policy_active()
    return Shortlist(
        rows=rows,
        regional_mix=_regional_mix(rows, cap=policy.regional_cap),
        legal_system_mix=_legal_system_mix(rows),
        policy=policy,
        expert_ids={entry.expert_id for entry in entries},
        names={
            entry.pk: (entry.expert_id, f"{entry.expert.given_name} {entry.expert.family_name}")
            for entry in every_entry
        },
    )


def _regional_mix(rows: list[EntryRow], *, cap: int) -> list[MixRow]:
    counts = Counter(row.regional_group for row in rows)
    labels = dict(RegionalGroup.choices)
    mix = [MixRow(code, str(labels[code]), counts.get(code, 0), cap) for code in engine.REGIONAL_GROUPS if code]
    if counts.get(""):
        mix.append(MixRow("", str(_("No regional group")), counts[""], None))
    return mix


def _legal_system_mix(rows: list[EntryRow]) -> list[MixRow]:
    counts = Counter(code for row in rows for code in row.legal_systems)
    names = dict(LegalSystem.objects.values_list("code", "name"))
    return [MixRow(code, names.get(code, code), counts.get(code, 0)) for code in sorted(names)]


@dataclass
class Pins:
    """The need's pins for assignment runs: the current ones (newest first) and each expert's, and every pin it has
    had (removed ones included), for the history's names."""

    current: list[AssignmentPin]
    by_expert: dict[int, AssignmentPin]
    names: dict[int, tuple[int, str]]


def assignment_pins_review(*, user: User, need: Need) -> Pins:
    """The need's pins with their experts and authors (one query)."""
    secretariat_only(user)
    every_pin = list(
        AssignmentPin.objects.filter(need=need)
        .select_related("expert", "expert__nationality", "created_by")
        .order_by("-created_at", "-id")
    )
    current = [pin for pin in every_pin if pin.removed_at is None]
    return Pins(
        current=current,
        by_expert={pin.expert_id: pin for pin in current},
        names={pin.pk: (pin.expert_id, pin.expert.display_name) for pin in every_pin},
    )


def shortlist_history(
    *, user: User, need: Need, shortlist: Shortlist, pins: Pins | None = None
) -> tuple[list[AuditEvent], dict[int, str]]:
    """Every audit row about the need's shortlist (removed entries included), its pins, rankings and exports,
    newest first; with the names of the experts those rows are about, from the shortlist and pins already read (one
    query)."""
    secretariat_only(user)
    pin_names = pins.names if pins is not None else {}
    events = list(
        AuditEvent.objects.filter(
            Q(target_type=ENTRY_TARGET, target_id__in=[str(pk) for pk in shortlist.names])
            | Q(target_type=PIN_TARGET, target_id__in=[str(pk) for pk in pin_names])
            | Q(
                target_type=NEED_TARGET,
                target_id=str(need.pk),
                action__in=[AuditAction.NEED_RANK, AuditAction.SHORTLIST_EXPORT],
            )
        )
        .select_related("actor")
        .order_by("-created_at", "-id")[:HISTORY_ROWS]
    )
    return events, dict(pin_names.values()) | dict(shortlist.names.values())


def availability_silences(*, older_than: timedelta, now: datetime | None = None) -> QuerySet[ShortlistEntry]:
    """Entries whose expert was asked and has not answered, with the newest mail older than `older_than`."""
    since = (now or timezone.now()) - older_than
    newest_mail = (
        OneTimeToken.objects.filter(purpose=OneTimeToken.Purpose.AVAILABILITY_ANSWER, subject_id=OuterRef("pk"))
        .order_by()
        .values("subject_id")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return (
        ShortlistEntry.objects.filter(status=Status.CONTACTED, removed_at__isnull=True, answered_at__isnull=True)
        .annotate(last_mail=newest_mail)
        .filter(Q(last_mail__lte=since) | Q(last_mail__isnull=True, contacted_at__lte=since))
        .select_related("expert", "need")
        .order_by("pk")
    )


def review_policies(*, user: User) -> tuple[MatchingPolicy, list[MatchingPolicy]]:
    """The active policy, whose ranking the page shows, and every policy to compare it with (one query)."""
    secretariat_only(user)
    policies = list(MatchingPolicy.objects.order_by("-active", "name"))
    active = policies[0] if policies and policies[0].active else matching_policy_active()
    return active, policies
