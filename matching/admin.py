"""The matching policy in the restricted admin: every save goes through matching_policy_save (audited, one active
policy); rankings are shown read-only, as they were made."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from matching.models import MatchingPolicy, RankedCandidate, RankingSnapshot
from matching.services import POLICY_FIELDS, matching_policy_activate, matching_policy_check, matching_policy_save
from portal.admin_site import ReadOnlyAdminMixin


class MatchingPolicyForm(forms.ModelForm):
    class Meta:
        model = MatchingPolicy
        # Which policy is active changes only through the "activate" action, so that one always is.
        fields = [name for name in POLICY_FIELDS if name != "active"]

    def _post_clean(self) -> None:
        # After the model form has copied the typed values onto the instance: the rules read the whole policy.
        super()._post_clean()
        try:
            matching_policy_check(policy=self.instance)
        except ValidationError as error:
            self._update_errors(error)


@admin.register(MatchingPolicy)
class MatchingPolicyAdmin(admin.ModelAdmin):
    form = MatchingPolicyForm
    list_display = ["name", "active", "weight_expertise", "k", "regional_cap", "exclude_nationals", "updated_at"]
    readonly_fields = ["active", "version", "updated_at"]
    actions = ["activate"]
    fieldsets = [
        (None, {"fields": ["name", "active", "version", "updated_at"]}),
        (
            _("Weights"),
            {
                "fields": [
                    "weight_expertise",
                    "weight_assistance_type",
                    "weight_language",
                    "weight_geography",
                    "weight_workload",
                    "same_chapter_credit",
                ]
            },
        ),
        (_("Filters and balance"), {"fields": ["min_language_level", "exclude_nationals", "k", "regional_cap"]}),
        (
            _("Assignment runs"),
            {
                "fields": [
                    "places_high_priority",
                    "places_low_priority",
                    "expert_capacity",
                    "own_region_floor",
                    "min_legal_systems",
                    "regional_share_bands",
                ]
            },
        ),
    ]

    @admin.action(description=_("Make the selected policy the active one"))
    def activate(self, request: HttpRequest, queryset: QuerySet[MatchingPolicy]) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one policy to activate."), messages.ERROR)
            return
        policy = matching_policy_activate(policy=queryset.get(), by=request.user)
        self.message_user(request, _("“%(name)s” is now the active policy.") % {"name": policy.name})

    def save_model(self, request: HttpRequest, obj: MatchingPolicy, form: forms.ModelForm, change: bool) -> None:
        matching_policy_save(policy=obj, by=request.user)

    # A policy stays, as the rankings made with it refer to it; another one is activated instead.
    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RankedCandidateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = RankedCandidate
    fields = ["rank", "expert", "score", "components", "covered_articles", "missing_articles", "regional_group"]
    raw_id_fields = ["expert"]
    extra = 0


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["need", "policy", "roster_version", "candidates", "created_at", "created_by"]
    list_select_related = ["need", "policy", "created_by"]
    inlines = [RankedCandidateInline]


# The background worker's own rows (arguments, tracebacks) are for operators, not the secretariat: a run's page says
# what the run did. django-tasks-db registers them on the default site, which is the secretariat's.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
