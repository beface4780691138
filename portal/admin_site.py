from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import (
    EMPTY_VALUE_STRING,
    IS_POPUP_VAR,
    SOURCE_MODEL_VAR,
    TO_FIELD_VAR,
    get_content_type_for_model,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value, unquote
from django.core.exceptions import BadRequest
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.access import SECRETARIAT_GROUP, second_factor_done, second_factor_pending
from portal.admin_list import written_result_list
from portal.admin_record import written_record
from portal.attention import attention_for
from portal.form_renderer import python_written

# A record's past is there to be read. simple_history's page of a past version saves a posted form
# with view permission alone (the whole record rewritten to that version, State and status included,
# with no audit row), and Django's history list has nothing to receive either.
HISTORY_VIEWS = frozenset({"history_view", "history_form_view"})


class SecretariatAdminSite(admin.AdminSite):
    """The restricted admin: secretariat staff only, never a focal point, even one marked staff."""

    site_header = _("UNCAC expert roster: secretariat")
    site_title = _("Secretariat")
    index_title = _("Secretariat workspace")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and getattr(user, "is_secretariat", False)
            and second_factor_done(user)
            and self._in_secretariat_group(request)
        )

    @staticmethod
    def _in_secretariat_group(request: HttpRequest) -> bool:
        # Asked several times per page (the gate, then each_context): read once per request.
        if not hasattr(request, "_in_secretariat_group"):
            user = request.user
            request._in_secretariat_group = user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()
        return request._in_secretariat_group

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # A member who gave the password but not yet the code is sent on to the code, not asked to sign in again.
        return second_factor_pending(request) or super().login(request, extra_context)

    def get_urls(self) -> list:
        # Before the admin's own patterns: its last one takes any first path segment as an app label.
        return self.workspace_urls() + super().get_urls()

    def workspace_urls(self) -> list[URLPattern]:
        """The secretariat's own pages, under /secretariat/workspace/, each behind this site's gate.

        An app declares them in a `workspace_urls` module (a plain `urlpatterns` list of `path()`s); they
        are named in the admin's namespace (`admin:<name>`) and pass through `admin_view`, so the
        secretariat-only check, and whatever sign-in step the site asks, applies to every one of them.
        """
        patterns: list[URLPattern] = []
        for config in apps.get_app_configs():
            module_name = f"{config.name}.workspace_urls"
            if find_spec(module_name) is None:
                continue
            for pattern in import_module(module_name).urlpatterns:
                patterns.append(
                    path(f"workspace/{pattern.pattern}", self.admin_view(pattern.callback), name=pattern.name)
                )
        return patterns

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # The validation queue and whatever else waits for the member, as on the portal's home page.
        context = {"workspace_pages": self.workspace_pages(), "attention": attention_for(user=request.user)}
        return super().index(request, {**context, **(extra_context or {})})

    def workspace_pages(self) -> list[tuple[str, str]]:
        """The workspace pages listed on the index: an app's workspace_urls may name some in `menu`, a list of
        (url name, label) pairs."""
        pages = []
        for config in apps.get_app_configs():
            module_name = f"{config.name}.workspace_urls"
            if find_spec(module_name) is None:
                continue
            for name, label in getattr(import_module(module_name), "menu", ()):
                pages.append((reverse(f"{self.name}:{name}"), str(label)))
        return pages

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
        # Here rather than in each model's admin, so that no admin registered now or later (a third
        # party's included) can forget it.
        if getattr(view, "__name__", None) in HISTORY_VIEWS:
            view = require_safe(view)
        if getattr(view, "__name__", None) == "changelist_view":
            view = lookup_beyond_the_database_refused(view)
        gated = super().admin_view(view, cacheable)
        if getattr(view, "__name__", None) == "logout":
            return gated  # signing out never waits for the second factor

        @wraps(gated)
        def second_factor_first(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            # Straight to the second factor's step rather than through the admin's sign-in page.
            return second_factor_pending(request) or gated(request, *args, **kwargs)

        return second_factor_first


def lookup_beyond_the_database_refused(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A list filtered by a value no column can hold is a bad request (400), not a server error.

    A year past 9999 (`created_at__year=99999`) or, on SQLite, a number past 64 bits passes the admin's
    own check of its lookups and fails only when the list is counted, as a ValueError or OverflowError.
    """

    @wraps(view)
    def refusing(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        try:
            return view(request, *args, **kwargs)
        except (ValueError, OverflowError) as error:
            raise BadRequest("A lookup value that no column can hold.") from error

    return refusing


class WrittenListMixin:
    """A long list's rows written with each column looked up once per page (portal/admin_list.py) and its row
    checkboxes (for the actions) without a template per row: the same HTML as Django's. The model's
    change_list.html extends admin/written_change_list.html, which shows these rows."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:  # not the redirect after an action
            context["written_results"] = written_result_list(context["cl"])
        return response

    def action_checkbox(self, obj: object) -> SafeString:
        attrs = {
            "class": "action-select",
            "aria-label": format_html(gettext("Select this object for an action - {}"), str(obj)),
        }
        checkbox = forms.CheckboxInput(attrs, lambda value: False)
        return checkbox.render(ACTION_CHECKBOX_NAME, str(obj.pk), renderer=python_written)


class WrittenRecordMixin:
    """A record the member may view but not change, shown without building the form to change it: its fieldsets
    and inlines written once in Python (portal/admin_record.py), the same HTML as Django's read-only page. The
    model's change_form.html extends admin/written_change_form.html, which shows them; `change_form_context`
    adds what that template shows besides, on either way of writing the page."""

    def change_form_context(self, request: HttpRequest, obj: models.Model) -> dict:
        return {}

    def render_change_form(
        self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "", obj=None
    ) -> HttpResponse:
        if obj is not None:
            context.update(self.change_form_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        plain = not any(key in request.GET for key in (TO_FIELD_VAR, IS_POPUP_VAR, SOURCE_MODEL_VAR))
        if request.method in ("GET", "HEAD") and plain:
            obj = self.get_object(request, unquote(object_id))
            if (
                obj is not None
                and self.has_view_permission(request, obj)
                and not self.has_change_permission(request, obj)
            ):
                inline_instances = self.get_inline_instances(request, obj)
                written = written_record(self, request, obj, inline_instances)
                if written is not None:
                    return self._written_change_form(
                        request, obj, object_id, form_url, extra_context, written, inline_instances
                    )
        return super().change_view(request, object_id, form_url, extra_context)

    def _written_change_form(
        self,
        request: HttpRequest,
        obj: models.Model,
        object_id: str,
        form_url: str,
        extra_context: dict | None,
        written: dict,
        inline_instances: list,
    ) -> TemplateResponse:
        """The context ModelAdmin._changeform_view and render_change_form give a read-only record's page."""
        opts = self.opts
        media = self.media
        for inline in inline_instances:
            media += inline.media
        preserved_filters = self.get_preserved_filters(request)
        view_on_site_url = self.get_view_on_site_url(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("View %s") % opts.verbose_name,
            "subtitle": display_for_value(str(obj), EMPTY_VALUE_STRING),
            "written_record": written,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "source_model": None,
            "to_field": None,
            "media": media,
            "action_form": None,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "inline_admin_formsets": [],
            "errors": [],
            "preserved_filters": preserved_filters,
            **(extra_context or {}),
            "add": False,
            "change": True,
            "has_view_permission": True,
            "has_add_permission": self.has_add_permission(request),
            "has_change_permission": False,
            "has_delete_permission": self.has_delete_permission(request, obj),
            "has_editable_inline_admin_formsets": False,
            "has_file_field": False,
            "has_absolute_url": view_on_site_url is not None,
            "absolute_url": view_on_site_url,
            "form_url": add_preserved_filters({"preserved_filters": preserved_filters, "opts": opts}, form_url),
            "opts": opts,
            "content_type_id": get_content_type_for_model(self.model).pk,
            "save_as": self.save_as,
            "save_on_top": self.save_on_top,
            "to_field_var": TO_FIELD_VAR,
            "is_popup_var": IS_POPUP_VAR,
            "source_model_var": SOURCE_MODEL_VAR,
            "app_label": opts.app_label,
            **self.change_form_context(request, obj),
        }
        request.current_app = self.admin_site.name
        templates = [
            f"admin/{opts.app_label}/{opts.model_name}/change_form.html",
            f"admin/{opts.app_label}/change_form.html",
            "admin/written_change_form.html",
        ]
        return TemplateResponse(request, self.change_form_template or templates, context)


class ReadOnlyAdminMixin:
    """Shows records without ever adding, changing or deleting one: for a model admin or an inline.

    The records it serves are written elsewhere (through the audited services, or by migrations for
    reference data), where the rules and the audit trail live.
    """

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
