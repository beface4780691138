"""A form renderer that writes the simplest widget templates and labels in Python, byte for byte as Django's.

A long form (the CV template: 130 fields in its formsets) spends most of its time in the template engine
rendering `<input>`, `<textarea>` and `<label>` through their includes. This renderer writes those few
templates directly and hands every other template (selects, radios, anything project- or admin-specific)
to Django's own renderer; tests/portal/test_form_renderer.py compares both outputs.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def html_attrs(attrs: Mapping[str, Any]) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: in order, True as a bare name, False left out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


def _input(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = widget["value"]
    shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" name="{conditional_escape(widget["name"])}"'
        f"{shown}{html_attrs(widget['attrs'])}>"
    )


def _textarea(context: Mapping[str, Any]) -> str:
    widget = context["widget"]
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{conditional_escape(widget["name"])}"{html_attrs(widget["attrs"])}>\n{value}</textarea>'


def _label(context: Mapping[str, Any]) -> str:
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return str(label)
    tag = conditional_escape(context["tag"])
    return f"<{tag}{html_attrs(context['attrs'] or {})}>{label}</{tag}>"


INPUT_TYPES = ("text", "email", "number", "date", "hidden", "checkbox", "url", "tel", "search", "password")
WRITTEN: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in INPUT_TYPES},
    "django/forms/widgets/input.html": _input,
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/label.html": _label,
}


class PythonWrittenRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> SafeString:
        write = WRITTEN.get(template_name)
        if write is None:
            return super().render(template_name, context, request)
        # Every value the writers put in the HTML went through conditional_escape, as the templates' autoescape.
        return mark_safe(write(context))  # noqa: S308


python_written = PythonWrittenRenderer()
