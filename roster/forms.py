"""The online CV template: one form for the profile and a formset per repeated section.

The forms only collect and check input; the services decide and write. They are plain forms built
from the model fields (labels and choices stay in one place) so that validating a form never
touches a model instance.
"""

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.forms.models import fields_for_model
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.form_renderer import escape_text, python_written
from portal.widgets import FilteredCheckboxList, ListedCheckboxes, ListedSelect, OptionList
from reference.models import Article, AssistanceType, Country, Language, numbered
from reference.names import localized_column, names_by_code
from roster.models import (
    EDUCATION_FIELDS,
    EMPLOYMENT_FIELDS,
    Education,
    Employment,
    Expert,
    ExpertiseLevel,
    LanguageLevel,
)
from roster.services import PROFILE_FIELDS, ArticleExpertise, ExpertProfile, LanguageSkill
from roster.uploads import CV_TOO_LARGE, cv_validate, megabytes

BLANK = [("", "---------")]


class CvField(forms.FileField):
    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            cv_validate(value)


# The layouts portal/form_renderer.py writes in Python: one field, and a whole form (a row of a formset).
FIELD_TEMPLATE, FORM_TEMPLATE = "includes/field.html", "includes/form.html"
SEARCH_COUNTRIES = _("Search the countries")
# static/js/choice-filter.js puts a search field above the list; without it the list is a plain <select>.
COUNTRY_SEARCH = {"data-choice-filter": True, "data-filter-label": SEARCH_COUNTRIES}


