"""Django's own password views, with an audit row for each password that is set or changed."""

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse

from audit.actions import AuditAction
from audit.services import audit_record


class PasswordChangeView(auth_views.PasswordChangeView):
    # Django's form views take PUT as a second POST; the page is a form, so only GET and POST.
    http_method_names = ["get", "post", "head", "options"]

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.user, action=AuditAction.USER_PASSWORD_CHANGE, target=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=form.user, action=AuditAction.USER_PASSWORD_SET, target=form.user)
        return response
