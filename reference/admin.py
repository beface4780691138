from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.admin_site import ReadOnlyAdminMixin
from reference.models import Article, AssistanceType, Chapter, Country, Language
from reference.services import country_status_check, country_status_update


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reference data changes only through migrations, so that every install holds the same facts."""

    @admin.display(description=_("name"))
    def shown_name(self, obj: Chapter | Article | Country | Language | AssistanceType) -> str:
        return obj.display_name


@admin.register(Chapter)
class ChapterAdmin(ReadOnlyAdmin):
    list_display = ["numeral", "shown_name"]


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ["number", "shown_name", "chapter"]
    list_filter = ["chapter"]
    search_fields = ["title", "title_fr", "title_es", "=number"]


class CountryStatusForm(forms.ModelForm):
    class Meta:
        model = Country
        fields = ["uncac_status", "uncac_status_date"]

    def clean(self) -> dict:
        data = super().clean()
        country_status_check(status=data.get("uncac_status"), date=data.get("uncac_status_date"))
        return data


@admin.register(Country)
class CountryAdmin(ReadOnlyAdmin):
    """A State's UNCAC status changes when it signs or joins, and the secretariat records it here
    (audited); every other fact about a country comes from the reference files through migrations."""

    form = CountryStatusForm
    list_display = ["iso3", "shown_name", "regional_group", "uncac_status", "uncac_status_date", "is_un_member"]
    list_filter = ["regional_group", "uncac_status", "is_un_member", "legal_systems"]
    search_fields = ["name", "name_fr", "name_es", "iso3"]
    fields = [
        "iso3",
        "name",
        "name_fr",
        "name_es",
        "regional_group",
        "is_un_member",
        "legal_systems",
        "legal_system_text",
        "uncac_status",
        "uncac_status_date",
    ]
    # Only the UNCAC status and its date are the secretariat's to change.
    readonly_fields = [name for name in fields if name not in ("uncac_status", "uncac_status_date")]

    def has_change_permission(self, request: HttpRequest, obj: Country | None = None) -> bool:
        user = request.user
        return bool(getattr(user, "is_secretariat", False)) and user.has_perm("reference.change_country")

    def save_model(self, request: HttpRequest, obj: Country, form: CountryStatusForm, change: bool) -> None:
        country_status_update(
            by=request.user,
            country=obj,
            status=form.cleaned_data["uncac_status"],
            date=form.cleaned_data["uncac_status_date"],
        )


@admin.register(Language)
class LanguageAdmin(ReadOnlyAdmin):
    list_display = ["code", "shown_name", "is_un_language"]
    search_fields = ["name", "name_fr", "name_es", "code"]


@admin.register(AssistanceType)
class AssistanceTypeAdmin(ReadOnlyAdmin):
    list_display = ["code", "shown_name"]
