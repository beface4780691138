"""The rows of a long admin list, with each column's lookups made once per page rather than once per cell.

Django's `{% result_list %}` looks up every column again for every row: the field or method behind the name, its
empty value, whether it is a boolean, the choices' labels, the link and its table tag (issue 13: half the experts
list's time, 550 cells a page). `written_result_list` gives the same template the same context, cell for cell the
same HTML (tests/portal/test_admin_list.py compares them): the decisions that depend only on the column are made
once, and a column it does not know how to plan (a model attribute, a path through a relation) is looked up per
cell by Django's own code.
"""

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass
class _Column:
    name: str
    classes: str
    link: bool
    table_tag: str
    empty: str
    model_field: models.Field | None = None
    method: Callable[[Any], Any] | None = None
    boolean: bool = False
    choices: dict[Any, Any] | None = None
    icons: dict[Any, str] = field(default_factory=dict)


def _planned_field(opts: Any, name: str) -> models.Field | None:
    """The model field a column shows, when Django's lookup_field would take it as one."""
    if not isinstance(name, str) or LOOKUP_SEP in name:
        return None
    try:
        model_field = opts.get_field(name)
    except FieldDoesNotExist:
        return None
    if model_field.is_relation and (
        (model_field.many_to_one and not model_field.related_model) or model_field.one_to_many
    ):
        return None
    if model_field.is_relation and not model_field.many_to_one and not model_field.one_to_one:
        return None  # many-to-many: left to Django
    if getattr(model_field, "attname", name) != name and name != model_field.name:
        return None
    return model_field


def _columns(cl: Any) -> list[_Column] | None:
    model_admin = cl.model_admin
    default_empty = model_admin.get_empty_value_display()
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        elif first and not cl.list_display_links:
            link = True
        else:
            link = name in cl.list_display_links
        table_tag = "td"
        if link:
            table_tag = "th" if first else "td"
            first = False
        classes = f"field-{_coerce_field_name(name, index)}"
        model_field = _planned_field(cl.lookup_opts, name)
        if model_field is not None and not model_field.auto_created:
            column = _Column(name, classes, link, table_tag, default_empty, model_field=model_field)
            if getattr(model_field, "flatchoices", None):
                try:
                    column.choices = dict(model_field.flatchoices)
                except TypeError:
                    return None
            if isinstance(model_field, (models.DateField, models.TimeField, models.ForeignKey)):
                column.classes += " nowrap"
        elif model_field is None and isinstance(name, str) and name != "__str__" and hasattr(model_admin, name):
            method = getattr(model_admin, name)
            boolean = getattr(method, "boolean", False)
            empty = getattr(method, "empty_value_display", default_empty)
            column = _Column(name, classes, link, table_tag, empty, method=method, boolean=boolean)
            if name == "action_checkbox":
                column.classes = "action-checkbox"
        else:
            return None
        columns.append(column)
    return columns


def _cell_value(column: _Column, result: models.Model) -> Any:
    if column.method is not None:
        value = column.method(result)
        shown = display_for_value(value, column.empty, column.boolean)
        nowrap = isinstance(value, (datetime.date, datetime.time))
        return shown, nowrap
    value = getattr(result, column.name)
    model_field = column.model_field
    if isinstance(model_field.remote_field, models.ManyToOneRel):
        return (column.empty if value is None else value), False
    if column.choices is not None:
        try:
            return column.choices.get(value, column.empty), False
        except TypeError:
            pass
    elif isinstance(model_field, models.BooleanField) and (value is None or isinstance(value, bool)):
        if value not in column.icons:
            column.icons[value] = _boolean_icon(value)
        return column.icons[value], False
    return display_for_field(value, model_field, column.empty, avoid_link=column.link), False


def _items(cl: Any, columns: list[_Column], result: models.Model) -> Iterator[SafeString]:
    url = None
    for column in columns:
        shown, nowrap = _cell_value(column, result)
        row_class = f' class="{column.classes}{" nowrap" if nowrap else ""}"'
        if column.link:
            if url is None:
                try:
                    url = add_preserved_filters(
                        {"preserved_filters": cl.preserved_filters, "opts": cl.opts}, cl.url_for_result(result)
                    )
                except NoReverseMatch:
                    url = ""
            if url:
                popup = (
                    format_html(' data-popup-opener="{}"', result.serializable_value(cl.to_field or cl.pk_attname))
                    if cl.is_popup
                    else ""
                )
                shown = format_html('<a href="{}"{}>{}</a>', url, popup, shown)
            tag = column.table_tag
            yield mark_safe(f"<{tag}{row_class}>{conditional_escape(shown)}</{tag}>")  # noqa: S308 - escaped here
        else:
            yield mark_safe(f"<td{row_class}>{conditional_escape(shown)}</td>")  # noqa: S308 - escaped here


def written_result_list(cl: Any) -> dict[str, Any]:
    """The context Django's {% result_list cl %} gives admin/change_list_results.html, the same HTML, faster."""
    columns = None if cl.formset else _columns(cl)
    if columns is None:
        return result_list(cl)
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": [ResultList(None, _items(cl, columns, result)) for result in cl.result_list],
    }
