"""The list pages' filter sets answer a filter they cannot apply with no rows, never with more rows."""

from django.db.models import Model, QuerySet
from django_filters import FilterSet


class StrictFilterSet(FilterSet):
    """A filter that does not validate (a date that is not one, an article number no column can hold) would be
    left out by django-filter, silently widening the list to what the person asked to narrow; the form shows
    what to correct and the list stays empty until it is."""

    def filter_queryset(self, queryset: QuerySet[Model]) -> QuerySet[Model]:
        if self.form.errors:
            return queryset.none()
        return super().filter_queryset(queryset)
