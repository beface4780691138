"""The roster list's search and filters; every filter is a subquery so no row is repeated."""

import datetime
from collections.abc import Sequence

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from portal.filters import StrictFilterSet
from reference.models import Article, Chapter, Country, Language
from roster.duplicates import expert_name_key
from roster.models import Expert, ExpertArticle, ExpertLanguage, LanguageLevel
from roster.search import expert_text_search

# The Convention has 71 articles; a few digits are enough to name any of them.
ARTICLE_NUMBER_MAX_DIGITS = 4


def expert_name_match(term: str) -> Q:
    """One word of a name search: part of the given or family name, ignoring case and accents ("jose" finds "José").

    The folded key holds both names, so one LIKE on it replaces three ORed UPPER(...) LIKE scans and is served by
    the trigram index on PostgreSQL. A word that folds to nothing (another script, punctuation) is compared as typed.
    """
    folded = expert_name_key(given_name=term, family_name="")
    if folded:
        return Q(name_key__contains=folded)
    return Q(given_name__icontains=term) | Q(family_name__icontains=term)


class ArticleNumbersField(forms.ModelMultipleChoiceField):
    """Article numbers are checked as numbers before the database is asked which exist: SQLite cannot
    even compare a number past 64 bits, and a superscript or Arabic-Indic digit would reach int()."""

    def _check_values(self, value: Sequence[object]) -> QuerySet[Article]:
        for number in map(str, value):
            if not (number.isascii() and number.isdigit() and len(number) <= ARTICLE_NUMBER_MAX_DIGITS):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": number}
                )
        return super()._check_values(value)


class ArticleNumbersFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ArticleNumbersField


class ExpertFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Name"), method="filter_name")
    text = django_filters.CharFilter(
        label=_("Words in the summary, posts or CV"),
        method="filter_text",
        help_text=_('Every word must appear; the beginning of a word is enough ("launder" finds "laundering").'),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Expert.Status.choices)
    sector = django_filters.ChoiceFilter(label=_("Sector"), choices=Expert.Sector.choices)
    nominating_state = django_filters.ModelChoiceFilter(label=_("Nominating State"), queryset=Country.objects.all())
    chapter = django_filters.ModelChoiceFilter(
        label=capfirst(_("UNCAC chapter")), queryset=Chapter.objects.all(), method="filter_chapter"
    )
    articles = ArticleNumbersFilter(
        label=capfirst(_("UNCAC articles (all of them)")),
        queryset=Article.objects.all(),
        method="filter_articles",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Several articles ticked: only experts holding all of them."),
    )
    language = django_filters.ModelChoiceFilter(
        label=_("Language"), queryset=Language.objects.all(), method="filter_language"
    )
    min_level = django_filters.TypedChoiceFilter(
        label=capfirst(_("at least")), choices=LanguageLevel.choices, coerce=int, method="filter_noop"
    )
    available_on = django_filters.DateFilter(
        label=_("Available on"), method="filter_available_on", widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = django_filters.ChoiceFilter(
        label=_("Availability"),
        choices=[("remote", _("Remote work")), ("on_site", _("On-site missions"))],
        method="filter_mode",
    )
    stale = django_filters.BooleanFilter(
        label=_("Stale (not confirmed in time)"),
        field_name="is_stale",
        widget=forms.Select(choices=[("", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )

    class Meta:
        model = Expert
        fields: list[str] = []

    def filter_name(self, queryset: QuerySet[Expert], name: str, value: str) -> QuerySet[Expert]:
        # Each word must match the given or family name.
        for term in value.split()[:5]:
            queryset = queryset.filter(expert_name_match(term))
        return queryset

    def filter_text(self, queryset: QuerySet[Expert], name: str, value: str) -> QuerySet[Expert]:
        return expert_text_search(queryset, value)

    def filter_chapter(self, queryset: QuerySet[Expert], name: str, value: Chapter) -> QuerySet[Expert]:
        held = ExpertArticle.objects.filter(expert=OuterRef("pk"), article__chapter=value)
        return queryset.filter(Exists(held))

    def filter_articles(self, queryset: QuerySet[Expert], name: str, value: list[Article]) -> QuerySet[Expert]:
        for article in value:
            queryset = queryset.filter(Exists(ExpertArticle.objects.filter(expert=OuterRef("pk"), article=article)))
        return queryset

    def filter_language(self, queryset: QuerySet[Expert], name: str, value: Language) -> QuerySet[Expert]:
        min_level = self.form.cleaned_data.get("min_level") or LanguageLevel.A1
        spoken = ExpertLanguage.objects.filter(expert=OuterRef("pk"), language=value, level__gte=min_level)
        return queryset.filter(Exists(spoken))

    def filter_noop(self, queryset: QuerySet[Expert], name: str, value: object) -> QuerySet[Expert]:
        # The minimum level qualifies the language filter and means nothing on its own.
        return queryset

    def filter_available_on(self, queryset: QuerySet[Expert], name: str, value: datetime.date) -> QuerySet[Expert]:
        return queryset.filter(
            Q(available_from__isnull=True) | Q(available_from__lte=value),
            Q(available_until__isnull=True) | Q(available_until__gte=value),
        )

    def filter_mode(self, queryset: QuerySet[Expert], name: str, value: str) -> QuerySet[Expert]:
        return queryset.filter(**{value: True})
