"""The needs register in the restricted admin: read-only rows (writes go through the services on the
portal pages) and the CSV import with a preview."""

import hashlib
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from simple_history.admin import SimpleHistoryAdmin

from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_check, token_issue, token_use
from needs.forms import NeedImportForm
from needs.imports import COLUMNS, OPTIONAL_COLUMNS, need_import
from needs.models import Need
from portal.admin_site import ReadOnlyAdminMixin
from portal.csv_export import csv_response
from portal.csv_import import CsvFile, CsvUnreadable, csv_file_read

# The previewed file waits for the confirmation in a one-time token of the user who previewed it,
# for half an hour, in the database every app server shares: what is imported is byte for byte
# what was previewed, and the token can be used neither twice, nor by another user, nor after it
# expires or a newer preview supersedes it; the file is dropped from the token once it is used.
# The rows are checked again on confirmation, against the register as it then is.
IMPORT_TOKEN_MAX_AGE = timedelta(minutes=30)
IMPORT_MAX_BYTES = 5 * 1024 * 1024


@admin.register(Need)
class NeedAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "requesting_state", "assistance_type", "priority", "status", "review_cycle", "updated_at"]
    list_filter = [
        "status",
        "priority",
        "source",
        "review_cycle",
        "requesting_state__regional_group",
        "assistance_type",
    ]
    search_fields = [
        "title",
        "external_id",
        "requesting_state__name",
        "requesting_state__name_fr",
        "requesting_state__name_es",
    ]
    list_select_related = ["requesting_state", "assistance_type"]
    change_list_template = "admin/needs/need/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="needs_need_import"),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="needs_need_import_template",
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.import_confirm_view),
                name="needs_need_import_confirm",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, **extra: object) -> dict[str, object]:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "title": _("Import needs"), **extra}

    def _check_may_import(self, request: HttpRequest) -> None:
        if not (request.user.is_secretariat and request.user.has_perm("needs.add_need")):
            raise PermissionDenied

    @staticmethod
    def _decode(upload) -> tuple[CsvFile | None, str | None]:
        if upload.size > IMPORT_MAX_BYTES:
            return None, _("The file is larger than %(mb)d MB; split it.") % {"mb": IMPORT_MAX_BYTES // 1024 // 1024}
        try:
            return csv_file_read(upload.read()), None
        except CsvUnreadable:
            return None, _("row 1, file: neither UTF-8 nor Windows-1252 text; save the CSV as UTF-8.")

    @method_decorator(require_GET)
    def import_template_view(self, request: HttpRequest) -> HttpResponse:
        """An empty file with the import's columns, to fill in a spreadsheet."""
        self._check_may_import(request)
        return csv_response("needs-import-template.csv", (*COLUMNS, *OPTIONAL_COLUMNS), [])

    @method_decorator(require_http_methods(["GET", "POST"]))
    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._check_may_import(request)
        form = NeedImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            source, problem = self._decode(form.cleaned_data["csv_file"])
            if source is None:
                form.add_error("csv_file", problem)
            else:
                csv_text = source.text
                result = need_import(csv_text=csv_text, by=request.user, dry_run=True)
                digest = hashlib.sha256(csv_text.encode()).hexdigest()
                token = (
                    token_issue(
                        purpose=Purpose.NEEDS_IMPORT,
                        subject_id=request.user.pk,
                        ttl=IMPORT_TOKEN_MAX_AGE,
                        payload={"csv": csv_text, "sha256": digest},
                    )
                    if result.ok
                    else ""
                )
                return TemplateResponse(
                    request,
                    "admin/needs/need/import_preview.html",
                    self._context(
                        request,
                        result=result,
                        token=token,
                        sha256=digest,
                        file_name=form.cleaned_data["csv_file"].name,
                        file_format=source.describe(),
                    ),
                )
        return TemplateResponse(request, "admin/needs/need/import_form.html", self._context(request, form=form))

    @method_decorator(require_POST)
    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._check_may_import(request)
        try:
            with transaction.atomic():
                token = token_check(
                    token=request.POST.get("token", ""), purpose=Purpose.NEEDS_IMPORT, subject_id=request.user.pk
                )
                payload = token.payload
                token_use(token=token)
                result = need_import(csv_text=payload["csv"], by=request.user, dry_run=False)
        except TokenRefused as refused:
            if refused.problem is TokenProblem.EXPIRED:
                messages.error(request, _("The preview is more than 30 minutes old; upload the file again."))
            else:
                messages.error(request, _("The confirmation was not valid; upload the file again."))
            return redirect("admin:needs_need_import")
        if not result.ok:
            # The register changed since the preview in a way that makes a row invalid now.
            return TemplateResponse(
                request,
                "admin/needs/need/import_preview.html",
                self._context(request, result=result, token="", sha256=payload["sha256"], file_name=""),
            )
        messages.success(
            request,
            _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        )
        return redirect(reverse("admin:needs_need_changelist"))
