from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from needs.models import Need
from needs.services import NEED_FIELDS, NEED_RELATIONS, need_relations_check
from reference.models import Article, Country


class NeedForm(forms.ModelForm):
    """The need as a focal point or the secretariat types it; the requesting State is never a
    field for a focal point (the view passes the user's own State to the service)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # On the page the title comes right after the State, before the articles; the rest as NEED_FIELDS.
    field_order = ["requesting_state", "title"]

    class Meta:
        model = Need
        # The identifier in the State's own system comes with an imported file, never from the page.
        fields = [name for name in NEED_FIELDS if name != "external_id"]
        widgets = {
            "articles": forms.CheckboxSelectMultiple,
            "working_languages": forms.CheckboxSelectMultiple,
            "priority": forms.RadioSelect,
            "desired_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "desired_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "articles": _("Tick every article the assistance concerns."),
            "working_languages": _("Languages in which the expert must be able to work."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_secretariat:
            self.fields["requesting_state"].queryset = Country.objects.all()
        else:
            del self.fields["requesting_state"]
        self.fields["articles"].queryset = Article.objects.select_related("chapter")
        # Whether a need may go without articles or languages is the service's rule, checked in clean().
        for name in NEED_RELATIONS:
            self.fields[name].required = False
        # Setting min_value after the field is built adds no validator; a 0 reached the database constraint.
        self.fields["review_cycle"].validators.append(MinValueValidator(1))
        self.fields["review_cycle"].widget.attrs["min"] = 1
        # A client that does not send the level (one written before it existed) keeps the stored one, or the default.
        self.fields["min_language_level"].required = False
        self.fields["min_language_level"].empty_value = None
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if all(name in cleaned for name in NEED_RELATIONS):
            try:
                need_relations_check(articles=cleaned["articles"], working_languages=cleaned["working_languages"])
            except ValidationError as error:
                self.add_error(None, error)
        if not cleaned.get("remote") and not cleaned.get("on_site"):
            self.add_error(None, _("Accept remote assistance, on-site assistance, or both."))
        start, end = cleaned.get("desired_from"), cleaned.get("desired_until")
        if start and end and end < start:
            self.add_error("desired_until", _("The end of the desired period cannot come before its start."))
        return cleaned

    def _post_clean(self) -> None:
        # The model is validated by the service, with the requesting State it decides itself; the
        # form must not copy typed values onto the instance that the edit page is showing.
        pass

    def service_data(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        data["articles"] = list(data["articles"])
        data["working_languages"] = list(data["working_languages"])
        if data.get("min_language_level") is None:
            data.pop("min_language_level", None)
        return data

    def article_groups(self) -> list[tuple[str, list[Any]]]:
        """The article checkboxes grouped by chapter, each group a fieldset in the template."""
        chapters = {article.pk: article.chapter for article in self.fields["articles"].queryset}
        groups: dict[str, list[Any]] = {}
        for checkbox in self["articles"]:
            chapter = chapters[int(str(checkbox.data["value"]))]
            groups.setdefault(str(chapter), []).append(checkbox)
        return list(groups.items())


class NeedStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Need.Status.choices)
    version = forms.IntegerField(required=False)
