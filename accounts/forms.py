from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from portal.mail import mail_send


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Django sends reset links only to accounts that already have a password; an invited person whose
    link expired before first use has none yet, and must be able to ask for a new link the same way."""

    def get_users(self, email: str):
        return (user for user in User.objects.filter(email__iexact=email, is_active=True) if user.email)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Through the portal's one mail helper: the link arrives in the account holder's language.
        mail_send(
            to=to_email,
            language=context["user"].language,
            subject=_("Choose a new password for the UNCAC expert roster"),
            template=email_template_name,
            context=context,
        )


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six-digit code your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class SecondFactorEnrolForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six-digit code your authenticator app shows now for the UNCAC expert roster."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