class ExpertForm(forms.Form):
    default_renderer = python_written

    def __init__(self, *args: Any, user: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        profile_fields = fields_for_model(
            Expert,
            fields=[*PROFILE_FIELDS, "assistance_types", "countries_worked_in", "declared_conflict_states"],
            widgets={
                "available_from": forms.DateInput(attrs={"type": "date"}),
                "available_until": forms.DateInput(attrs={"type": "date"}),
                "assistance_types": ListedCheckboxes,
                "nationality": ListedSelect(attrs=COUNTRY_SEARCH),
                "gender": ListedSelect,
                "sector": ListedSelect,
                "countries_worked_in": FilteredCheckboxList(filter_label=SEARCH_COUNTRIES),
                "declared_conflict_states": FilteredCheckboxList(filter_label=SEARCH_COUNTRIES),
                "summary": forms.Textarea(attrs={"rows": 5}),
            },
        )
        if creating and getattr(user, "is_secretariat", False):
            # A focal point's nominations always belong to its own State; only the secretariat picks one.
            self.fields["nominating_state"] = forms.ModelChoiceField(
                label=_("Nominating State"), queryset=Country.objects.all(), widget=ListedSelect(attrs=COUNTRY_SEARCH)
            )
        self.fields.update(profile_fields)
        self.fields["countries_worked_in"].help_text = _("Tick every country; type in the search field to find one.")
        self.fields["declared_conflict_states"].help_text = _(
            "States for which the expert should not be proposed (a current or recent tie, an interest)."
        )
        self._read_option_lists()
        limit = settings.ROSTER_CV_MAX_BYTES
        self.fields["cv"] = CvField(
            label=_("CV (PDF, DOCX or ODT, at most %(limit)s MB)") % {"limit": megabytes(limit)},
            required=False,
            # static/js/cv-template.js checks the size before the upload, with the server's message and units.
            widget=forms.ClearableFileInput(
                attrs={"accept": ".pdf,.docx,.odt", "data-max-bytes": limit, "data-too-large": CV_TOO_LARGE}
            ),
            help_text=_("Leave empty to keep the current CV.") if not creating else "",
        )
        if not creating:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        # Each field as includes/field.html lays it out, written by the renderer ({{ form.name.as_field_group }}).
        for field in self.fields.values():
            field.template_name = FIELD_TEMPLATE

    def _read_option_lists(self) -> None:
        # One query and one escaping of the country names for the page's three or four country fields, names read
        # as values rather than rows (and without the server-side cursor a ModelChoiceField's iterator opens on
        # PostgreSQL); the fields still check a posted value against their own queryset.
        self.fields["assistance_types"].widget.choices = OptionList(names_by_code(AssistanceType).items())
        countries = OptionList(names_by_code(Country).items())
        for name in ("countries_worked_in", "declared_conflict_states"):
            self.fields[name].widget.choices = countries
        for name in ("nationality", "nominating_state"):
            if name in self.fields:
                self.fields[name].widget.choices = countries.with_blank()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end of availability must not come before its start."))
        return data


def language_choices() -> OptionList:
    """One query, rendered once for every row of the languages formset."""
    return OptionList(BLANK + list(names_by_code(Language).items()))


class RowForm(forms.Form):
    """A row of a formset, written by the formset's renderer as includes/form.html lays a form out ({{ form }})."""

    default_renderer = python_written
    template_name = FORM_TEMPLATE


class LanguageForm(RowForm):
    def __init__(self, *args: Any, language_choices: Iterable, level_choices: Iterable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"] = forms.ChoiceField(label=_("Language"), choices=language_choices, widget=ListedSelect)
        self.fields["level"] = forms.TypedChoiceField(
            label=_("Level"),
            choices=level_choices,
            coerce=int,
            widget=ListedSelect,
            help_text=_("Common European Framework of Reference level, or native."),
        )


@dataclass(frozen=True)
class ChapterRows:
    title: str
    rows_html: SafeString
    open: bool


@dataclass(frozen=True)
class ChecklistArticle:
    number: int
    label: str  # as str(article) names it, in the active language
    chapter: str  # as str(chapter) names it


def checklist_articles() -> list[ChecklistArticle]:
    """The 71 articles in their chapters' order, named in the active language, read as values in one query (rather
    than an article and a chapter object each)."""
    title = localized_column("title")
    rows = Article.objects.order_by("chapter__position", "number").values_list(
        "number", "title", title, "chapter__numeral", "chapter__title", f"chapter__{title}"
    )
    return [
        ChecklistArticle(
            number, numbered(number, article_name or article_en), numbered(numeral, chapter_name or chapter_en)
        )
        for number, article_en, article_name, numeral, chapter_en, chapter_name in rows
    ]


class ExpertiseForm(forms.Form):
    """Expertise as on the need form: each UNCAC article a checkbox under its chapter, each with a level.

    Posted as `expertise-articles` (the ticked numbers) and `expertise-level-<number>`; a level without its tick
    is ignored (unticking an article removes it), a tick without a level is an error on that article.
    """

    default_renderer = python_written

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.articles = checklist_articles()
        self.level_choices = OptionList(BLANK + list(ExpertiseLevel.choices))
        self.fields["articles"] = forms.TypedMultipleChoiceField(
            label=capfirst(_("UNCAC articles")),
            choices=[(article.number, article.label) for article in self.articles],
            coerce=int,
            required=False,
        )
        # The form lives for one request: its 71 labels are translated once, in that request's language.
        level_label = gettext("Level for article %(number)s")
        for article in self.articles:
            self.fields[f"level-{article.number}"] = forms.TypedChoiceField(
                label=level_label % {"number": article.number},
                choices=self.level_choices,
                coerce=int,
                required=False,
                empty_value=None,
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for number in data.get("articles", []):
            if data.get(f"level-{number}") is None and f"level-{number}" not in self.errors:
                self.add_error(f"level-{number}", _("Choose a level for article %(number)s.") % {"number": number})
        return data

    def expertise(self) -> list[ArticleExpertise]:
        return [
            ArticleExpertise(article_id=number, level=self.cleaned_data[f"level-{number}"])
            for number in self.cleaned_data["articles"]
        ]

    def chapters(self) -> list["ChapterRows"]:
        """The checklist by chapter, with what is ticked and chosen now (posted, or stored when unbound).

        Written in Python rather than a template loop: 71 rows of a checkbox and a level on every CV template."""
        ticked = {str(number) for number in self["articles"].value() or []}
        errors = self.errors if self.is_bound else {}
        # Translated and escaped once for the 71 rows, not once a row.
        level_label, visible_label = gettext("Level for article %(number)s"), escape_text(gettext("Level"))
        prefix = escape_text(self.prefix)
        groups: dict[str, list[str]] = {}
        opened: set[str] = set()
        for article in self.articles:
            number, title = article.number, article.chapter
            level = self[f"level-{number}"].value()
            error = " ".join(errors.get(f"level-{number}", []))
            if str(number) in ticked or error:
                opened.add(title)
            # Every value escaped, as format_html would: here, by OptionList, or once above.
            groups.setdefault(title, []).append(
                ARTICLE_ROW.format(
                    prefix=prefix,
                    number=number,
                    label=escape_text(article.label),
                    checked=" checked" if str(number) in ticked else "",
                    row_class="has-error" if error else "",
                    level_label=escape_text(level_label % {"number": number}),
                    visible_label=visible_label,
                    invalid=format_html(
                        ' aria-invalid="true" aria-describedby="id_{}-level-{}_error"', self.prefix, number
                    )
                    if error
                    else "",
                    options=self.level_choices.options_html({"" if level is None else str(level)}),
                    error=format_html('<p class="error" id="id_{}-level-{}_error">{}</p>', self.prefix, number, error)
                    if error
                    else "",
                )
            )
        # A chapter opens when it holds a ticked article or an error; the others stay folded.
        return [ChapterRows(title, mark_safe("".join(rows)), title in opened) for title, rows in groups.items()]  # noqa: S308


ARTICLE_ROW = (
    '<li class="{row_class}" data-article><span class="article-tick">'
    '<input type="checkbox" name="{prefix}-articles" value="{number}" id="id_{prefix}-article-{number}"{checked}> '
    '<label for="id_{prefix}-article-{number}">{label}</label></span> '
    '<span class="article-level"><label for="id_{prefix}-level-{number}"><span class="visually-hidden">{level_label}'
    '</span><span aria-hidden="true">{visible_label}</span></label> '
    '<select name="{prefix}-level-{number}" id="id_{prefix}-level-{number}"{invalid}>{options}</select></span>'
    "{error}</li>"
)


class EmploymentForm(RowForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Employment,
                fields=EMPLOYMENT_FIELDS,
                widgets={"description": forms.Textarea(attrs={"rows": 2})},
            )
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            self.add_error("end_year", _("The end year must not come before the start year."))
        return data


class EducationForm(RowForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Education, fields=EDUCATION_FIELDS))


class UniqueRowsFormSet(forms.BaseFormSet):
    """Rows may not repeat the key field (a language or an article listed twice)."""

    unique_field = ""
    unique_message = ""

    def clean(self) -> None:
        super().clean()
        seen = set()
        for form in self.kept_forms():
            value = form.cleaned_data.get(self.unique_field)
            if value in seen:
                form.add_error(self.unique_field, self.unique_message)
            seen.add(value)

    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and form.is_valid() and not (self.can_delete and self._should_delete_form(form))
        ]


class LanguageFormSet(UniqueRowsFormSet):
    unique_field = "language"
    unique_message = _("This language is already listed.")


class RowsFormSet(forms.BaseFormSet):
    def kept_forms(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.has_changed() and not (self.can_delete and self._should_delete_form(form))
        ]


# The rows' inputs and labels are written in Python (portal/form_renderer.py): the formsets hold most of the page's
# 130 fields.
ROWS = {"can_delete": True, "renderer": python_written}
# The CV template's sections, in the page's order: the progress list at the top and each section's own title.
SECTIONS = {
    "identity": _("1. Identity and contact"),
    "post": _("2. Current post"),
    "languages": _("3. Languages"),
    "expertise": _("4. Expertise in UNCAC articles"),
    "employment": _("5. Employment history"),
    "education": _("6. Education"),
    "experience": _("7. Technical assistance experience"),
    "availability": _("8. Availability"),
    "cv": _("9. CV"),
}
# Each row's legend ("Language 2") and the name the error summary gives it.
ROW_LABELS = {"languages": _("Language"), "employment": _("Post"), "education": _("Degree")}
ROW_SECTIONS = tuple(ROW_LABELS)
MAX_ROWS = 50
LanguageFormSetClass = formset_factory(LanguageForm, formset=LanguageFormSet, extra=3, **ROWS)
EmploymentFormSetClass = formset_factory(EmploymentForm, formset=RowsFormSet, extra=2, **ROWS)
EducationFormSetClass = formset_factory(EducationForm, formset=RowsFormSet, extra=2, **ROWS)


class CvTemplate:
    """The whole CV template: the profile form and its four formsets, bound or not, valid together."""

    def __init__(self, *, user: Any, data: Any = None, files: Any = None, expert: Expert | None = None) -> None:
        creating = expert is None
        # Once posted, the rows sent are the whole truth: comparing them with stored rows would drop
        # unchanged ones, so stored values only pre-fill an unbound form.
        stored = expert if data is None else None
        initial = _profile_initial(expert) if stored is not None else {}
        self.profile = ExpertForm(data, files, user=user, creating=creating, initial=initial, prefix="profile")
        self.languages = LanguageFormSetClass(
            data,
            prefix="languages",
            form_kwargs={
                "language_choices": language_choices(),
                "level_choices": OptionList(BLANK + list(LanguageLevel.choices)),
            },
            initial=[{"language": x.language_id, "level": x.level} for x in stored.languages.all()] if stored else None,
        )
        self.expertise = ExpertiseForm(data, prefix="expertise", initial=_expertise_initial(stored))
        self.employment = EmploymentFormSetClass(
            data,
            prefix="employment",
            initial=[{f: getattr(x, f) for f in EMPLOYMENT_FIELDS} for x in stored.employment.all()]
            if stored
            else None,
        )
        self.education = EducationFormSetClass(
            data,
            prefix="education",
            initial=[{f: getattr(x, f) for f in EDUCATION_FIELDS} for x in stored.education.all()] if stored else None,
        )

    @property
    def formsets(self) -> list[forms.BaseFormSet]:
        return [self.languages, self.employment, self.education]

    @property
    def forms(self) -> list[forms.Form]:
        return [self.profile, self.expertise, *(form for formset in self.formsets for form in formset.forms)]

    @staticmethod
    def with_one_more_row(data: QueryDict, section: str) -> QueryDict:
        """The posted data with one more empty row in SECTION (the no-JavaScript "Add another" button)."""
        data = data.copy()
        if section in ROW_SECTIONS:
            total = f"{section}-TOTAL_FORMS"
            with contextlib.suppress(ValueError):
                data[total] = str(min(int(data.get(total, "0")) + 1, MAX_ROWS))
        return data

    def hide_errors(self) -> None:
        """Show posted or kept input without judging it: the person has not asked to save yet."""
        for form in self.forms:
            form._errors = ErrorDict()
        for formset in self.formsets:
            formset._errors = [form.errors for form in formset.forms]
            formset._non_form_errors = formset.error_class(renderer=formset.renderer)

    def focus_last_row(self, section: str) -> None:
        formset = {fs.prefix: fs for fs in self.formsets}.get(section)
        if formset is not None and formset.forms:
            first_field = next(iter(formset.forms[-1].fields.values()))
            first_field.widget.attrs["autofocus"] = True

    @property
    def has_errors(self) -> bool:
        return any(form.errors for form in self.forms) or any(fs.non_form_errors() for fs in self.formsets)

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, text) for each error, in the page's order, for the summary at the top of the form."""
        entries = [("", str(error)) for error in self.profile.non_field_errors()]
        entries += _field_errors(self.profile, prefix="")
        entries += _field_errors(self.expertise, prefix="")
        for formset in self.formsets:
            row_label = ROW_LABELS[formset.prefix]
            entries += [(f"section-{formset.prefix}", str(error)) for error in formset.non_form_errors()]
            for number, form in enumerate(formset.forms, start=1):
                entries += [(f"section-{formset.prefix}", str(error)) for error in form.non_field_errors()]
                entries += _field_errors(form, prefix=f"{row_label} {number}, ")
        return entries

    def is_valid(self) -> bool:
        # Every part is validated (no short-circuit) so every error shows at once.
        results = [self.profile.is_valid(), self.expertise.is_valid()] + [fs.is_valid() for fs in self.formsets]
        return all(results)

    def to_profile(self) -> ExpertProfile:
        data = self.profile.cleaned_data
        return ExpertProfile(
            fields={name: data[name] for name in PROFILE_FIELDS},
            languages=[
                LanguageSkill(language_id=f.cleaned_data["language"], level=f.cleaned_data["level"])
                for f in self.languages.kept_forms()
            ],
            expertise=self.expertise.expertise(),
            employment=[_without_delete(f.cleaned_data) for f in self.employment.kept_forms()],
            education=[_without_delete(f.cleaned_data) for f in self.education.kept_forms()],
            assistance_type_ids=[t.pk for t in data["assistance_types"]],
            countries_worked_in_ids=[c.pk for c in data["countries_worked_in"]],
            declared_conflict_state_ids=[c.pk for c in data["declared_conflict_states"]],
        )


