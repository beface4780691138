"""Nomination pages for focal points and the secretariat; each view's first line decides access."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.throttles import mail_link_allowed
from portal.access import focal_point_or_secretariat_required
from portal.forms import add_service_errors
from portal.kept_input import KeptInput, input_take
from portal.locking import VersionConflict
from portal.merge import form_value_set, merge_messages, version_merge
from portal.pagination import DeferredJoinPaginator
from reference.models import LanguageLevel
from roster import services
from roster.forms import ROW_LABELS, SECTIONS, CvTemplate, WithdrawForm
from roster.models import EXPERT_HISTORY, Expert, NominationDraft
from roster.selectors import (
    draft_get,
    draft_list_new,
    draft_visible,
    expert_duplicates_for,
    expert_get,
    expert_search,
)

PAGE_SIZE = 25


@dataclass(frozen=True)
class ListedExpert:
    """One row of the roster list with its labels written out: looked up once per page, not once per cell (each
    label through get_FOO_display and a template loop per language and article made most of the page's time)."""

    expert: Expert
    sector: str
    status: str
    languages: str
    articles: str


def _listed(experts: Iterable[Expert]) -> list[ListedExpert]:
    sectors, statuses, levels = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Expert.Sector, Expert.Status, LanguageLevel)
    )
    return [
        ListedExpert(
            expert=expert,
            # As get_FOO_display: the stored value itself when it is not among the choices.
            sector=str(sectors.get(expert.sector, expert.sector)),
            status=str(statuses.get(expert.status, expert.status)),
            languages=", ".join(
                f"{skill.language_id} {levels.get(skill.level, skill.level)}" for skill in expert.languages.all()
            ),
            articles=", ".join(str(item.article_id) for item in expert.expertise.all()),
        )
        for expert in experts
    ]


@focal_point_or_secretariat_required
@require_GET
def expert_list_view(request: HttpRequest) -> HttpResponse:
    search = expert_search(user=request.user, filters=request.GET)
    page = DeferredJoinPaginator(search.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "roster/expert_list.html",
        {"page": page, "rows": _listed(page.object_list), "filter_form": search.form, "query": query.urlencode()},
    )


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def expert_nominate_view(request: HttpRequest) -> HttpResponse:
    unsaved = _unsaved_page(request, expert=None)
    if unsaved is not None:
        return unsaved
    if request.method == "GET":
        return _render_form(request, CvTemplate(user=request.user), expert=None)
    template = CvTemplate(user=request.user, data=request.POST, files=request.FILES)
    if not template.is_valid():
        return _render_form(request, template, expert=None, status=400)
    try:
        expert = services.expert_nominate(
            by=request.user,
            profile=template.to_profile(),
            nominating_state=template.profile.cleaned_data.get("nominating_state"),
            cv=template.profile.cleaned_data.get("cv"),
        )
    except ValidationError as error:
        add_service_errors(template.profile, error)
        return _render_form(request, template, expert=None, status=400)
    saved = _("The nomination of %(expert)s is saved as a draft.") % {"expert": expert}
    _draft_served(request)
    if request.POST.get("action") == "submit":
        _submit(request, expert, saved=saved)
    else:
        messages.success(request, saved)
    return redirect("roster:expert_detail", pk=expert.pk)


def _told(request: HttpRequest, act: Callable[[], object], done: str) -> None:
    """Take a one-click action and tell the person how it went: what was done, or why it was refused."""
    try:
        act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)


def _submit(request: HttpRequest, expert: Expert, *, saved: str = "") -> None:
    """Submit, and say so in one message; after a save ("Save and submit"), that message says both.

    A draft that cannot be submitted yet is kept: the person reads what was saved and what is missing.
    """
    try:
        services.expert_submit(expert=expert, by=request.user)
    except ValidationError as error:
        if saved:
            messages.success(request, saved)
        messages.error(request, " ".join(error.messages))
        return
    if saved:
        done = _(
            "Saved and submitted to the secretariat for validation. %(expert)s has been e-mailed a link to "
            "confirm the profile and give consent."
        )
    else:
        done = _(
            "Submitted to the secretariat for validation. %(expert)s has been e-mailed a link to confirm "
            "the profile and give consent."
        )
    messages.success(request, done % {"expert": expert})


