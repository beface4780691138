from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "state", "is_active", "last_login"]
    list_filter = ["role", "is_active", "state__regional_group"]
    search_fields = ["email", "full_name"]
    list_select_related = ["state"]
    autocomplete_fields = ["state"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        (_("Role"), {"fields": ["role", "state", "is_active", "is_staff", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "role", "state", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
