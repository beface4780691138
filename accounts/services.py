"""Accounts are created by the secretariat and activated through a one-time link sent by e-mail."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.tokens import Purpose, TokenRefused, token_check, token_issue
from audit.actions import AuditAction
from audit.services import audit_record
from portal.access import SECRETARIAT_GROUP
from portal.mail import mail_language, mail_send
from reference.models import Country

SECRETARIAT_APPS = ["accounts", "audit", "roster", "needs", "matching", "stats", "reference"]


def secretariat_group() -> Group:
    """The group whose model permissions the restricted admin checks, kept complete on each call."""
    group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=SECRETARIAT_APPS))
    return group


class PasswordSetTokens:
    """Django's password views ask a token generator; this one answers from the one-time tokens, so an
    invitation and a reset link are single use, expire, and a newer link voids the older one."""

    def make_token(self, user: User) -> str:
        return token_issue(
            purpose=Purpose.PASSWORD_SET, subject_id=user.pk, ttl=timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
        )

    def check_token(self, user: User | None, token: str | None) -> bool:
        if user is None or not token:
            return False
        try:
            token_check(token=token, purpose=Purpose.PASSWORD_SET, subject_id=user.pk)
        except TokenRefused:
            return False
        return True


password_tokens = PasswordSetTokens()


def password_set_link(*, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = password_tokens.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _user_create(
    *, email: str, role: str, state: Country | None, full_name: str, language: str, by: User | None
) -> User:
    email = email.strip().lower()
    validate_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("An account with this e-mail address already exists."))
    user = User.objects.create_user(
        email=email,
        role=role,
        state=state,
        full_name=full_name,
        language=mail_language(language),
        is_staff=role == User.Role.SECRETARIAT,
    )
    if role == User.Role.SECRETARIAT:
        user.groups.add(secretariat_group())
    audit_record(
        actor=by, action=AuditAction.USER_INVITE, target=user, details={"role": role, "state": state and state.pk}
    )
    mail_send(
        to=user.email,
        language=user.language,
        subject=gettext_lazy("Your account on the UNCAC expert roster"),
        template="accounts/invitation_email.txt",
        context={"user": user, "link": password_set_link(user=user)},
    )
    return user


@transaction.atomic
def focal_point_invite(
    *, email: str, state_iso3: str, full_name: str = "", language: str = "", by: User | None = None
) -> User:
    state = Country.objects.filter(iso3=state_iso3.strip().upper()).first()
    if state is None:
        raise ValidationError(_("Unknown State code: %(code)s") % {"code": state_iso3})
    return _user_create(
        email=email, role=User.Role.FOCAL_POINT, state=state, full_name=full_name, language=language, by=by
    )


@transaction.atomic
def secretariat_user_invite(*, email: str, full_name: str = "", language: str = "", by: User | None = None) -> User:
    return _user_create(
        email=email, role=User.Role.SECRETARIAT, state=None, full_name=full_name, language=language, by=by
    )


@transaction.atomic
def user_update(*, user: User, by: User, full_name: str, is_active: bool) -> User:
    """The secretariat corrects a name or (de)activates an account; the role and State never change here."""
    if not by.is_secretariat:
        raise PermissionDenied
    current = User.objects.select_for_update().get(pk=user.pk)
    changes = {
        name: [getattr(current, name), value]
        for name, value in (("full_name", full_name.strip()), ("is_active", is_active))
        if getattr(current, name) != value
    }
    if current.pk == by.pk and not is_active:
        raise ValidationError(_("You cannot deactivate your own account."))
    for name, (_old, new) in changes.items():
        setattr(current, name, new)
    if changes:
        current.save(update_fields=list(changes))
        audit_record(actor=by, action=AuditAction.USER_UPDATE, target=current, details={"changes": changes})
    return current
