"""Inputs, text areas, labels and long choice lists written in Python are the HTML Django's templates write."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from portal.form_renderer import python_written
from portal.widgets import FilteredCheckboxList, ListedCheckboxes, ListedSelect, OptionList


class Everything(forms.Form):
    name = forms.CharField(label="Name & <title>", help_text="Help", max_length=20)
    email = forms.EmailField(required=False)
    years = forms.IntegerField(min_value=0, max_value=70)
    since = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    remote = forms.BooleanField(required=False)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(choices=[("", "---"), ("1", "One & only"), ("2", "Two")])
    grouped = forms.ChoiceField(choices=[("", "---"), ("Group <a>", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B & C")], required=False)


DATA = {
    "name": 'O\'Brien "quoted" <b>',
    "email": "not an e-mail",
    "years": "99",
    "since": "2026-01-31",
    "remote": "on",
    "summary": "line one\n<script>x</script>",
    "version": "3",
    "level": "1",
    "grouped": "y",
    "many": ["b"],
}


def _with_selects(form: forms.Form, *, listed: bool) -> forms.Form:
    for name, multiple in (("level", False), ("grouped", False), ("many", True)):
        choices = form.fields[name].choices
        if listed:
            widget = ListedSelect(choices=choices)
            widget.allow_multiple_selected = multiple
        else:
            widget = (forms.SelectMultiple if multiple else forms.Select)(choices=choices)
        form.fields[name].widget = widget
    return form


def _page(form: forms.Form) -> str:
    return "".join(f"{field.label_tag()}{field}{field.errors}" for field in form)


@pytest.mark.parametrize("data", [None, DATA], ids=["unbound", "bound-with-errors"])
def test_python_written_html_is_djangos_html(data):
    initial = {"since": datetime.date(2025, 5, 1), "summary": "Kept", "remote": True, "level": "2"}
    djangos = _with_selects(Everything(data, initial=initial, renderer=DjangoTemplates()), listed=False)
    ours = _with_selects(Everything(data, initial=initial, renderer=python_written), listed=True)
    assert _normalised(_page(ours)) == _normalised(_page(djangos))


def _normalised(html: str) -> str:
    # Django's select template puts each option on its own indented line; the browser reads both the same.
    return "".join(line.strip() for line in html.splitlines())


@pytest.mark.parametrize(
    "attrs", [{"id": "id_ticked"}, {"id": "id_ticked", "class": "wide", "aria-invalid": "true"}, {}]
)
def test_listed_checkboxes_are_djangos_checkbox_list_byte_for_byte(attrs):
    choices = [("1", "One & only"), ("Group <a>", [("2", "Two"), ("3", "Three")]), ("4", mark_safe("<b>Four</b>"))]
    djangos = forms.CheckboxSelectMultiple(choices=choices).render("ticked", ["2", "4"], attrs, DjangoTemplates())
    ours = ListedCheckboxes(choices=choices).render("ticked", ["2", "4"], attrs)
    assert ours == djangos


def test_an_option_list_escapes_its_labels_once_and_marks_what_is_selected():
    options = OptionList([("KEN", "Kenya"), ("CIV", "Côte d'Ivoire <x>")])
    html = options.with_blank().options_html({"CIV"})
    assert html == (
        '<option value="">---------</option><option value="KEN">Kenya</option>'
        '<option value="CIV" selected>Côte d&#x27;Ivoire &lt;x&gt;</option>'
    )
    assert list(options) == [("KEN", "Kenya"), ("CIV", "Côte d'Ivoire <x>")]


def test_a_filtered_checkbox_list_is_one_labelled_checkbox_per_choice():
    widget = FilteredCheckboxList(filter_label="Search the countries")
    widget.choices = OptionList([("KEN", "Kenya"), ("UGA", mark_safe("Uganda"))])
    html = widget.render("profile-countries", ["UGA"], attrs={"id": "id_countries"})
    assert 'data-choice-filter data-filter-label="Search the countries" id="id_countries"' in html
    assert '<input type="checkbox" name="profile-countries" value="KEN" id="id_countries_0">' in html
    assert '<input type="checkbox" name="profile-countries" value="UGA" id="id_countries_1" checked>' in html
    assert '<label for="id_countries_1">Uganda</label>' in html


class Layouts(Everything):
    ticked = forms.MultipleChoiceField(
        choices=[("a", "A & a"), ("b", "B")], widget=forms.CheckboxSelectMultiple, help_text="Tick <b>any</b>"
    )

    def clean(self):
        raise forms.ValidationError("Nothing <fits> together")


@pytest.mark.parametrize("data", [None, {**DATA, "ticked": ["b"]}], ids=["unbound", "bound-with-errors"])
def test_the_form_layout_written_in_python_is_the_templates_byte_for_byte(data):
    form = Layouts(data, renderer=python_written)
    assert python_written.render("includes/form.html", {"form": form}) == render_to_string(
        "includes/form.html", {"form": form}
    )


@pytest.mark.parametrize("data", [None, {**DATA, "ticked": ["b"]}], ids=["unbound", "bound-with-errors"])
def test_the_field_layout_written_in_python_is_the_templates_byte_for_byte(data):
    form = Layouts(data, renderer=python_written)
    for field in form:
        assert python_written.render("includes/field.html", {"field": field}) == render_to_string(
            "includes/field.html", {"field": field}
        ), field.name


@pytest.mark.parametrize("data", [None, {"rows-TOTAL_FORMS": "x"}], ids=["unbound", "bound-with-errors"])
def test_a_management_form_written_in_python_is_djangos(data):
    formset = forms.formset_factory(Everything, renderer=python_written)(data, prefix="rows")
    management = formset.management_form
    assert str(management) == management.render(renderer=DjangoTemplates())


def test_a_form_with_visible_fields_is_left_to_djangos_div_template():
    form = Everything(DATA, renderer=python_written)
    assert str(form) == form.render(renderer=DjangoTemplates())
