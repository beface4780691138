"""The list's filters: every one narrows the already scoped queryset, never widens it."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, ModelChoiceFilter

from accounts.models import User
from needs.models import Need
from portal.filters import StrictFilterSet
from reference.models import Article, AssistanceType, Chapter, Country, Language, RegionalGroup

# Relations through the m2m tables are filtered with IN (subquery) rather than joins, so that a
# need citing three articles of a chapter is listed once without DISTINCT over the whole row.
ArticleLink = Need.articles.through
LanguageLink = Need.working_languages.through
ANY = _("Any")


class NeedFilter(StrictFilterSet):
    state = ModelChoiceFilter(
        label=_("State"),
        field_name="requesting_state",
        # Every State the secretariat may record a need for, signatories and non-parties included.
        queryset=Country.objects.all(),
        empty_label=ANY,
    )
    regional_group = ChoiceFilter(
        label=_("Regional group"),
        field_name="requesting_state__regional_group",
        choices=RegionalGroup.choices,
        empty_label=ANY,
    )
    chapter = ModelChoiceFilter(
        label=_("Chapter"), queryset=Chapter.objects.all(), method="filter_chapter", empty_label=ANY
    )
    article = ModelChoiceFilter(
        label=_("Article"), queryset=Article.objects.all(), method="filter_article", empty_label=ANY
    )
    assistance_type = ModelChoiceFilter(
        label=_("Type of assistance"), queryset=AssistanceType.objects.all(), empty_label=ANY
    )
    language = ModelChoiceFilter(
        label=_("Working language"), queryset=Language.objects.all(), method="filter_language", empty_label=ANY
    )
    priority = ChoiceFilter(label=_("Priority"), choices=Need.Priority.choices, empty_label=ANY)
    status = ChoiceFilter(label=_("Status"), choices=Need.Status.choices, empty_label=ANY)

    class Meta:
        model = Need
        fields: list[str] = []

    def __init__(self, *args, user: User | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user is not None and not user.is_secretariat:
            # A focal point sees one State; filters by State or group would only ever narrow to nothing.
            del self.filters["state"]
            del self.filters["regional_group"]

    def filter_chapter(self, queryset: QuerySet[Need], name: str, value: Chapter) -> QuerySet[Need]:
        return queryset.filter(pk__in=ArticleLink.objects.filter(article__chapter=value).values("need_id"))

    def filter_article(self, queryset: QuerySet[Need], name: str, value: Article) -> QuerySet[Need]:
        return queryset.filter(pk__in=ArticleLink.objects.filter(article=value).values("need_id"))

    def filter_language(self, queryset: QuerySet[Need], name: str, value: Language) -> QuerySet[Need]:
        return queryset.filter(pk__in=LanguageLink.objects.filter(language=value).values("need_id"))
