"""Django's own password views, with an audit row for each password that is set or changed, and the
portal's one-time tokens in place of Django's token generator."""

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from accounts.services import password_tokens
from accounts.throttles import account_unlock, mail_link_allowed, password_reset_window
from accounts.tokens import Purpose, TokenRefused, token_check, token_use, tokens_supersede
from audit.actions import AuditAction
from audit.services import audit_record
from portal.client_ip import client_ip
from portal.responses import RedirectThen


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
    """The same answer, as fast, whether or not an account has the address: looking the account up,
    making the link and mailing it all happen after the response; and a limit on how often."""

    token_generator = password_tokens

    def form_valid(self, form) -> HttpResponse:
        if not mail_link_allowed(kind="reset", email=form.cleaned_data["email"], client=client_ip(self.request)):
            minutes = int(password_reset_window().total_seconds() // 60)
            form.add_error(
                None,
                _(
                    "Too many requests for a new password for this address or from this device. "
                    "Wait %(minutes)d minutes, then try again."
                )
                % {"minutes": minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        options = {
            "use_https": self.request.is_secure(),
            "token_generator": self.token_generator,
            "from_email": self.from_email,
            "email_template_name": self.email_template_name,
            "subject_template_name": self.subject_template_name,
            "request": self.request,
            "html_email_template_name": self.html_email_template_name,
            "extra_email_context": self.extra_email_context,
        }
        return RedirectThen(self.get_success_url(), then=lambda: form.save(**options))


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
        account_unlock(username=form.user.email)
        audit_record(actor=form.user, action=AuditAction.USER_PASSWORD_SET, target=form.user)
        return response
