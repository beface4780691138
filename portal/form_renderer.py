"""A form renderer that writes the simplest widget templates and labels in Python, byte for byte as Django's.

A long form (the CV template: 130 fields in its formsets) spends most of its time in the template engine
rendering `<input>`, `<textarea>` and `<label>` through their includes. This renderer writes those few
templates directly and hands every other template (selects, radios, anything project- or admin-specific)
to Django's own renderer; tests/portal/test_form_renderer.py compares both outputs.

It also writes the project's two layouts of a form, byte for byte as their templates: includes/form.html (a
whole form, field after field: a form whose `template_name` names it renders so with `{{ form }}`) and
includes/field.html (one field with its label, help and errors: a field whose `template_name` names it renders
so with `{{ form.name.as_field_group }}`). Through the template engine the CV template's 120 fields cost more
than everything else on the page.
"""

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def escape_text(value: Any) -> str:
    """conditional_escape, without its check for lazy arguments when the value is a plain str (most of the page's
    3,000 escapes: names, ids, values, labels)."""
    return html.escape(value) if type(value) is str else conditional_escape(value)


def html_attrs(attrs: Mapping[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: in order, True as a bare name, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {escape_text(name)}")
        else:
            parts.append(f' {escape_text(name)}="{escape_text(str(value))}"')
    return "".join(parts)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{escape_text(str(value))}"'
    return (
        f'<input type="{escape_text(widget["type"])}" name="{escape_text(widget["name"])}"'
        f"{shown}{html_attrs(widget['attrs'])}>"
    )


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = escape_text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape_text(widget["name"])}"{html_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    label = escape_text(context["label"])
    if not context["use_tag"]:
        return str(label)
    tag = escape_text(context["tag"])
    return f"<{tag}{html_attrs(context['attrs'] or {})}>{label}</{tag}>"


def _hidden_only(context: Mapping[str, Any]) -> str | None:
    """django/forms/div.html for a form of hidden fields without errors (a formset's management form): the
    fields one after the other, once the renderer has stripped the template's blank lines. Any other form is
    left to the template (None)."""
    if context["fields"] or context["errors"]:
        return None
    return "".join(str(field) for field in context["hidden_fields"])


def _label_read(field: Any) -> None:
    # A lazy label is translated again each time label_tag reads it (three times); read it once.
    field.label = str(field.label)


def _errors_html(errors: Any) -> str:
    return "".join(f'<p class="error" role="alert">{escape_text(error)}</p>' for error in errors)


def _form(context: Mapping[str, Any]) -> str:
    """templates/includes/form.html."""
    form = context["form"]
    non_field = form.non_field_errors()
    parts = [
        '<div class="errors" role="alert">' + "".join(f"<p>{escape_text(e)}</p>" for e in non_field) + "</div>"
        if non_field
        else "",
        "\n",
        *(str(field) for field in form.hidden_fields()),
        "\n",
    ]
    for field in form.visible_fields():
        errors = field.errors
        _label_read(field)
        # The template writes the help text as it is (|safe).
        help_html = f'<p class="help" id="{escape_text(field.auto_id)}_helptext">{field.help_text}</p>'
        parts.append(
            f'\n<div class="field{" has-error" if errors else ""}">\n  {field.label_tag()}\n  {field}\n'
            f"  {help_html if field.help_text else ''}\n  {_errors_html(errors)}\n</div>\n"
        )
    parts.append("\n")
    return "".join(parts)


def _field(context: Mapping[str, Any]) -> str:
    """templates/includes/field.html, for a field the form has (the template also skips a missing one)."""
    field = context["field"]
    errors = field.errors
    has_error = " has-error" if errors else ""
    help_html = (
        f'<p class="help" id="{escape_text(field.auto_id)}_helptext">{escape_text(field.help_text)}</p>'
        if field.help_text
        else ""
    )
    if field.use_fieldset:
        opening = f'<fieldset class="field{has_error}">\n  <legend>{escape_text(field.label)}</legend>\n'
        closing = "</fieldset>"
    else:
        _label_read(field)
        opening = f'<div class="field{has_error}">\n  {field.label_tag()}\n'
        closing = "</div>"
    return f"{opening}  {field}\n\n  {help_html}\n  {_errors_html(errors)}\n{closing}\n"


INPUT_TYPES = ("text", "email", "number", "date", "hidden", "checkbox", "url", "tel", "search", "password")
WRITTEN: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in INPUT_TYPES},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
    "includes/form.html": _form,
    "includes/field.html": _field,
    "django/forms/div.html": _hidden_only,
}


class PythonWrittenRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString:
        write = WRITTEN.get(template_name)
        written = None if write is None else write(context)
        if written is None:
            return super().render(template_name, context, request)
        # Every value the writers put in the HTML went through conditional_escape, as the templates' autoescape.
        return mark_safe(written)  # noqa: S308


python_written = PythonWrittenRenderer()
