"""API clients in the restricted admin: listed and revoked there, created only by `create_api_client`."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey

from portal.admin_site import ReadOnlyAdminMixin
from stats.models import ApiClient
from stats.services import api_client_revoke

# The library's own key model is not used: the portal's clients are stats.ApiClient.
admin.site.unregister(APIKey)


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # A key is shown once, by the command that creates it; here a client is only seen, or revoked.
    list_display = ["name", "prefix", "created", "expiry_date", "revoked", "daily_cell_quota"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix"]
    fields = readonly_fields = list_display
    actions = ["revoke"]

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_secretariat", False))

    @admin.action(description=_("Revoke the selected clients' keys"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset.filter(revoked=False):
            api_client_revoke(client=client, by=request.user)
        messages.success(request, _("The keys are revoked."))
