"""The secretariat's pages for assignment runs (workspace_urls.py mounts them behind the restricted admin's gate)."""

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from matching.forms import AssignmentRunAcceptForm, AssignmentRunStartForm
from matching.models import AssignmentRun
from matching.runs import (
    PIN_OUTCOMES,
    STALE_ERROR,
    UNFILLED_REASONS,
    UNMET_RULES,
    assignment_run_accept,
    assignment_run_start,
    assignment_runs_fail_stale,
)
from matching.selectors import assignment_run_get, assignment_run_list, assignment_run_needs, assignment_run_pins

RUNS_PER_PAGE = 25
NEEDS_PER_PAGE = 50


def _percent(share: float | None) -> str:
    return "" if share is None else f"{number_format(round(share * 100, 1), decimal_pos=1)} %"


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, {**admin.site.each_context(request), **context})


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = assignment_run_list(user=request.user)
    # A run whose worker died is shown failed, not running for ever, wherever runs are looked at.
    assignment_runs_fail_stale()
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return _run_list_page(request, page=page, form=AssignmentRunStartForm())


def _run_list_page(request: HttpRequest, *, page, form: AssignmentRunStartForm) -> HttpResponse:
    rows = [
        (run, _percent(run.figures.get("staffed_share")), _percent(run.figures.get("objective_share"))) for run in page
    ]
    return _render(
        request, "matching/run_list.html", {"title": _("Assignment runs"), "page": page, "rows": rows, "form": form}
    )


@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    form = AssignmentRunStartForm(request.POST)
    if form.is_valid():
        run = assignment_run_start(
            by=request.user, policy=form.cleaned_data["policy"], scope=form.cleaned_data["scope"]
        )
        return redirect("admin:matching_run_detail", pk=run.pk)
    page = Paginator(assignment_run_list(user=request.user), RUNS_PER_PAGE).get_page(1)
    return _run_list_page(request, page=page, form=form)


def _status(run) -> dict:
    return {
        "status": run.status,
        "status_label": run.get_status_display(),
        "stage": run.stage,
        "stage_label": run.get_stage_display(),
        "progress": run.progress,
        "done": not run.in_progress,
    }


def _run_seen(request: HttpRequest, pk: int) -> AssignmentRun:
    """The run as its pages show it: one whose worker died is failed, not running for ever."""
    run = assignment_run_get(user=request.user, pk=pk)
    if run.status == AssignmentRun.Status.RUNNING and run.pk in assignment_runs_fail_stale():
        run.refresh_from_db()
    return run


@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_seen(request, pk)
    page = Paginator(assignment_run_needs(run=run), NEEDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "run_need": run_need,
            "unfilled_reason": UNFILLED_REASONS.get(run_need.unfilled_reason, run_need.unfilled_reason),
            "unmet_rules": [UNMET_RULES.get(code, code) for code in run_need.unmet_rules],
            "acceptable": run_need.accepted_at is None and bool(run_need.proposals.all()),
        }
        for run_need in page
    ]
    finished = run.status == run.Status.FINISHED
    pins = (
        [(pin, PIN_OUTCOMES.get(pin.outcome, pin.outcome)) for pin in assignment_run_pins(run=run)] if finished else []
    )
    return _render(
        request,
        "matching/run_detail.html",
        {
            "pins": pins,
            "title": _("Assignment run %(number)s") % {"number": run.pk},
            "run": run,
            "page": page,
            "rows": rows,
            "accept_all": run.status == run.Status.FINISHED
            and run.run_needs.filter(accepted_at__isnull=True, proposals__isnull=False).exists(),
            "figures": run.figures,
            "stale": run.status == run.Status.FAILED and run.error == STALE_ERROR,
            "stale_minutes": settings.ASSIGNMENT_RUN_STALE_MINUTES,
            # A failed run is started again with its policy (unless deleted since) and its needs.
            "start_again": run.status == run.Status.FAILED and run.policy_id is not None,
            "group_counts": [
                (group or _("no group"), count) for group, count in run.figures.get("group_counts", {}).items() if count
            ],
            "shares": {
                "staffed": _percent(run.figures.get("staffed_share")),
                "optimum": _percent(run.figures.get("objective_share")),
            },
        },
    )


@require_GET
def run_status(request: HttpRequest, pk: int) -> JsonResponse:
    return JsonResponse(_status(_run_seen(request, pk)))


@require_POST
def run_accept(request: HttpRequest, pk: int) -> HttpResponse:
    run = assignment_run_get(user=request.user, pk=pk)
    form = AssignmentRunAcceptForm(request.POST, need_ids=list(run.run_needs.values_list("need_id", flat=True)))
    if not form.is_valid():
        messages.error(request, _("Choose the needs whose proposals you accept."))
        return redirect("admin:matching_run_detail", pk=run.pk)
    chosen = form.chosen()
    if chosen == []:
        messages.error(request, _("Choose the needs whose proposals you accept."))
        return redirect("admin:matching_run_detail", pk=run.pk)
    try:
        accepted = assignment_run_accept(by=request.user, run=run, needs=chosen)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("admin:matching_run_detail", pk=run.pk)
    messages.success(
        request,
        ngettext(
            "Proposals accepted for %(count)d need.", "Proposals accepted for %(count)d needs.", len(accepted.needs)
        )
        % {"count": len(accepted.needs)}
        + " "
        + ngettext("%(count)d expert added to a shortlist.", "%(count)d experts added to shortlists.", accepted.added)
        % {"count": accepted.added},
    )
    if accepted.skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d expert was already on the need's shortlist and was not added again.",
                "%(count)d experts were already on their need's shortlist and were not added again.",
                len(accepted.skipped),
            )
            % {"count": len(accepted.skipped)},
        )
    return redirect("admin:matching_run_detail", pk=run.pk)
