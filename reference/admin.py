from django.contrib import admin

from portal.admin_site import ReadOnlyAdminMixin
from reference.models import Article, AssistanceType, Chapter, Country, Language


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reference data changes only through migrations, so that every install holds the same facts."""


@admin.register(Chapter)
class ChapterAdmin(ReadOnlyAdmin):
    list_display = ["numeral", "title"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "chapter"]
    list_filter = ["chapter"]
    search_fields = ["title", "=number"]


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    list_display = ["iso3", "name", "regional_group", "uncac_status", "is_un_member"]
    list_filter = ["regional_group", "uncac_status", "is_un_member", "legal_systems"]
    search_fields = ["name", "iso3"]


@admin.register(Language)
class LanguageAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "is_un_language"]
    search_fields = ["name", "code"]


@admin.register(AssistanceType)
class AssistanceTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
