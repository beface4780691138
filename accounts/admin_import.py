"""A CSV import in the restricted admin, in two steps: check the file and preview, then confirm.

One way for every bulk import (needs, experts): the page offers an empty template with the columns, reads the
file as spreadsheets save it (portal/csv_import.py detects UTF-8 or Windows-1252 and commas or semicolons),
states what it found and what each row would do before anything is saved, and writes only on confirmation.

The previewed file waits for the confirmation in a one-time token of the user who previewed it, for half an
hour, in the database every app server shares: what is imported is byte for byte what was previewed, and the
token can be used neither twice, nor by another user, nor after it expires or a newer preview supersedes it;
the file is dropped from the token once it is used. The rows are checked again on confirmation, against the
register as it then is. (Here rather than in portal because the confirmation rides on accounts' one-time tokens.)
"""

import hashlib
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_check, token_issue, token_use
from portal.csv_export import csv_response
from portal.csv_import import CsvFile, CsvUnreadable, ImportOutcome, csv_file_read

IMPORT_TOKEN_MAX_AGE = timedelta(minutes=30)
IMPORT_MAX_BYTES = 5 * 1024 * 1024


def csv_import_form(*, columns: Sequence[str], optional: Sequence[str]) -> type[forms.Form]:
    """The upload form of one import, its help naming the columns."""

    class CsvImportForm(forms.Form):
        csv_file = forms.FileField(
            label=gettext_lazy("CSV file"),
            help_text=format_lazy(
                gettext_lazy("Columns: {columns}; optional: {optional}. UTF-8 or Windows-1252; commas or semicolons."),
                columns=", ".join(columns),
                optional=", ".join(optional),
            ),
        )

    return CsvImportForm


class CsvImportAdmin:
    """For a model admin: the import's pages at import/, import/template/ and import/confirm/ of its URLs."""

    import_purpose: Purpose
    import_title: Promise
    import_permission: str  # "app.add_model"
    import_columns: Sequence[str]
    import_optional_columns: Sequence[str] = ()
    import_template_file_name: str
    # Shows a row's plan in the preview's table: the model's template under admin/<app>/<model>/.
    import_preview_rows_template: str

    def import_run(self, *, csv_text: str, by: Any, dry_run: bool) -> ImportOutcome:
        raise NotImplementedError

    def import_done_message(self, result: ImportOutcome) -> str:
        return _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }

    def _import_url_name(self, step: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{step}"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name=self._import_url_name("import")),
            path("import/template/", view(self.import_template_view), name=self._import_url_name("import_template")),
            path("import/confirm/", view(self.import_confirm_view), name=self._import_url_name("import_confirm")),
            *super().get_urls(),
        ]

    def _import_context(self, request: HttpRequest, **extra: object) -> dict[str, object]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.import_title,
            "rows_template": self.import_preview_rows_template,
            **extra,
        }

    def _check_may_import(self, request: HttpRequest) -> None:
        if not (request.user.is_secretariat and request.user.has_perm(self.import_permission)):
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
        return csv_response(self.import_template_file_name, (*self.import_columns, *self.import_optional_columns), [])

    @method_decorator(require_http_methods(["GET", "POST"]))
    def import_view(self, request: HttpRequest) -> HttpResponse:
        self._check_may_import(request)
        form_class = csv_import_form(columns=self.import_columns, optional=self.import_optional_columns)
        form = form_class(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            source, problem = self._decode(form.cleaned_data["csv_file"])
            if source is None:
                form.add_error("csv_file", problem)
            else:
                result = self.import_run(csv_text=source.text, by=request.user, dry_run=True)
                digest = hashlib.sha256(source.text.encode()).hexdigest()
                token = (
                    token_issue(
                        purpose=self.import_purpose,
                        subject_id=request.user.pk,
                        ttl=IMPORT_TOKEN_MAX_AGE,
                        payload={"csv": source.text, "sha256": digest},
                    )
                    if result.ok
                    else ""
                )
                return TemplateResponse(
                    request,
                    "admin/csv_import_preview.html",
                    self._import_context(
                        request,
                        result=result,
                        token=token,
                        sha256=digest,
                        file_name=form.cleaned_data["csv_file"].name,
                        file_format=source.describe(),
                    ),
                )
        return TemplateResponse(request, "admin/csv_import_form.html", self._import_context(request, form=form))

    @method_decorator(require_POST)
    def import_confirm_view(self, request: HttpRequest) -> HttpResponse:
        self._check_may_import(request)
        try:
            with transaction.atomic():
                token = token_check(
                    token=request.POST.get("token", ""), purpose=self.import_purpose, subject_id=request.user.pk
                )
                payload = token.payload
                token_use(token=token)
                result = self.import_run(csv_text=payload["csv"], by=request.user, dry_run=False)
        except TokenRefused as refused:
            if refused.problem is TokenProblem.EXPIRED:
                messages.error(request, _("The preview is more than 30 minutes old; upload the file again."))
            else:
                messages.error(request, _("The confirmation was not valid; upload the file again."))
            return redirect(f"admin:{self._import_url_name('import')}")
        if not result.ok:
            # The register changed since the preview in a way that makes a row invalid now.
            return TemplateResponse(
                request,
                "admin/csv_import_preview.html",
                self._import_context(request, result=result, token="", sha256=payload["sha256"], file_name=""),
            )
        messages.success(request, self.import_done_message(result))
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
