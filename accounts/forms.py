from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )


class InvitationAwarePasswordResetForm(PasswordResetForm):
    """Django sends reset links only to accounts that already have a password; an invited person whose
    link expired before first use has none yet, and must be able to ask for a new link the same way."""

    def get_users(self, email: str):
        return (user for user in User.objects.filter(email__iexact=email, is_active=True) if user.email)
