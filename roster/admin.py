"""The secretariat's view of the roster in the restricted admin.

Records are read-only here: every change goes through the services (validate, request changes,
reject), which check the transition, bump the version and write the audit trail. Opening a full
record is audited too.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.admin_import import CsvImportAdmin
from accounts.models import User
from accounts.tokens import Purpose
from portal.admin_site import ReadOnlyAdminMixin, WrittenListMixin, WrittenRecordMixin
from portal.csv_export import csv_lines
from portal.formats import shown_date
from portal.history import HistoryChangesAdmin
from portal.pagination import DeferredJoinPaginator
from reference.models import Country
from roster import services
from roster.duplicates import expert_possible_duplicates_of
from roster.filters import expert_name_match
from roster.forms import DecisionMessageForm
from roster.history import expert_parts_changes
from roster.imports import COLUMNS as IMPORT_COLUMNS
from roster.imports import OPTIONAL_COLUMNS as IMPORT_OPTIONAL_COLUMNS
from roster.imports import ImportResult, expert_import
from roster.models import (
    EXPERT_HISTORY,
    Education,
    Employment,
    Expert,
    ExpertArticle,
    ExpertLanguage,
    ExpertSearchText,
)
from roster.record_access import record_justification_held, record_reached_from_workspace


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class ExpertLanguageInline(ReadOnlyInline):
    model = ExpertLanguage
    fields = ["language", "level"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExpertLanguage]:
        return super().get_queryset(request).select_related("language")


class ExpertArticleInline(ReadOnlyInline):
    model = ExpertArticle
    fields = ["article", "level"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExpertArticle]:
        return super().get_queryset(request).select_related("article")


class EmploymentInline(ReadOnlyInline):
    model = Employment
    fields = ["employer", "position", "start_year", "end_year"]


class EducationInline(ReadOnlyInline):
    model = Education
    fields = ["institution", "degree", "field_of_study", "year"]


def _version_field(pk: int) -> str:
    return f"version_{pk}"


def _version_reviewed(request: HttpRequest, pk: int) -> int:
    """The version of an expert the page that posted the decision showed; 0, never stored, when it names none."""
    posted = request.POST.get(_version_field(pk), "")
    return int(posted) if posted.isascii() and posted.isdigit() else 0


class NominatingStateFilter(admin.SimpleListFilter):
    """One field to type a State's name or code in, with suggestions, instead of a list of some 190 links."""

    title = _("nominating State")
    parameter_name = "state"
    template = "admin/roster/state_filter.html"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(state.iso3, state.display_name) for state in Country.objects.all()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Expert]) -> QuerySet[Expert]:
        typed = (self.value() or "").strip()
        if not typed:
            return queryset
        # The suggestions are in the reader's language; a name typed in any of the three is understood.
        named = Q(name__iexact=typed) | Q(name_fr__iexact=typed) | Q(name_es__iexact=typed)
        state = Country.objects.filter(Q(iso3__iexact=typed) | named).first()
        # A name that matches no State shows no expert, rather than every expert as if unfiltered.
        return queryset.filter(nominating_state=state) if state is not None else queryset.none()

    def choices(self, changelist) -> list[dict]:
        kept = {key: value for key, value in changelist.params.items() if key != self.parameter_name}
        return [{"value": self.value() or "", "kept": sorted(kept.items()), "states": self.lookup_choices}]