def _unsaved_page(request: HttpRequest, *, expert: Expert | None) -> HttpResponse | None:
    """The form shown again without saving anything: the input kept through a sign-in (issue 12, item 2), or one
    more row asked for by a browser without JavaScript (the "Add another" buttons post the form)."""
    if request.method == "GET":
        kept = input_take(request=request)
        draft = _draft_asked(request, expert=expert)
        if kept is None and draft is None:
            return None
        data = kept.data if kept is not None else _query_dict(draft.data)
        template = CvTemplate(user=request.user, data=data, expert=expert)
        template.hide_errors()
        return _render_form(request, template, expert=expert, kept=kept, draft=draft)
    section = request.POST.get("add_row", "")
    if not section:
        return None
    template = CvTemplate(user=request.user, data=CvTemplate.with_one_more_row(request.POST, section), expert=expert)
    template.hide_errors()
    template.focus_last_row(section)
    return _render_form(request, template, expert=expert, files_dropped=bool(request.FILES))


def _draft_asked(request: HttpRequest, *, expert: Expert | None) -> NominationDraft | None:
    """The draft named in ?draft=, if it is one of this State's and belongs to this page; 404 otherwise."""
    pk = request.GET.get("draft", "")
    if not pk:
        return None
    draft = draft_get(user=request.user, pk=_int_or_404(pk))
    if draft.expert_id != (expert.pk if expert else None):
        raise Http404
    return draft


def _drafts_offered(request: HttpRequest, *, expert: Expert | None) -> list[NominationDraft]:
    if expert is None:
        return list(draft_list_new(user=request.user)[:20])
    # An edit's draft is offered only while it is newer than the profile it started from.
    return list(draft_visible(user=request.user).filter(expert=expert, updated_at__gt=expert.updated_at)[:5])


def _draft_served(request: HttpRequest) -> None:
    draft_id = request.POST.get("draft", "")
    if draft_id.isdigit():
        services.draft_discard(by=request.user, draft_id=int(draft_id))


def _int_or_404(value: str) -> int:
    if not value.isdigit():
        raise Http404
    return int(value)


