"""The secretariat's review of a need (mounted under /secretariat/workspace/ behind the admin site's gate), and the
expert's answer to an availability request (public, opened by the mailed link alone)."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.tokens import TokenProblem, TokenRefused
from matching.models import AssignmentPin, MatchingPolicy, RankedCandidate, ShortlistEntry
from matching.pins import assignment_pin_remove, assignment_pin_set
from matching.shortlists import shortlist_add, shortlist_move, shortlist_remove, shortlist_status_set
from needs.models import Need
from portal.access import public
from portal.charts import Series, bar_chart, grouped_bar_chart
from portal.csv_export import csv_lines
from portal.locking import VersionConflict
from review import selectors, services
from review.forms import AddForm, AnswerForm, EntryForm, MoveForm, PinForm, RecordOpenForm, RemoveForm, StatusForm
from review.history import history_rows
from review.ranking_rows import ranking_rows
from roster.models import Expert
from roster.record_access import WORKSPACE_MARK, record_justification_hold

# The page's own query parameters, carried through its forms so that an action lands back on the same view.
PAGE_PARAMETERS = ("regional_group", "language", "availability", "compare")
MIX_LABEL_WIDTH = 200


def _back_query(data: QueryDict) -> str:
    kept = QueryDict(mutable=True)
    for name in PAGE_PARAMETERS:
        value = data.get(name, "")
        if value:
            kept[name] = value
    return kept.urlencode()


def _review_url(need_id: int, query: str = "", anchor: str = "") -> str:
    url = reverse("admin:review_need", args=[need_id])
    return url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else "")


def _comparison(
    need: Need, main: list[RankedCandidate], policies: list[MatchingPolicy], policy_id: str
) -> dict[str, Any] | None:
    wanted = int(policy_id) if policy_id.isdigit() else None
    policy = next((policy for policy in policies if policy.pk == wanted), None)
    if policy is None:
        return None
    snapshot = selectors.ranking_latest(need=need, policy=policy)
    candidates = selectors.ranking_candidates(snapshot=snapshot)[1] if snapshot is not None else []
    ranks = {candidate.expert_id: candidate.rank for candidate in main}
    return {
        "policy": policy,
        "snapshot": snapshot,
        "rows": ranking_rows(candidates, need_id=need.pk, ranks_elsewhere=ranks),
    }


def _page(request: HttpRequest, need: Need, *, failed: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    policy, policies = selectors.review_policies(user=user)
    # The active policy's ranking, even when another policy has ranked the need since (to compare it).
    snapshot = selectors.ranking_latest(need=need, policy=policy)
    if snapshot is None:
        # The first opening ranks the need, so that the page is never empty.
        snapshot = services.review_rank(need=need, by=user, policy=policy)
    candidate_filter, candidates = selectors.ranking_candidates(snapshot=snapshot, filters=request.GET)
    shortlist = selectors.shortlist_review(user=user, need=need, policy=policy)
    unfiltered = candidates if not candidate_filter.form.has_changed() else None
    pins = selectors.assignment_pins_review(user=user, need=need)
    events, experts = selectors.shortlist_history(user=user, need=need, shortlist=shortlist, pins=pins)
    comparison = _comparison(need, unfiltered or candidates, policies, request.GET.get("compare", ""))
    context = {
        **admin.site.each_context(request),
        "title": _("Review: %(need)s") % {"need": need.title},
        "need": need,
        "snapshot": snapshot,
        "ranking": ranking_rows(candidates, need_id=need.pk, shortlisted=shortlist.expert_ids, pins=pins.by_expert),
        "pins": pins.current,
        "filter": candidate_filter,
        "shortlist": shortlist,
        "regional_chart": grouped_bar_chart(
            labels=[row.label for row in shortlist.regional_mix],
            series=[
                Series(str(_("On the shortlist")), [row.count for row in shortlist.regional_mix]),
                Series(str(_("Cap")), [row.cap for row in shortlist.regional_mix]),
            ],
            label_width=MIX_LABEL_WIDTH,
        ),
        "legal_chart": bar_chart(
            [{"label": row.label, "value": row.count} for row in shortlist.legal_system_mix],
            label_width=MIX_LABEL_WIDTH,
        ),
        "history": history_rows(events, experts=experts),
        "policies": policies,
        "comparison": comparison,
        "back": _back_query(request.GET),
        "failed": failed or {},
        "workspace_mark": WORKSPACE_MARK,
    }
    return TemplateResponse(request, "review/need_review.html", context, status=status)


@require_safe
def need_list(request: HttpRequest) -> HttpResponse:
    needs = selectors.review_need_list(user=request.user)[:200]
    context = {**admin.site.each_context(request), "title": _("Needs to review"), "needs": needs}
    return TemplateResponse(request, "review/need_list.html", context)


@require_safe
def need_review(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    return _page(request, need)


@require_POST
def rank(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    policy_id = request.POST.get("policy", "")
    policy = get_object_or_404(MatchingPolicy, pk=int(policy_id)) if policy_id.isdigit() else None
    services.review_rank(need=need, by=request.user, policy=policy)
    messages.success(request, _("The need has been ranked again."))
    back = QueryDict(request.POST.get("back", ""), mutable=True)
    if policy is not None and not policy.active:
        back["compare"] = str(policy.pk)
    return redirect(_review_url(need.pk, _back_query(back), "ranking"))


def _refused(request: HttpRequest, need: Need, error: ValidationError, failed: dict[str, Any]) -> HttpResponse:
    """The page again, with what was posted still in its form and the reason at the top: nothing is lost."""
    for message in error.messages:
        messages.error(request, message)
    return _page(request, need, failed=failed, status=409 if isinstance(error, VersionConflict) else 400)


@require_POST
def add(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    form = AddForm(request.POST)
    if not form.is_valid():
        return _refused(request, need, ValidationError(_("Choose an expert to add.")), {"action": "add"})
    expert = get_object_or_404(Expert, pk=form.cleaned_data["expert"])
    try:
        shortlist_add(by=request.user, need=need, expert=expert)
    except ValidationError as error:
        return _refused(request, need, error, {"action": "add"})
    messages.success(request, _("%(expert)s added to the shortlist.") % {"expert": expert})
    return redirect(_review_url(need.pk, _back_query(QueryDict(request.POST.get("back", ""))), "shortlist"))


def _entry_action(
    request: HttpRequest,
    need_id: int,
    entry_id: int,
    *,
    action: str,
    form_class: type,
    act: Callable[[dict[str, Any]], ShortlistEntry],
    done: str,
) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    get_object_or_404(ShortlistEntry, pk=entry_id, need=need)
    form = form_class(request.POST)
    failed = {"entry": entry_id, "action": action, "data": request.POST}
    if not form.is_valid():
        problems = [
            f"{form.fields[name].label or name}{_(':')} {' '.join(errors)}" for name, errors in form.errors.items()
        ]
        return _refused(request, need, ValidationError(problems), failed)
    try:
        act(form.cleaned_data)
    except ValidationError as error:
        return _refused(request, need, error, failed)
    messages.success(request, done)
    return redirect(_review_url(need.pk, _back_query(QueryDict(request.POST.get("back", ""))), "shortlist"))


@require_POST
def move(request: HttpRequest, need_id: int, entry_id: int) -> HttpResponse:
    return _entry_action(
        request,
        need_id,
        entry_id,
        action="move",
        form_class=MoveForm,
        act=lambda data: shortlist_move(
            by=request.user, entry_id=entry_id, version=data["version"], direction=data["direction"]
        ),
        done=_("The shortlist's order has been changed."),
    )


@require_POST
def remove(request: HttpRequest, need_id: int, entry_id: int) -> HttpResponse:
    return _entry_action(
        request,
        need_id,
        entry_id,
        action="remove",
        form_class=RemoveForm,
        act=lambda data: shortlist_remove(
            by=request.user, entry_id=entry_id, version=data["version"], reason=data["reason"]
        ),
        done=_("The expert has been removed from the shortlist."),
    )


@require_POST
def status(request: HttpRequest, need_id: int, entry_id: int) -> HttpResponse:
    return _entry_action(
        request,
        need_id,
        entry_id,
        action="status",
        form_class=StatusForm,
        act=lambda data: shortlist_status_set(
            by=request.user,
            entry_id=entry_id,
            version=data["version"],
            status=data["status"],
            note=data["note"],
            comment=data["comment"] or None,
            deployed_from=data["deployed_from"],
            deployed_until=data["deployed_until"],
        ),
        done=_("The entry's status has been changed."),
    )


@require_POST
def availability_request(request: HttpRequest, need_id: int, entry_id: int) -> HttpResponse:
    return _entry_action(
        request,
        need_id,
        entry_id,
        action="request",
        form_class=EntryForm,
        act=lambda data: services.availability_request(by=request.user, entry_id=entry_id, version=data["version"]),
        done=_("The availability request has been sent."),
    )


@require_POST
def availability_remind(request: HttpRequest, need_id: int, entry_id: int) -> HttpResponse:
    return _entry_action(
        request,
        need_id,
        entry_id,
        action="remind",
        form_class=EntryForm,
        act=lambda data: services.availability_remind(by=request.user, entry_id=entry_id),
        done=_("A reminder has been sent."),
    )


@require_POST
def pin_set(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    form = PinForm(request.POST)
    posted = request.POST.get("expert", "")
    failed = {"action": "pin", "expert": int(posted) if posted.isdigit() else None, "data": request.POST}
    if not form.is_valid():
        problems = [f"{form.fields[name].label or name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return _refused(request, need, ValidationError(problems), failed)
    expert = get_object_or_404(Expert, pk=form.cleaned_data["expert"])
    data = form.cleaned_data
    try:
        pin = assignment_pin_set(
            by=request.user, need=need, expert=expert, kind=data["kind"], reason=data["reason"], version=data["version"]
        )
    except ValidationError as error:
        return _refused(request, need, error, failed)
    if pin.kind == AssignmentPin.Kind.FORCE:
        done = _("Assignment runs will always propose %(expert)s for this need.")
    else:
        done = _("Assignment runs will never propose %(expert)s for this need.")
    messages.success(request, done % {"expert": expert.display_name})
    return redirect(_review_url(need.pk, _back_query(QueryDict(request.POST.get("back", ""))), "pins"))


@require_POST
def pin_remove(request: HttpRequest, need_id: int, pin_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    pin = get_object_or_404(AssignmentPin.objects.select_related("expert"), pk=pin_id, need=need)
    form = EntryForm(request.POST)
    if not form.is_valid():
        return _refused(request, need, ValidationError(_("The page was incomplete; nothing was saved.")), {})
    try:
        assignment_pin_remove(by=request.user, pin=pin, version=form.cleaned_data["version"])
    except ValidationError as error:
        return _refused(request, need, error, {})
    messages.success(
        request, _("The pin on %(expert)s has been removed: runs choose freely again.") % {"expert": pin.expert}
    )
    return redirect(_review_url(need.pk, _back_query(QueryDict(request.POST.get("back", ""))), "pins"))


@require_safe
def shortlist_csv(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    entries = services.shortlist_export(by=request.user, need=need, form="csv")
    response = StreamingHttpResponse(
        csv_lines(services.EXPORT_COLUMNS, services.shortlist_export_rows(entries)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="shortlist-need-{need.pk}.csv"'
    return response


@require_safe
def shortlist_print(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.review_need_get(user=request.user, need_id=need_id)
    entries = services.shortlist_export(by=request.user, need=need, form="print")
    context = {**admin.site.each_context(request), "title": _("Shortlist"), "need": need, "entries": entries}
    return TemplateResponse(request, "review/shortlist_print.html", context)


@require_http_methods(["GET", "POST"])
def record_open(request: HttpRequest, expert_id: int) -> HttpResponse:
    """Ask which need (or reason) justifies opening the expert's full record, then open it."""
    expert = get_object_or_404(Expert.objects.select_related("nationality"), pk=expert_id)
    asked = request.GET.get("need", "")
    justifying = Q(shortlist_entries__expert=expert) | (Q(pk=int(asked)) if asked.isdigit() else Q(pk__in=[]))
    needs = Need.objects.filter(justifying).distinct()
    form = RecordOpenForm(
        request.POST if request.method == "POST" else None,
        needs=needs.order_by("title"),
        initial={"need": int(asked) if asked.isdigit() else None},
    )
    if form.is_valid():
        try:
            justification = services.expert_record_justification(
                by=request.user, expert=expert, need=form.cleaned_data["need"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            record_justification_hold(request, justification=justification)
            return redirect(reverse("admin:roster_expert_change", args=[expert.pk]) + f"?via={WORKSPACE_MARK}")
    context = {
        **admin.site.each_context(request),
        "title": _("Open the full record of %(expert)s") % {"expert": expert},
        "expert": expert,
        "form": form,
    }
    return TemplateResponse(request, "review/record_open.html", context, status=400 if form.errors else 200)


# --- the expert's answer ------------------------------------------------------------------------


def _link_problem(request: HttpRequest, problem: TokenProblem) -> HttpResponse:
    if problem is TokenProblem.UNKNOWN:
        raise Http404
    return TemplateResponse(
        request, "roster/expert_self/link_problem.html", {"problem": problem.value, "session_open": False}, status=410
    )


@public
@require_http_methods(["GET", "POST"])
def availability_answer(request: HttpRequest, entry_id: int, token: str) -> HttpResponse:
    try:
        entry = services.availability_link_check(entry_id=entry_id, token=token)
    except TokenRefused as refused:
        return _link_problem(request, refused.problem)
    # The expert's language, whatever the browser says: the mail was written in it.
    language = entry.expert.mail_language()
    with translation.override(language):
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                entry = services.availability_answer(
                    entry_id=entry_id,
                    token=token,
                    available=form.cleaned_data["available"],
                    comment=form.cleaned_data["comment"],
                )
            except TokenRefused as refused:
                return _link_problem(request, refused.problem)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                response = TemplateResponse(request, "review/availability_thanks.html", {"entry": entry})
                response.render()
                response.headers["Content-Language"] = language
                return response
        response = TemplateResponse(
            request,
            "review/availability_answer.html",
            {"entry": entry, "need": entry.need, "form": form},
            status=400 if form.errors else 200,
        )
        response.render()
        response.headers["Content-Language"] = language
        return response
