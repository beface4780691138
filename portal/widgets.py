"""Choice widgets that render long lists (countries, languages, articles) without a template per option.

Django renders each <option> and each checkbox through its own template include: the CV template's
country and language lists made some 11,000 includes per page (issue 13, item 3). These widgets write
the same HTML in Python from an `OptionList`, whose labels are escaped once, so a list shared by
several fields of a page (nationality, countries worked in, declared conflicts) is read and escaped
once per request and each field only marks what it has selected.
"""

from collections.abc import Collection, Iterable, Iterator
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from portal.form_renderer import escape_text, html_attrs

# (value, escaped label) pairs, or (escaped group label, [(value, escaped label), ...]) for an optgroup.
Option = tuple[str, str]


class OptionList(BaseChoiceIterator):
    """Choices with their labels escaped once; iterable as (value, label) pairs like any choice list.

    A choice iterator, so that a ChoiceField keeps it as it is rather than copying it into a list."""

    def __init__(self, choices: Iterable[Any]) -> None:
        # iter() first: list() would ask a ModelChoiceIterator its length, which is one more query (a COUNT).
        self.choices: list[tuple[Any, Any]] = list(iter(choices))
        self.groups: list[tuple[str | None, list[Option]]] = []
        for value, label in self.choices:
            if isinstance(label, (list, tuple)):
                self.groups.append((str(escape_text(value)), [_option(v, sub) for v, sub in label]))
            elif self.groups and self.groups[-1][0] is None:
                self.groups[-1][1].append(_option(value, label))
            else:
                self.groups.append((None, [_option(value, label)]))

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)

    def with_blank(self, label: str = "---------") -> "OptionList":
        """The same list after a blank choice, its labels not escaped again."""
        blank = OptionList([("", label)])
        blank.choices += self.choices
        blank.groups += self.groups
        return blank

    def options(self) -> Iterator[Option]:
        for _group, options in self.groups:
            yield from options

    def options_html(self, selected: Collection[str]) -> str:
        parts = []
        for group, options in self.groups:
            if group is not None:
                parts.append(f'<optgroup label="{group}">')
            parts.extend(
                f'<option value="{value}"{" selected" if value in selected else ""}>{label}</option>'
                for value, label in options
            )
            if group is not None:
                parts.append("</optgroup>")
        return "".join(parts)


def _option(value: Any, label: Any) -> Option:
    return str(escape_text("" if value is None else value)), str(escape_text(label))


def _option_list(choices: Any) -> OptionList:
    return choices if isinstance(choices, OptionList) else OptionList(choices)


def _selected(values: Any) -> set[str]:
    return {str(v) for v in values if v is not None}


class ListedSelect(forms.Select):
    """A <select> written in Python; give it an OptionList as its choices to share one between fields."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        options = _option_list(self.choices).options_html(_selected(self.format_value(value)))
        # The name and attributes are escaped here, the options' values and labels by OptionList.
        return mark_safe(f'<select name="{escape_text(name)}"{html_attrs(final)}>{options}</select>')  # noqa: S308


class ListedCheckboxes(forms.CheckboxSelectMultiple):
    """Django's own checkbox list, byte for byte, written in Python (the roster list's 71 articles were 71 includes)."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.get("id")
        selected = _selected(self.format_value(value))
        name_html = escape_text(name)
        outer_id = f' id="{escape_text(base_id)}"' if base_id else ""
        outer_class = f' class="{escape_text(final["class"])}"' if final.get("class") else ""
        parts = [f"<div{outer_id}{outer_class}>"]
        index = 0
        for group, options in _option_list(self.choices).groups:
            if group is not None:
                parts.append(f"\n  <div><label>{group}</label>")
            for subindex, (option_value, label) in enumerate(options):
                option_attrs = dict(final)
                if option_value in selected:
                    option_attrs["checked"] = True
                if base_id:
                    option_attrs["id"] = f"{base_id}_{index}" if group is None else f"{base_id}_{index}_{subindex}"
                label_for = f' for="{escape_text(option_attrs["id"])}"' if option_attrs.get("id") else ""
                parts.append(
                    f'<div>\n    <label{label_for}><input type="checkbox" name="{name_html}" value="{option_value}"'
                    f"{html_attrs(option_attrs)}>\n {label}</label>\n\n</div>"
                )
                if group is None:
                    index += 1
            if group is not None:
                parts.append("\n  </div>")
                index += 1
        parts.append("\n</div>")
        # The name and attributes are escaped here, the options' values and labels by OptionList.
        return mark_safe("".join(parts))  # noqa: S308


class FilteredCheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes for a long list (countries) written in Python, in a box that static/js/choice-filter.js gives
    a search field; without JavaScript the whole list shows, in a scrolling box."""

    def __init__(self, attrs: dict | None = None, *, filter_label: str = "") -> None:
        super().__init__(attrs)
        self.filter_label = filter_label

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        base_id = final.pop("id", "") or f"id_{name}"
        final.pop("required", None)
        selected = _selected(self.format_value(value))
        name_html, attrs_html = escape_text(name), html_attrs(final)
        items = []
        for index, (option_value, label) in enumerate(_option_list(self.choices).options()):
            checked = " checked" if option_value in selected else ""
            item_id = f"{base_id}_{index}"
            items.append(
                f'<li><input type="checkbox" name="{name_html}" value="{option_value}" '
                f'id="{item_id}"{checked}{attrs_html}> <label for="{item_id}">{label}</label></li>'
            )
        return format_html(
            '<div class="choice-filter" data-choice-filter data-filter-label="{}" id="{}"><ul class="choices">{}</ul>'
            "</div>",
            self.filter_label,
            base_id,
            mark_safe("".join(items)),  # noqa: S308 - each part escaped above or by OptionList
        )

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return ""
