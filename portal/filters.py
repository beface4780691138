"""The list pages' filter sets answer a filter they cannot apply with no rows, never with more rows."""

from django import forms
from django.db.models import Model, QuerySet
from django_filters import FilterSet

from portal.form_renderer import python_written
from portal.widgets import ListedCheckboxes, ListedSelect

# The filter forms' choice lists (every State, every article) written in Python rather than one template per option.
_LISTED: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: ListedSelect,
    forms.CheckboxSelectMultiple: ListedCheckboxes,
}


class StrictFilterSet(FilterSet):
    """A filter that does not validate (a date that is not one, an article number no column can hold) would be
    left out by django-filter, silently widening the list to what the person asked to narrow; the form shows
    what to correct and the list stays empty until it is."""

    def get_form_class(self) -> type[forms.Form]:
        # Labels and inputs written in Python, the same HTML as Django's templates (portal/form_renderer.py).
        form_class = super().get_form_class()
        for field in form_class.base_fields.values():
            listed = _LISTED.get(type(field.widget))
            if listed is not None:
                widget = listed(attrs=field.widget.attrs, choices=field.widget.choices)
                widget.is_required = field.widget.is_required
                field.widget = widget
        return type(form_class.__name__, (form_class,), {"default_renderer": python_written})

    def filter_queryset(self, queryset: QuerySet[Model]) -> QuerySet[Model]:
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)
