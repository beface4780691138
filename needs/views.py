from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needs.forms import NeedForm, NeedStatusForm
from needs.imports import FILE_COLUMNS, need_file_rows
from needs.models import NEED_HISTORY, Need
from needs.selectors import need_get, need_history, need_list, need_search
from needs.services import (
    need_create,
    need_may_edit,
    need_set_status,
    need_status_choices,
    need_update,
)
from portal.access import focal_point_or_secretariat_required
from portal.csv_export import csv_response
from portal.forms import add_service_errors
from portal.locking import VersionConflict
from portal.merge import form_value_set, merge_messages, version_merge
from reference.models import Language, RegionalGroup
from reference.names import localized_column

PAGE_SIZE = 25
EXPORT_CHUNK = 1000
# Each code a person reads has its name, in the reader's language, in the column after it; the codes are
# what an import reads back.
LABELLED = {
    "country": "country_name",
    "assistance_type": "assistance_type_name",
    "languages": "language_names",
    "priority": "priority_name",
    "source": "source_name",
}
EXPORT_COLUMNS = (
    "id",
    *(name for column in FILE_COLUMNS for name in (column, LABELLED.get(column)) if name),
    "regional_group",
    "regional_group_name",
    "status",
    "status_name",
    "created_at",
)


@focal_point_or_secretariat_required
@require_GET
def need_list_view(request: HttpRequest) -> HttpResponse:
    search = need_search(user=request.user, filters=request.GET)
    page = Paginator(search.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page,
            "filter_form": search.form,
            "query": query.urlencode(),
        },
    )


def _export_rows(needs: QuerySet[Need]) -> Iterator[list[object]]:
    extra = (
        localized_column("requesting_state__name"),
        localized_column("assistance_type__name"),
        "requesting_state__regional_group",
        "status",
        "created_at",
    )
    languages = {language.code: language.display_name for language in Language.objects.all()}
    # Each label translated once per export, not once per row (5,000 needs made 100,000 lookups).
    priorities, sources, statuses, groups = (
        {value: str(label) for value, label in choices.choices}
        for choices in (Need.Priority, Need.Source, Need.Status, RegionalGroup)
    )
    for pk, cells, (country_name, type_name, regional_group, status, created_at) in need_file_rows(
        needs, extra=extra, chunk_size=EXPORT_CHUNK
    ):
        file = dict(zip(FILE_COLUMNS, cells, strict=True))
        names = {
            "country": country_name,
            "assistance_type": type_name,
            "languages": "; ".join(languages[code] for code in str(file["languages"]).split(";") if code),
            "priority": priorities[file["priority"]],
            "source": sources[file["source"]],
        }
        row: list[object] = [pk]
        for column, value in file.items():
            row.append(value)
            if column in LABELLED:
                row.append(names[column])
        group_name = groups[regional_group] if regional_group else ""
        row += [regional_group, group_name, status, statuses[status], created_at.isoformat(timespec="seconds")]
        yield row


@focal_point_or_secretariat_required
@require_GET
def need_export(request: HttpRequest) -> StreamingHttpResponse:
    needs = need_list(user=request.user, filters=request.GET)
    # Streamed as values, a chunk at a time with its links: memory and queries grow per 1,000 needs, not per need.
    return csv_response("needs.csv", EXPORT_COLUMNS, _export_rows(needs))


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def need_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = NeedForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        # A focal point's need is its own State's, whatever the request says.
        state = data.pop("requesting_state") if user.is_secretariat else user.state
        try:
            need = need_create(by=user, requesting_state=state, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The need has been recorded."))
            return redirect("needs:need_detail", pk=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "need": None})


@focal_point_or_secretariat_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get(user=request.user, pk=pk)
    return render(
        request,
        "needs/need_detail.html",
        {
            "need": need,
            "may_edit": need_may_edit(need=need, user=request.user),
            "status_choices": [Need.Status(value) for value in need_status_choices(need=need, user=request.user)],
            "history": need_history(need=need),
        },
    )


@focal_point_or_secretariat_required
@require_http_methods(["GET", "POST"])
def need_edit(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get(user=request.user, pk=pk)
    if not need_may_edit(need=need, user=request.user):
        messages.error(request, _("This need can no longer be changed here."))
        return redirect("needs:need_detail", pk=need.pk)
    form = NeedForm(request.POST or None, instance=need, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            need_update(
                need=need, by=request.user, data=form.service_data(), expected_version=form.cleaned_data["version"]
            )
        except VersionConflict as conflict:
            return _render_conflict(request, need=need, sent=form, error=conflict)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The need has been updated."))
            return redirect("needs:need_detail", pk=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "need": need})


def _render_conflict(request: HttpRequest, *, need: Need, sent: NeedForm, error: ValidationError) -> HttpResponse:
    """The person's values again, on the latest version, with what only the other person changed brought in."""
    names = [name for name in sent.fields if name != "version"]
    merge = version_merge(
        instance=need,
        records=NEED_HISTORY,
        base_version=sent.cleaned_data["version"],
        submitted=sent.cleaned_data,
        names=names,
    )
    data = request.POST.copy()
    data["version"] = str(merge.stored_version)
    for name, value in merge.theirs.items():
        form_value_set(data, name, value)
    form = NeedForm(data, instance=need, user=request.user)
    form.is_valid()
    form.add_error(None, error)
    for message in merge_messages(merge, {name: field.label for name, field in form.fields.items()}):
        form.add_error(None, message)
    return render(request, "needs/need_form.html", {"form": form, "need": need}, status=409)


@focal_point_or_secretariat_required
@require_POST
def need_status(request: HttpRequest, pk: int) -> HttpResponse:
    need = need_get(user=request.user, pk=pk)
    form = NeedStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("needs:need_detail", pk=need.pk)
    try:
        need_set_status(
            need=need,
            by=request.user,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The status of the need has been changed."))
    return redirect("needs:need_detail", pk=need.pk)
