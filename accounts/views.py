"""Django's own password views, with an audit row for each password that is set or changed, and the
portal's one-time tokens in place of Django's token generator."""

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse

from accounts.services import password_tokens
from accounts.tokens import Purpose, TokenRefused, token_check, token_use, tokens_supersede
from audit.actions import AuditAction
from audit.services import audit_record


class PasswordChangeView(auth_views.PasswordChangeView):
    # Django's form views take PUT as a second POST; the page is a form, so only GET and POST.
    http_method_names = ["get", "post", "head", "options"]

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # A link mailed before the change must not set the password back to something else.
        tokens_supersede(purpose=Purpose.PASSWORD_SET, subject_id=form.user.pk)
        audit_record(actor=form.user, action=AuditAction.USER_PASSWORD_CHANGE, target=form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    token_generator = password_tokens


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    token_generator = password_tokens

    @transaction.atomic
    def form_valid(self, form) -> HttpResponse:
        secret = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            token_use(token=token_check(token=secret, purpose=Purpose.PASSWORD_SET, subject_id=form.user.pk))
        except TokenRefused:
            # Used up by another request since this page checked the link.
            self.validlink = False
            return self.render_to_response(self.get_context_data())
        response = super().form_valid(form)
        audit_record(actor=form.user, action=AuditAction.USER_PASSWORD_SET, target=form.user)
        return response
