"""The CV template is easy to finish (issue 12, item 3): an error summary that links to each field, rows added in
place even without JavaScript, the CV's limit in the label's units, sections with a progress list."""

import re

import pytest
from django.urls import reverse

from roster.models import Expert
from tests.factories import ExpertFactory, ExpertLanguageFactory, country, nomination_form_data

pytestmark = pytest.mark.django_db


def test_the_error_summary_links_to_each_field_in_error(cast):
    data = nomination_form_data(
        **{"profile-email": "not-an-email", "languages-1-language": "es", "expertise-level-16": ""}
    )
    body = cast.client_for("owner").post(reverse("roster:expert_nominate"), data).content.decode()
    summary = re.search(r'<div class="errors error-summary" role="alert" id="form-errors".*?</div>', body, re.S)
    summary = summary.group(0)
    assert '<a href="#id_profile-email">E-mail address: Enter a valid email address.</a>' in summary
    assert '<a href="#id_languages-1-language">Language 2, Language: This language is already listed.</a>' in summary
    assert '<a href="#id_expertise-level-16">Level for article 16: Choose a level for article 16.</a>' in summary
    # Each target exists on the page.
    for anchor in re.findall(r'href="#([^"]+)"', summary):
        assert f'id="{anchor}"' in body


def test_add_another_row_without_javascript_brings_the_form_back_unsaved_with_one_more_row(cast):
    data = nomination_form_data(**{"add_row": "languages", "profile-email": "not-an-email"})
    response = cast.client_for("owner").post(reverse("roster:expert_nominate"), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Expert.objects.exists()
    assert 'name="languages-TOTAL_FORMS" value="4"' in body
    assert "<legend>Language 4</legend>" in body
    assert '<select name="languages-3-language" autofocus id="id_languages-3-language">' in body
    assert 'value="Ramírez"' in body and 'value="not-an-email"' in body  # what was typed, not yet judged
    assert 'id="form-errors"' not in body


def test_add_another_row_on_the_edit_page_keeps_the_stored_rows_and_saves_nothing(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=Expert.Status.DRAFT)
    ExpertLanguageFactory(expert=expert, language_id="en", level=6)
    data = nomination_form_data(
        **{"profile-version": str(expert.version), "add_row": "employment", "employment-TOTAL_FORMS": "2"}
    )
    body = cast.client_for("owner").post(reverse("roster:expert_edit", args=[expert.pk]), data).content.decode()
    assert 'name="employment-TOTAL_FORMS" value="3"' in body and "<legend>Post 3</legend>" in body
    assert Expert.objects.get().version == expert.version


def test_rows_can_be_added_in_place_from_a_template_of_an_empty_row(cast):
    body = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    for prefix, label in (("languages", "language"), ("employment", "post"), ("education", "degree")):
        assert f'<template data-empty-row="{prefix}">' in body
        assert f'id="id_{prefix}-__prefix__-' in body
        assert f'data-add-row="{prefix}">Add another {label}</button>' in body


def test_the_cv_label_and_the_browsers_check_use_the_same_limit_and_units(cast, settings):
    settings.ROSTER_CV_MAX_BYTES = 2 * 1024 * 1024
    body = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    assert "CV (PDF, DOCX or ODT, at most 2 MB)" in body
    assert f'data-max-bytes="{2 * 1024 * 1024}"' in body
    assert 'data-too-large="The file is %(size)s MB, more than the limit of %(limit)s MB.' in body


def test_the_form_lists_its_sections_and_folds_each_one(cast):
    body = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    assert body.count('<details class="section"') == 9
    assert '<a href="#section-identity">1. Identity and contact</a>' in body
    assert '<a href="#section-cv">9. CV</a>' in body
    assert 'src="/static/js/cv-template.js"' in body and 'src="/static/js/choice-filter.js"' in body


def test_countries_are_chosen_from_a_searchable_list(cast):
    body = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    assert 'data-choice-filter data-filter-label="Search the countries" id="id_profile-countries_worked_in"' in body
    assert '<select name="profile-nationality" data-choice-filter data-filter-label="Search the countries"' in body


def test_french_pages_say_chapter_and_level_in_french(cast):
    client = cast.client_for("owner")
    body = client.get(reverse("roster:expert_nominate"), headers={"accept-language": "fr"}).content.decode()
    assert 'lang="fr"' in body and "Chapitre" in body
