"""The needs register in the restricted admin: read-only rows (writes go through the services on the
portal pages) and the CSV import with a preview."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from accounts.admin_import import CsvImportAdmin
from accounts.models import User
from accounts.tokens import Purpose
from needs.imports import COLUMNS, OPTIONAL_COLUMNS, need_import
from needs.models import NEED_HISTORY, Need
from portal.admin_site import ReadOnlyAdminMixin
from portal.csv_import import ImportOutcome
from portal.history import HistoryChangesAdmin


@admin.register(Need)
class NeedAdmin(CsvImportAdmin, ReadOnlyAdminMixin, HistoryChangesAdmin):
    history_records = NEED_HISTORY
    import_purpose = Purpose.NEEDS_IMPORT
    import_title = gettext_lazy("Import needs")
    import_permission = "needs.add_need"
    import_columns = COLUMNS
    import_optional_columns = OPTIONAL_COLUMNS
    import_template_file_name = "needs-import-template.csv"
    import_preview_rows_template = "admin/needs/need/import_preview_rows.html"
    list_display = ["title", "requesting_state", "assistance_type", "priority", "status", "review_cycle", "updated_at"]
    list_filter = [
        "status",
        "priority",
        "source",
        "review_cycle",
        "requesting_state__regional_group",
        "assistance_type",
    ]
    search_fields = [
        "title",
        "external_id",
        "requesting_state__name",
        "requesting_state__name_fr",
        "requesting_state__name_es",
    ]
    list_select_related = ["requesting_state", "assistance_type"]
    change_list_template = "admin/needs/need/change_list.html"

    def import_run(self, *, csv_text: str, by: User, dry_run: bool) -> ImportOutcome:
        return need_import(csv_text=csv_text, by=by, dry_run=dry_run)
