from collections.abc import Callable
from functools import wraps
from importlib import import_module
from importlib.util import find_spec

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from portal.access import SECRETARIAT_GROUP, second_factor_done, second_factor_pending
from portal.admin_list import written_result_list
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
