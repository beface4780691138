"""Reference names in the reader's language (issue 12, item 1): every row has its French and Spanish name,
one accessor reads the active language, and lists come out in that language's alphabetical order."""

import pytest
from django.apps import apps
from django.utils import translation

from reference.loading import reference_names_update
from reference.models import Article, AssistanceType, Chapter, Country, Language, LegalSystem
from reference.names import collation_key, sorted_by_name
from roster.models import Expert
from tests.factories import ExpertFactory, country

pytestmark = pytest.mark.django_db

LOCALIZED = [(Chapter, "title"), (Article, "title"), (Country, "name"), (Language, "name"), (AssistanceType, "name")]


@pytest.mark.parametrize("model, base", LOCALIZED + [(LegalSystem, "name")])
def test_every_reference_row_has_a_french_and_a_spanish_name(model, base):
    missing = model.objects.filter(**{f"{base}_fr": ""}) | model.objects.filter(**{f"{base}_es": ""})
    assert list(missing) == []


@pytest.mark.parametrize(
    "language, article_5, country_name, language_name, kind",
    [
        (
            "en",
            "Preventive anti-corruption policies and practices",
            "United States of America",
            "Spanish",
            "Model legislation",
        ),
        (
            "fr",
            "Politiques et pratiques de prévention de la corruption",
            "États-Unis d'Amérique",
            "Espagnol",
            "Législation type",
        ),
        (
            "es",
            "Políticas y prácticas de prevención de la corrupción",
            "Estados Unidos de América",
            "Español",
            "Legislación modelo",
        ),
        # Any other language reads the English names.
        (
            "de",
            "Preventive anti-corruption policies and practices",
            "United States of America",
            "Spanish",
            "Model legislation",
        ),
    ],
)
def test_display_name_and_str_follow_the_active_language(language, article_5, country_name, language_name, kind):
    with translation.override(language):
        assert Article.objects.get(number=5).display_name == article_5
        assert str(Article.objects.get(number=5)) == f"5. {article_5}"
        assert str(Country.objects.get(iso3="USA")) == country_name
        assert Language.objects.get(code="es").display_name == language_name
        assert str(AssistanceType.objects.get(code="model_legislation")) == kind


def test_codes_stay_codes_in_every_language():
    with translation.override("fr"):
        assert Country.objects.get(iso3="CIV").pk == "CIV"
        assert Country.objects.get(name="Czechia").display_name == "Tchéquie"


def test_the_collation_sets_accents_and_case_aside_then_breaks_ties_on_the_text():
    assert sorted_by_name(["Czechia", "Côte d'Ivoire", "Croatia", "cuba"]) == [
        "Côte d'Ivoire",
        "Croatia",
        "cuba",
        "Czechia",
    ]
    assert sorted_by_name(["Éthiopie", "Estonie", "État de Palestine", "Égypte"]) == [
        "Égypte",
        "Estonie",
        "État de Palestine",
        "Éthiopie",
    ]
    assert collation_key("Côte d’Ivoire")[0] == collation_key("Cote d'Ivoire")[0]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_countries_and_languages_are_listed_in_the_readers_alphabetical_order(language):
    with translation.override(language):
        countries = [str(state) for state in Country.objects.all()]
        languages = [(str(item), item.is_un_language) for item in Language.objects.all()]
    assert countries == sorted_by_name(countries)
    assert len(countries) == Country.objects.count()
    # The six UN languages first, then the others, each part alphabetical.
    un = [name for name, is_un in languages if is_un]
    others = [name for name, is_un in languages if not is_un]
    assert [name for name, _is_un in languages] == un + others
    assert un == sorted_by_name(un) and others == sorted_by_name(others)


def test_cote_divoire_comes_before_czechia_and_etat_de_palestine_among_the_e():
    with translation.override("en"):
        names = [str(state) for state in Country.objects.all()]
    assert names.index("Côte d'Ivoire") < names.index("Croatia") < names.index("Czechia")
    with translation.override("fr"):
        names = [str(state) for state in Country.objects.all()]
    assert names.index("Estonie") < names.index("État de Palestine") < names.index("Éthiopie") < names.index("Fidji")
    with translation.override("es"):
        names = [str(state) for state in Country.objects.all()]
    assert names.index("Côte d’Ivoire") < names.index("Croacia")


def test_ordering_by_a_relation_follows_the_readers_order_too(db):
    ExpertFactory(nationality=country("DEU"))  # Germany / Allemagne / Alemania
    ExpertFactory(nationality=country("ZAF"))  # South Africa / Afrique du Sud / Sudáfrica
    with translation.override("en"):
        assert [e.nationality_id for e in Expert.objects.order_by("nationality")] == ["DEU", "ZAF"]
    with translation.override("fr"):
        assert [e.nationality_id for e in Expert.objects.order_by("nationality")] == ["ZAF", "DEU"]


def test_the_names_load_again_on_a_database_that_holds_the_english_ones_only():
    Country.objects.update(name_fr="", name_es="", rank_fr=0)
    Article.objects.update(title_fr="")
    reference_names_update(apps, None)
    assert Country.objects.get(iso3="DEU").name_fr == "Allemagne"
    assert Article.objects.get(number=46).title_fr == "Entraide judiciaire"
    assert not Country.objects.filter(rank_fr=0).exists()


def test_the_need_forms_state_choices_read_french_in_french(cast):
    from needs.forms import NeedForm

    with translation.override("fr"):
        form = NeedForm(user=cast.secretariat)
        labels = [label for value, label in form.fields["requesting_state"].choices if value]
    assert "Allemagne" in labels and "Germany" not in labels
    assert labels == sorted_by_name(labels)


def test_the_statistics_labels_follow_the_language_of_the_request_and_codes_stay():
    from stats.dimensions import dimension

    codes = dict(dimension("needs", "country").codes())
    with translation.override("es"):
        assert str(codes["DEU"]) == "Alemania"
    with translation.override("en"):
        assert str(codes["DEU"]) == "Germany"


def test_a_mail_names_the_state_in_the_recipients_language(django_capture_on_commit_callbacks):
    from django.core import mail

    from roster.consent import confirmation_request
    from tests.factories import ExpertLanguageFactory

    expert = ExpertFactory(nominating_state=country("MAR"), status="submitted", consent_given_at=None)
    ExpertLanguageFactory(expert=expert, language_id="es", level=7)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    assert "Marruecos" in mail.outbox[-1].body and "Morocco" not in mail.outbox[-1].body


@pytest.mark.parametrize(
    "number, language, title",
    [
        # Checked against reproductions of the authentic texts (reference/data/README.md, "Article titles").
        (58, "es", "Dependencia de inteligencia financiera"),
        (52, "es", "Prevención y detección de transferencias del producto del delito"),
        (51, "es", "Disposición general"),
        (36, "fr", "Autorités spécialisées"),
        (43, "fr", "Coopération internationale"),
        (2, "fr", "Terminologie"),
    ],
)
def test_article_titles_read_as_the_authentic_texts_have_them(db, number, language, title):
    with translation.override(language):
        assert Article.objects.get(number=number).display_name == title
