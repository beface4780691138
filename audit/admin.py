from django.contrib import admin

from audit.models import AuditEvent
from portal.admin_site import ReadOnlyAdminMixin


# The trail is append-only: nobody edits or deletes it through the admin.
@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_id", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_id", "target_repr", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
