from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SecretariatAdminSite(admin.AdminSite):
    """The restricted admin: secretariat staff only, never a focal point, even one marked staff."""

    site_header = _("UNCAC expert roster: secretariat")
    site_title = _("Secretariat")
    index_title = _("Secretariat workspace")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "is_secretariat", False))