def _query_dict(lists: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in lists.items():
        data.setlist(name, values)
    return data


@focal_point_or_secretariat_required
@require_POST
def expert_draft_save_view(request: HttpRequest) -> JsonResponse:
    """Autosave of the CV template: what was typed so far, without the file, into the page's draft."""
    expert_pk = request.POST.get("draft_expert", "")
    expert = expert_get(user=request.user, pk=_int_or_404(expert_pk)) if expert_pk else None
    draft_id = request.POST.get("draft", "")
    try:
        draft = services.draft_save(
            by=request.user,
            draft_id=_int_or_404(draft_id) if draft_id else None,
            expert=expert,
            data=dict(request.POST.lists()),
        )
    except PermissionDenied as refusal:
        # The secretariat keeps no drafts; like every refusal to a signed-in person, it looks like absence.
        raise Http404 from refusal
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    return JsonResponse({"draft": draft.pk, "saved_at": formats.time_format(timezone.localtime(draft.updated_at))})


def _render_form(
    request: HttpRequest,
    template: CvTemplate,
    *,
    expert: Expert | None,
    status: int = 200,
    conflict: bool = False,
    kept: KeptInput | None = None,
    files_dropped: bool = False,
    draft: NominationDraft | None = None,
) -> HttpResponse:
    # Drafts are kept as the focal point types (static/js/cv-template.js); the secretariat's forms keep none.
    autosave = getattr(request.user, "is_focal_point", False)
    posted_draft = template.profile.data.get("draft", "") if template.profile.is_bound else ""
    return render(
        request,
        "roster/expert_form.html",
        {
            "template": template,
            "expert": expert,
            "conflict": conflict,
            "kept": kept,
            "files_dropped": files_dropped,
            "draft": draft,
            "draft_id": draft.pk if draft else posted_draft,
            "autosave": autosave,
            "drafts": _drafts_offered(request, expert=expert) if autosave and not template.profile.is_bound else [],
            "sections": SECTIONS,
            "row_labels": ROW_LABELS,
            "may_submit": expert is None or expert.status in services.SUBMITTABLE,
        },
        status=status,
    )


@focal_point_or_secretariat_required
@require_GET
def expert_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    services.expert_record_opened(expert=expert, by=request.user)
    return render(
        request,
        "roster/expert_detail.html",
        {
            "expert": expert,
            "duplicates": expert_duplicates_for(user=request.user, expert=expert),
            "may_edit": expert.status in services.EDITABLE,
            "may_submit": expert.status in services.SUBMITTABLE,
            "may_withdraw": expert.status in services.WITHDRAWABLE,
            # Only a profile in use is confirmed as current; the service accepts more, for the reminders' sake.
            "may_confirm": expert.status == Expert.Status.ACTIVE,
            "may_resend_link": expert.status in services.LINK_RESENDABLE,
        },
    )


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def expert_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    if expert.status not in services.EDITABLE:
        status = expert.get_status_display().lower()
        messages.error(request, _("A profile that is %(status)s cannot be edited.") % {"status": status})
        return redirect("roster:expert_detail", pk=expert.pk)
    unsaved = _unsaved_page(request, expert=expert)
    if unsaved is not None:
        return unsaved
    if request.method == "GET":
        return _render_form(request, CvTemplate(user=request.user, expert=expert), expert=expert)
    template = CvTemplate(user=request.user, data=request.POST, files=request.FILES, expert=expert)
    if not template.is_valid():
        return _render_form(request, template, expert=expert, status=400)
    try:
        expert = services.expert_update(
            expert=expert,
            by=request.user,
            version=template.profile.cleaned_data["version"],
            profile=template.to_profile(),
            cv=template.profile.cleaned_data.get("cv"),
        )
    except VersionConflict as conflict:
        return _render_conflict(request, expert=expert, sent=template, error=conflict)
    except ValidationError as error:
        add_service_errors(template.profile, error)
        return _render_form(request, template, expert=expert, status=400)
    if expert.revalidation_pending:
        saved = _("Changes saved. %(expert)s stays on the roster while the secretariat validates them.") % {
            "expert": expert
        }
    else:
        saved = _("Changes saved.")
    _draft_served(request)
    if request.POST.get("action") == "submit":
        _submit(request, expert, saved=saved)
    else:
        messages.success(request, saved)
    return redirect("roster:expert_detail", pk=expert.pk)


def _render_conflict(request: HttpRequest, *, expert: Expert, sent: CvTemplate, error: ValidationError) -> HttpResponse:
    """Show the person's own values again, now based on the latest version, with the reason they were not saved.

    Fields that only the other person changed take their newer value, so that saving again does not
    silently undo it; fields both changed keep this person's value and are named for checking.
    """
    merge = version_merge(
        instance=expert,
        records=EXPERT_HISTORY,
        base_version=sent.profile.cleaned_data["version"],
        submitted=sent.profile.cleaned_data,
        names=[*services.PROFILE_FIELDS, *MERGED_M2M_FIELDS],
    )
    data = request.POST.copy()
    data["profile-version"] = str(merge.stored_version)
    for name, value in merge.theirs.items():
        form_value_set(data, f"profile-{name}", value)
    # A file cannot be handed back to the browser; the rest of what was typed is.
    template = CvTemplate(user=request.user, data=data, expert=expert)
    template.is_valid()
    template.profile.add_error(None, error.messages)
    labels = {name: field.label for name, field in template.profile.fields.items()}
    for message in merge_messages(merge, labels):
        template.profile.add_error(None, message)
    return _render_form(request, template, expert=expert, status=409, conflict=True)


# The profile's many-to-many fields that the form edits.
MERGED_M2M_FIELDS = ("assistance_types", "countries_worked_in", "declared_conflict_states")


@focal_point_or_secretariat_required
@require_POST
def expert_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    _submit(request, expert)
    return redirect("roster:expert_detail", pk=expert.pk)


@focal_point_or_secretariat_required
@require_POST
def expert_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    done = _("Thank you: the profile of %(expert)s is confirmed as current.") % {"expert": expert}
    _told(request, lambda: services.expert_confirm_current(expert=expert, by=request.user), done)
    return redirect("roster:expert_detail", pk=expert.pk)


@focal_point_or_secretariat_required
@require_POST
def expert_resend_link_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    if not mail_link_allowed(kind="expert", email=expert.email, client=f"user:{request.user.pk}"):
        messages.error(
            request, _("A link was sent to this expert several times already; wait an hour, then try again.")
        )
        return redirect("roster:expert_detail", pk=expert.pk)
    done = _("A new link has been sent to %(email)s; the earlier one no longer works.") % {"email": expert.email}
    _told(request, lambda: services.expert_link_resend(expert=expert, by=request.user), done)
    return redirect("roster:expert_detail", pk=expert.pk)


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def expert_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    expert = expert_get(user=request.user, pk=pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.expert_withdraw(expert=expert, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(expert)s is withdrawn from the roster.") % {"expert": expert})
        return redirect("roster:expert_detail", pk=expert.pk)
    return render(request, "roster/expert_withdraw.html", {"expert": expert, "form": form})


@focal_point_or_secretariat_required
@require_GET
def expert_cv_view(request: HttpRequest, pk: int) -> FileResponse:
    expert = expert_get(user=request.user, pk=pk)
    if not expert.cv_file:
        raise Http404
    services.expert_cv_opened(expert=expert, by=request.user)
    response = FileResponse(
        expert.cv_file.open("rb"),
        as_attachment=True,
        filename=expert.cv_original_name or f"cv-{expert.pk}",
        content_type=expert.cv_content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
