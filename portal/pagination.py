"""Pages of long lists: a far page is found on the ordering's index alone, and only its rows are loaded.

`Paginator` reads page 200 of the admin's experts as `... ORDER BY family_name, given_name, id LIMIT 50
OFFSET 9950`, which joins every skipped row (two States each for 10,000 experts) before throwing them away:
72 to 143 ms of PostgreSQL's time at 100,000 experts (EXPLAIN ANALYZE, busy machine). Asking first for the
page's primary keys (`WHERE id IN (SELECT id ... LIMIT 50 OFFSET 9950)`) walks the ordering's index, without
touching the table when the index holds every column asked, and joins only the page's rows: 5 to 24 ms.
"""

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import QuerySet


class DeferredJoinPaginator(Paginator):
    """A Paginator whose pages after the first select their rows by primary key from a sliced subquery.

    The page keeps the queryset's ordering, joins (select_related), prefetches and annotations."""

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        objects = self.object_list
        if bottom == 0 or not isinstance(objects, QuerySet):
            return super().page(number)
        if not connections[objects.db].features.allow_sliced_subqueries_with_in:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(objects.filter(pk__in=objects.values("pk")[bottom:top]), number, self)