def _field_errors(form: forms.Form, *, prefix: str) -> list[tuple[str, str]]:
    entries = []
    for name, field in form.fields.items():
        for error in form.errors.get(name, []):
            # The label suffix as the form writes it ("Langue : …" in French).
            entries.append((form[name].auto_id, f"{prefix}{field.label}{gettext(':')} {error}"))
    return entries


def _without_delete(cleaned: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cleaned.items() if k != "DELETE"}


def _expertise_initial(expert: Expert | None) -> dict[str, Any]:
    if expert is None:
        return {}
    rows = list(expert.expertise.all())
    return {"articles": [row.article_id for row in rows], **{f"level-{row.article_id}": row.level for row in rows}}


def _profile_initial(expert: Expert) -> dict[str, Any]:
    initial = {name: getattr(expert, name) for name in PROFILE_FIELDS if name != "nationality"}
    initial["nationality"] = expert.nationality_id
    initial["assistance_types"] = [t.pk for t in expert.assistance_types.all()]
    initial["countries_worked_in"] = [c.pk for c in expert.countries_worked_in.all()]
    initial["declared_conflict_states"] = [c.pk for c in expert.declared_conflict_states.all()]
    initial["version"] = expert.version
    return initial


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, seen by the secretariat)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionMessageForm(forms.Form):
    """The secretariat's words to the nominating State with a decision: required to ask for changes or to reject."""

    LABELS = {
        "request_changes": (
            _("Message to the nominating State"),
            _("Say what should change; the focal point sees this message on the profile and receives it by mail."),
        ),
        "reject": (
            _("Reason for the rejection"),
            _("The focal point sees this reason on the profile and receives it by mail."),
        ),
    }

    message = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, decision: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        label, help_text = self.LABELS[decision]
        self.fields["message"].label = label
        self.fields["message"].help_text = help_text
