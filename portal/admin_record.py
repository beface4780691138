"""A read-only admin record's fieldsets and tabular inlines written in Python: the same HTML as Django's.

For a member who may view a record but not change it, Django still builds the whole edit machinery to show it:
a model form and a formset per inline, an AdminForm, bound fields, then `includes/fieldset.html` and
`edit_inline/tabular.html` with a template lookup per line, label and cell (issue 13: of the expert record's
37 ms, 14 went to building the form and formsets and 23 to the templates). `written_record` gives
admin/written_change_form.html the same fieldsets and inlines as HTML, each value found the way
AdminReadonlyField.contents finds it (Django's own lookup_field, display_for_field, boolean icons and admin
links); tests/portal/test_admin_record.py compares the two pages. A page it does not know how to write (lines
of several fields, collapsible or stacked parts, custom forms, change links in the inlines) is left to Django:
`written_record` answers None.
"""

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.utils import (
    display_for_field,
    flatten_fieldsets,
    help_text_for_field,
    label_for_field,
    lookup_field,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.forms.models import _get_foreign_key
from django.http import HttpRequest
from django.template.defaultfilters import linebreaksbr
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

TABULAR = "admin/edit_inline/tabular.html"


def _admin_link(model_admin: admin.options.BaseModelAdmin, related: models.Model) -> str:
    """AdminReadonlyField.get_admin_url: a link to the related record's admin page, or its name."""
    opts = related._meta
    try:
        url = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[quote(related.pk)],
            current_app=model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return str(related)
    return format_html('<a href="{}">{}</a>', url, related)


def readonly_contents(name: str, obj: models.Model, model_admin: admin.options.BaseModelAdmin, empty: str) -> str:
    """What AdminReadonlyField.contents shows for field NAME of OBJ, escaped."""
    try:
        field, attr, value = lookup_field(name, obj, model_admin)
    except (AttributeError, ValueError, ObjectDoesNotExist):
        return conditional_escape(empty)
    if field is None:
        if getattr(attr, "boolean", False):
            shown = _boolean_icon(value)
        elif hasattr(value, "__html__"):
            shown = value
        else:
            shown = linebreaksbr(value)
        return conditional_escape(shown)
    if isinstance(field.remote_field, models.ManyToManyRel) and value is not None:
        shown = ", ".join(map(str, value.all()))
    elif isinstance(field.remote_field, (models.ForeignObjectRel, models.OneToOneField)) and value is not None:
        shown = _admin_link(model_admin, value)
    else:
        shown = display_for_field(value, field, empty)
    return conditional_escape(linebreaksbr(shown))


def _plain_form(model_admin: admin.options.BaseModelAdmin) -> bool:
    """The admin's form adds no labels, help texts or fields of its own, so the model says everything."""
    return model_admin.form is forms.ModelForm


def _single_fields(fieldsets: list) -> list[tuple[Any, dict, list[str]]] | None:
    written = []
    for name, options in fieldsets:
        fields = list(options.get("fields", ()))
        if any(not isinstance(field, str) for field in fields):
            return None  # a line of several fields, or a callable
        written.append((name, options, fields))
    return written


def _fieldsets_html(model_admin: admin.ModelAdmin, obj: models.Model, fieldsets: list) -> SafeString | None:
    planned = _single_fields(fieldsets)
    if planned is None or not _plain_form(model_admin):
        return None
    model = model_admin.model
    empty = model_admin.get_empty_value_display()
    suffix = conditional_escape(gettext(":"))
    parts = []
    for index, (name, options, fields) in enumerate(planned):
        classes = " ".join(options.get("classes", ()))
        if "collapse" in classes:
            return None
        heading_id = f"fieldset-0-{index}-heading"
        labelled = f' aria-labelledby="{heading_id}"' if name else ""
        parts.append(f'<fieldset class="module aligned {conditional_escape(classes)}"{labelled}>')
        if name:
            parts.append(f'<h2 id="{heading_id}" class="fieldset-heading">{conditional_escape(name)}</h2>')
        if description := options.get("description"):
            parts.append(f'<div class="description">{description}</div>')
        for field in fields:
            try:
                label = label_for_field(field, model, model_admin)
            except AttributeError:
                return None
            help_text = help_text_for_field(field, model)
            help_html = f'<div class="help"><div>{help_text}</div></div>' if help_text else ""
            contents = readonly_contents(field, obj, model_admin, empty)
            parts.append(
                f'<div class="form-row field-{conditional_escape(field)}"><div class="flex-container">'
                f"<label>{conditional_escape(capfirst(label))}{suffix}</label>{help_html}"
                f'<div class="readonly">{contents}</div></div></div>'
            )
        parts.append("</fieldset>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped, as the template's autoescape


def _hidden(name: str, value: Any) -> str:
    shown = "" if value is None or value == "" else f' value="{conditional_escape(str(value))}"'
    return f'<input type="hidden" name="{conditional_escape(name)}"{shown} id="id_{conditional_escape(name)}">'


def _inline_html(
    inline: admin.options.InlineModelAdmin,
    request: HttpRequest,
    obj: models.Model,
    prefix: str,
    fk: models.ForeignKey,
    last: bool,
) -> str | None:
    opts = inline.model._meta
    if inline.template != TABULAR or inline.show_change_link or hasattr(inline.model, "get_absolute_url"):
        return None
    if not (opts.auto_field or not opts.pk.editable) or not _plain_form(inline):
        return None
    classes = " ".join(inline.classes or ())
    if "collapse" in classes:
        return None
    fieldsets = list(inline.get_fieldsets(request, obj))
    if _single_fields(fieldsets) is None:
        return None
    fields = [field for field in flatten_fieldsets(fieldsets) if field != fk.name]
    rows = inline.get_queryset(request).filter(**{fk.name: obj})
    if not rows.ordered:
        rows = rows.order_by(opts.pk.name)
    rows = list(rows)
    empty = inline.get_empty_value_display()
    data = json.dumps(
        {
            "name": f"#{prefix}",
            "options": {
                "prefix": prefix,
                "addText": gettext("Add another %(verbose_name)s") % {"verbose_name": capfirst(inline.verbose_name)},
                "deleteText": gettext("Remove"),
            },
        }
    )
    management = "".join(
        _hidden(f"{prefix}-{key}", value)
        for key, value in (
            ("TOTAL_FORMS", len(rows)),
            ("INITIAL_FORMS", len(rows)),
            ("MIN_NUM_FORMS", inline.get_min_num(request, obj) or 0),
            ("MAX_NUM_FORMS", 0),
        )
    )
    headers = []
    for field in fields:
        try:
            label = label_for_field(field, inline.model, inline)
        except AttributeError:
            return None
        help_text = help_text_for_field(field, inline.model)
        icon = ""
        if help_text:
            tip = escape(strip_tags(help_text))
            icon = (
                f'<img src="{escape(static("admin/img/icon-unknown.svg"))}" class="help help-tooltip" width="10" '
                f'height="10" alt="({tip})" title="{tip}">'
            )
        headers.append(
            f'<th class="column-{conditional_escape(field)}">{conditional_escape(capfirst(label))}{icon}</th>'
        )
    key = conditional_escape(prefix)
    body = []
    parent_value = getattr(obj, fk.remote_field.field_name)
    for index, row in enumerate(rows):
        cells = "".join(
            f'<td class="field-{conditional_escape(field)}"><p>{readonly_contents(field, row, inline, empty)}</p></td>'
            for field in fields
        )
        body.append(
            f'<tr class="form-row has_original" id="{key}-{index}"><td class="original">'
            f"<p>{conditional_escape(str(row))}</p>"
            f"{_hidden(f'{prefix}-{index}-{opts.pk.name}', row.pk)}"
            f"{_hidden(f'{prefix}-{index}-{fk.name}', parent_value)}"
            f'</td>{cells}<td class="delete"></td></tr>'
        )
    heading = inline.verbose_name if inline.max_num == 1 else inline.verbose_name_plural
    return (
        f'<div class="js-inline-admin-formset inline-group" id="{key}-group" '
        f'data-inline-type="tabular" data-inline-formset="{escape(data)}">'
        f'<div class="tabular inline-related {"last-related" if last else ""}">{management}'
        f'<fieldset class="module {conditional_escape(classes)}" aria-labelledby="{key}-heading">'
        f'<h2 id="{key}-heading" class="inline-heading">{conditional_escape(capfirst(heading))}</h2>'
        f'<div class="wrapper"><table><thead><tr><th class="original"></th>{"".join(headers)}<th></th></tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div></fieldset></div></div>"
    )


def _inlines_html(
    model_admin: admin.ModelAdmin, request: HttpRequest, obj: models.Model, inline_instances: list
) -> SafeString | None:
    parts = []
    prefixes: dict[str, int] = {}
    for index, inline in enumerate(inline_instances):
        try:
            fk = _get_foreign_key(model_admin.model, inline.model, fk_name=inline.fk_name)
        except ValueError:
            return None
        # BaseInlineFormSet.get_default_prefix, numbered as ModelAdmin._create_formsets numbers a repeated one.
        prefix = fk.remote_field.get_accessor_name(model=inline.model).replace("+", "")
        prefixes[prefix] = prefixes.get(prefix, 0) + 1
        if prefixes[prefix] != 1 or not prefix:
            prefix = f"{prefix}-{prefixes[prefix]}"
        written = _inline_html(inline, request, obj, prefix, fk, last=index == len(inline_instances) - 1)
        if written is None:
            return None
        parts.append(written)
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped, as the template's autoescape


def written_record(
    model_admin: admin.ModelAdmin, request: HttpRequest, obj: models.Model, inline_instances: list
) -> dict[str, SafeString] | None:
    """The fieldsets and inlines of OBJ's read-only change form as Django writes them; None for a page it
    leaves to Django."""
    try:
        fieldsets = list(model_admin.get_fieldsets(request, obj))
    except FieldDoesNotExist:
        return None
    written_fieldsets = _fieldsets_html(model_admin, obj, fieldsets)
    if written_fieldsets is None:
        return None
    written_inlines = _inlines_html(model_admin, request, obj, inline_instances)
    if written_inlines is None:
        return None
    return {"fieldsets": written_fieldsets, "inlines": written_inlines}