@admin.register(Expert)
class ExpertAdmin(WrittenListMixin, WrittenRecordMixin, CsvImportAdmin, ReadOnlyAdminMixin, HistoryChangesAdmin):
    history_records = EXPERT_HISTORY
    import_purpose = Purpose.EXPERTS_IMPORT
    import_title = _("Import experts")
    import_permission = "roster.add_expert"
    import_columns = IMPORT_COLUMNS
    import_optional_columns = IMPORT_OPTIONAL_COLUMNS
    import_template_file_name = "experts-import-template.csv"
    import_preview_rows_template = "admin/roster/expert/import_preview_rows.html"
    # Eight columns fit a 1280 px screen in French beside the menu and the filters
    # (tests/e2e/test_admin_experts_list_width.py): status, pending changes and the version the page shows share
    # one column, and the dates are days.
    list_display = [
        "family_name_shown",
        "given_name_shown",
        "status_shown",
        "consent",
        "nominating_state",
        "nationality",
        "last_confirmed_on",
        "updated_on",
    ]
    list_display_links = ["family_name_shown", "given_name_shown"]
    list_filter = [
        "status",
        "revalidation_pending",
        "sector",
        "nominating_state__regional_group",
        NominatingStateFilter,
    ]
    # Matched by get_search_results below, each through an index: names folded, e-mail and identifier whole.
    search_fields = ["name_key", "=email", "external_id"]
    search_help_text = _("Part of a name, or a whole e-mail address or external identifier.")
    list_select_related = ["nominating_state", "nationality"]
    list_per_page = 50
    paginator = DeferredJoinPaginator
    # Django counts the whole roster a second time for "N total" beside the filtered count: 40-70 ms at 100,000
    # experts (issue 13). The page still says how many match.
    show_full_result_count = False
    actions = ["validate", "request_changes", "reject"]
    inlines = [ExpertLanguageInline, ExpertArticleInline, EmploymentInline, EducationInline]
    fieldsets = [
        (_("Decision"), {"fields": ["status", "revalidation_pending", "secretariat_message", "possible_duplicates"]}),
        (
            _("Identity and contact"),
            {
                "fields": [
                    "nominating_state",
                    "nationality",
                    "given_name",
                    "family_name",
                    "gender",
                    "email",
                    "phone",
                    "external_id",
                ]
            },
        ),
        (_("Current post"), {"fields": ["current_position", "employer", "sector", "years_experience", "summary"]}),
        (_("Experience"), {"fields": ["assistance_types", "countries_worked_in", "declared_conflict_states"]}),
        (_("Availability"), {"fields": ["available_from", "available_until", "days_per_year", "remote", "on_site"]}),
        (
            _("CV and consent"),
            {
                "fields": [
                    "cv_download",
                    "cv_text_for_search",
                    "consent_given_at",
                    "consent_text_version",
                    "last_confirmed_at",
                    "erased_at",
                ]
            },
        ),
        (_("Record"), {"fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]
    readonly_fields = ["possible_duplicates", "cv_download", "cv_text_for_search", "created_at", "updated_at"]
    # The expert's own history, followed by the changes of its languages, articles, posts and degrees.
    object_history_template = "roster/admin_expert_history.html"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Expert], search_term: str
    ) -> tuple[QuerySet[Expert], bool]:
        # Django's default ORs UPPER(column) LIKE '%term%' over every field, a full scan of the roster per search.
        for term in search_term.split():
            queryset = queryset.filter(expert_name_match(term) | Q(email__iexact=term) | Q(external_id=term))
        return queryset, False

    def has_decide_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_secretariat", False))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The roster's list is the widest page of the admin: without the menu beside it, its eight columns and
        # the filters fit a 1280 px screen (the breadcrumbs and the header still lead everywhere).
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, expert: Expert) -> str:
        # The version goes with the list's actions, so that each decision names the version this page showed.
        pending = format_html("<br><small>{}</small>", _("changes awaiting validation"))
        return format_html(
            '{}{}<input type="hidden" name="{}" value="{}">',
            expert.get_status_display(),
            pending if expert.revalidation_pending else "",
            _version_field(expert.pk),
            expert.version,
        )

    @admin.display(description=_("last confirmed"), ordering="last_confirmed_at")
    def last_confirmed_on(self, expert: Expert) -> str:
        return shown_date(timezone.localdate(expert.last_confirmed_at)) if expert.last_confirmed_at else "—"

    @admin.display(description=_("last changed"), ordering="updated_at")
    def updated_on(self, expert: Expert) -> str:
        return shown_date(timezone.localdate(expert.updated_at))

    @admin.display(description=_("family name"), ordering="family_name")
    def family_name_shown(self, expert: Expert) -> str:
        return expert.display_name if expert.erased_at is not None else expert.family_name

    @admin.display(description=_("given name"), ordering="given_name")
    def given_name_shown(self, expert: Expert) -> str:
        return "" if expert.erased_at is not None else expert.given_name

    @admin.display(boolean=True, description=_("consent"), ordering="consent_given_at")
    def consent(self, expert: Expert) -> bool:
        return expert.has_consent

    @admin.display(description=_("CV"))
    def cv_download(self, expert: Expert) -> str:
        if not expert.cv_file:
            return "—"
        link = reverse("roster:expert_cv", args=[expert.pk])
        return format_html('<a href="{}">{}</a>', link, expert.cv_original_name)

    @admin.display(description=_("CV text for the word search"))
    def cv_text_for_search(self, expert: Expert) -> str:
        if not expert.cv_file:
            return "—"
        Read = ExpertSearchText.CvTextStatus
        status = Read(
            ExpertSearchText.objects.filter(expert=expert).values_list("cv_text_status", flat=True).first()
            or Read.NOT_READ
        )
        if status == Read.READ:
            return status.label
        if status == Read.PARTIAL:
            return _("%(status)s. Words further on in the CV are not found by the word search.") % {
                "status": status.label
            }
        unread = _("%(status)s. The CV is kept and opens as usual, but the word search cannot find it by its content.")
        return unread % {"status": status.label}

    @admin.display(description=_("possible duplicates"))
    def possible_duplicates(self, expert: Expert) -> str:
        others = expert_possible_duplicates_of(expert)
        if not others:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">{} ({}, {})</a>',
            (
                (
                    reverse("admin:roster_expert_change", args=[o.pk]),
                    o,
                    o.nominating_state.display_name,
                    o.get_status_display(),
                )
                for o in others
            ),
        )

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Expert | None:
        # The record page reads its expert for the form and again to audit the opening: once per request, with
        # both States and the creator it shows read-only joined (each was a query of its own).
        key = (object_id, from_field)
        held = getattr(request, "_expert_record", None)
        if held is None or held[0] != key:
            field = Expert._meta.pk if from_field is None else Expert._meta.get_field(from_field)
            queryset = self.get_queryset(request).select_related("nominating_state", "nationality", "created_by")
            try:
                expert = queryset.get(**{field.name: field.to_python(object_id)})
            except (Expert.DoesNotExist, ValidationError, ValueError):
                expert = None
            held = request._expert_record = (key, expert)
        return held[1]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        from_workspace = record_reached_from_workspace(request)
        justification = (
            record_justification_held(request, expert_id=int(object_id))
            if from_workspace and object_id.isdigit()
            else None
        )
        if request.method == "GET" and justification is None and from_workspace:
            return TemplateResponse(
                request,
                "roster/admin_record_justification_required.html",
                {
                    **self.admin_site.each_context(request),
                    "title": _("A justification is needed"),
                    "expert_id": int(object_id),
                },
                status=403,
            )
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            expert = self.get_object(request, object_id)
            if expert is not None:
                services.expert_record_opened(expert=expert, by=request.user, justification=justification)
        return response

    def history_view(self, request: HttpRequest, object_id: str, extra_context: dict | None = None) -> HttpResponse:
        parts_changes = expert_parts_changes(expert_id=int(object_id)) if object_id.isdigit() else []
        return super().history_view(request, object_id, {**(extra_context or {}), "parts_changes": parts_changes})

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # A past version is a full record too: opening it is audited like opening the current one.
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if request.method == "GET" and response.status_code == 200:
            expert = self.get_object(request, object_id)
            if expert is not None:
                services.expert_record_opened(expert=expert, by=request.user, version_id=int(version_id))
        return response

    def _decide(self, request: HttpRequest, queryset: QuerySet[Expert], decision: str, message: str = "") -> int:
        """Take DECISION on each expert at the version the page showed; each refusal is reported, the count returned."""
        succeeded = 0
        for expert in queryset:
            version = _version_reviewed(request, expert.pk)
            try:
                DECISIONS[decision].take(expert=expert, by=request.user, version=version, message=message)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, DECISIONS[decision].done % {"count": succeeded}, messages.SUCCESS)
        return succeeded

    def _decision_page(
        self,
        request: HttpRequest,
        experts: list[Expert],
        decision: str,
        form: DecisionMessageForm | None,
        *,
        bulk: bool,
    ) -> TemplateResponse:
        shown = request.GET.get("version", "")
        context = {
            **self.admin_site.each_context(request),
            "title": DECISIONS[decision].title,
            "explanation": DECISIONS[decision].explanation,
            "button": DECISIONS[decision].button,
            "opts": self.model._meta,
            "decision": decision,
            "bulk": bulk,
            "decisions": [
                (
                    expert,
                    _version_field(expert.pk),
                    _version_reviewed(request, expert.pk) or (int(shown) if shown.isdigit() else expert.version),
                )
                for expert in experts
            ],
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "roster/admin_decision.html", context)

    def _decide_with_message(
        self, request: HttpRequest, queryset: QuerySet[Expert], decision: str
    ) -> TemplateResponse | None:
        # The list's first post shows the people concerned and the message field; the second, with "apply",
        # decides: nothing is rejected or sent back without that confirmation and its message.
        form = DecisionMessageForm(request.POST if "apply" in request.POST else None, decision=decision)
        if form.is_valid():
            self._decide(request, queryset, decision, form.cleaned_data["message"])
            return None
        return self._decision_page(
            request, list(queryset.select_related("nominating_state")), decision, form, bulk=True
        )

    @admin.action(description=_("Validate"), permissions=["decide"])
    def validate(self, request: HttpRequest, queryset: QuerySet[Expert]) -> None:
        self._decide(request, queryset, "validate")

    @admin.action(description=_("Reject (with a reason)"), permissions=["decide"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Expert]) -> TemplateResponse | None:
        return self._decide_with_message(request, queryset, "reject")

    @admin.action(description=_("Request changes (with a message)"), permissions=["decide"])
    def request_changes(self, request: HttpRequest, queryset: QuerySet[Expert]) -> TemplateResponse | None:
        return self._decide_with_message(request, queryset, "request_changes")

    def import_run(self, *, csv_text: str, by: User, dry_run: bool) -> ImportResult:
        return expert_import(file=csv_text, by=by, dry_run=dry_run, source="restricted admin upload")

    def get_urls(self) -> list:
        decide = self.admin_site.admin_view(require_http_methods(["GET", "HEAD", "POST"])(self.decide_view))
        export = self.admin_site.admin_view(require_GET(self.export_view))
        return [
            path("<int:pk>/decide/<str:decision>/", decide, name="roster_expert_decide"),
            path("export/", export, name="roster_expert_export"),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered, searched and sorted on the page, as a CSV file; each export is audited."""
        changelist = self.get_changelist_instance(request)
        header, rows = services.expert_list_export(
            experts=changelist.get_queryset(request), by=request.user, filters=dict(changelist.params)
        )
        response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="experts.csv"'
        return response

    def decide_view(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        """A decision taken from the expert's record, one expert at a time; a refused one keeps the typed message."""
        if decision not in DECISIONS or not self.has_decide_permission(request):
            raise Http404
        expert = get_object_or_404(Expert.objects.select_related("nominating_state"), pk=pk)
        form = None
        if decision in DecisionMessageForm.LABELS:
            form = DecisionMessageForm(request.POST if request.method == "POST" else None, decision=decision)
        if request.method == "POST" and (form is None or form.is_valid()):
            message = form.cleaned_data["message"] if form is not None else ""
            taken = self._decide(request, Expert.objects.filter(pk=pk), decision, message)
            if taken or form is None:
                return HttpResponseRedirect(reverse("admin:roster_expert_change", args=[pk]))
        return self._decision_page(request, [expert], decision, form, bulk=False)

    def decisions_open(self, expert: Expert) -> list[str]:
        """The decisions the record page offers for the expert as it stands."""
        pending = expert.status == Expert.Status.SUBMITTED or (
            expert.status == Expert.Status.ACTIVE and expert.revalidation_pending
        )
        offered = ["validate", "request_changes"] if pending else []
        if expert.status in (Expert.Status.SUBMITTED, Expert.Status.CHANGES_REQUESTED):
            offered.append("reject")
        return offered

    def change_form_context(self, request: HttpRequest, expert: Expert) -> dict:
        if not self.has_decide_permission(request):
            return {}
        return {
            "decisions_open": [
                (
                    decision,
                    DECISIONS[decision].button,
                    reverse("admin:roster_expert_decide", args=[expert.pk, decision]),
                )
                for decision in self.decisions_open(expert)
            ]
        }


@dataclass(frozen=True)
class Decision:
    take: Callable[..., Expert]
    title: Promise
    explanation: Promise
    button: Promise
    done: Promise


DECISIONS = {
    "validate": Decision(
        take=lambda *, expert, by, version, message: services.expert_validate(expert=expert, by=by, version=version),
        title=_("Validate a nomination"),
        explanation=_("The expert joins the roster (or the pending changes are accepted); the focal points are told."),
        button=_("Validate"),
        done=_("%(count)d expert(s) validated."),
    ),
    "request_changes": Decision(
        take=services.expert_request_changes,
        title=_("Request changes"),
        explanation=_(
            "The nomination goes back to its State with your message. An active expert with pending changes stays "
            "active."
        ),
        button=_("Request changes"),
        done=_("Changes requested for %(count)d expert(s)."),
    ),
    "reject": Decision(
        take=services.expert_reject,
        title=_("Reject nominations"),
        explanation=_("A rejection is final: the nominating State is told, with your reason, and may nominate again."),
        button=_("Reject"),
        done=_("%(count)d nomination(s) rejected."),
    ),
}
