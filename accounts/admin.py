"""Accounts in the restricted admin: people are invited (never given a password by someone else),
and the only changes made here are a name and deactivation, each audited."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import focal_point_invite, secretariat_user_invite, user_update
from reference.models import Country


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=User.Role.choices)
    state = forms.ModelChoiceField(label=_("State (focal points only)"), queryset=Country.objects.all(), required=False)
    language = forms.ChoiceField(
        label=_("Language for mail"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE, required=False
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") == User.Role.FOCAL_POINT and not data.get("state"):
            self.add_error("state", _("A focal point speaks for exactly one State: choose it."))
        if data.get("role") == User.Role.SECRETARIAT and data.get("state"):
            self.add_error("state", _("A secretariat member is not bound to a State: leave this empty."))
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "state", "is_active", "last_login"]
    list_filter = ["role", "is_active", "state__regional_group"]
    search_fields = ["email", "full_name"]
    list_select_related = ["state"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "language", "is_active"]}),
        (_("Role"), {"fields": ["role", "state", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["email", "role", "state", "language", "is_staff", "last_login", "date_joined"]
    change_list_template = "admin/accounts/user/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # accounts are created by invitation, see invite_view

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # deactivate instead: the audit trail keeps pointing at the account

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        raise PermissionDenied  # a password is only ever set by its owner, through a one-time link

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None and obj.pk == request.user.pk:
            fields.append("is_active")  # nobody locks themselves out by mistake
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: forms.ModelForm, change: bool) -> None:
        user_update(user=obj, by=request.user, full_name=obj.full_name, is_active=obj.is_active)

    def get_urls(self) -> list[URLPattern]:
        invite = path("invite/", self.admin_site.admin_view(self.invite_view), name="accounts_user_invite")
        return [invite, *super().get_urls()]

    @method_decorator(require_http_methods(["GET", "POST"]))
    def invite_view(self, request: HttpRequest) -> HttpResponse:
        if not (request.user.is_secretariat and request.user.has_perm("accounts.add_user")):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["role"] == User.Role.FOCAL_POINT:
                    focal_point_invite(
                        email=data["email"],
                        state_iso3=data["state"].iso3,
                        full_name=data["full_name"],
                        language=data["language"],
                        by=request.user,
                    )
                else:
                    secretariat_user_invite(
                        email=data["email"], full_name=data["full_name"], language=data["language"], by=request.user
                    )
            except ValidationError as exc:
                form.add_error("email", exc)
            else:
                # The address as the person typed it: the account keeps it folded to lower case, for signing in.
                invited = _("%(email)s has been invited by e-mail.") % {"email": data["email"].strip()}
                messages.success(request, invited)
                return redirect("admin:accounts_user_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Invite a user"),
            "form": form,
        }
        return TemplateResponse(request, "admin/accounts/user/invite.html", context)


# django-otp registers its devices on the default site, which is this restricted admin. A device's page
# would show any member's TOTP secret (its QR code) and let it be changed without an audit row; devices
# are set up by their owner on the enrolment page and removed by `manage.py reset_second_factor`.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)
