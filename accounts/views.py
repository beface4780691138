"""Django's own password views, with an audit row for each password that is set or changed, and the
portal's one-time tokens in place of Django's token generator."""

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_otp.models import Device

from accounts.forms import SecondFactorEnrolForm, SecondFactorForm
from accounts.second_factor import (
    AlreadyEnrolled,
    Outcome,
    enrolment_qr_svg,
    enrolment_secret,
    outcome_message,
    recovery_code_display,
    second_factor_device,
    second_factor_enrolment_device,
    second_factor_verify,
)
from accounts.second_factor import second_factor_enrol as enrol
from accounts.services import password_tokens
from accounts.throttles import account_unlock, mail_link_allowed, password_reset_window
from accounts.tokens import Purpose, TokenRefused, token_check, token_use, tokens_supersede
from audit.actions import AuditAction
from audit.services import audit_record
from portal.access import second_factor_done, second_factor_step
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


def _next_url(request: HttpRequest) -> str:
    """Where the member was going before the second factor was asked, if it is one of the portal's pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _second_factor_given(request: HttpRequest, device: Device) -> None:
    django_otp.login(request, device)
    # A new session key once the second factor is given, so that a key seen before it opens nothing after.
    request.session.cycle_key()


@second_factor_step
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Asked at every sign-in of a secretariat member: a code from the app or a recovery code."""
    next_url = _next_url(request)
    if second_factor_done(request.user):
        return redirect(next_url)
    if second_factor_device(user=request.user) is None:
        return redirect(_with_next("second_factor_enrol", next_url))
    form = SecondFactorForm(request.POST or None)
    status = 200
    if form.is_valid():
        result = second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if result.outcome is Outcome.VERIFIED:
            _second_factor_given(request, result.device)
            if result.recovery_codes_left is not None:
                messages.warning(request, _recovery_codes_left_message(result.recovery_codes_left))
            return redirect(next_url)
        form.add_error("code", outcome_message(result.outcome))
        status = 200 if result.outcome is Outcome.WRONG else 429
    return render(request, "accounts/second_factor.html", {"form": form, "next": next_url}, status=status)


def _recovery_codes_left_message(left: int) -> str:
    return ngettext(
        "You signed in with a recovery code. %(count)d recovery code is left: if you lost your phone, "
        "ask an operator to reset your second factor.",
        "You signed in with a recovery code. %(count)d recovery codes are left: if you lost your phone, "
        "ask an operator to reset your second factor.",
        left,
    ) % {"count": left}


@second_factor_step
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """A member without an authenticator app sets one up, before seeing anything else."""
    next_url = _next_url(request)
    if second_factor_device(user=request.user) is not None:
        return redirect(_with_next("second_factor", next_url))
    form = SecondFactorEnrolForm(request.POST or None)
    status = 200
    if form.is_valid():
        try:
            result, codes = enrol(user=request.user, code=form.cleaned_data["code"])
        except AlreadyEnrolled:
            return redirect(_with_next("second_factor", next_url))
        if result.outcome is Outcome.VERIFIED:
            _second_factor_given(request, result.device)
            context = {"codes": [recovery_code_display(code) for code in codes], "next": next_url}
            return render(request, "accounts/recovery_codes.html", context)
        form.add_error("code", outcome_message(result.outcome))
        status = 200 if result.outcome is Outcome.WRONG else 429
    device = second_factor_enrolment_device(user=request.user)
    context = {
        "form": form,
        "next": next_url,
        "qr_code": enrolment_qr_svg(device=device, title=_("QR code to scan with your authenticator app")),
        "secret": enrolment_secret(device=device),
    }
    return render(request, "accounts/second_factor_enrol.html", context, status=status)
