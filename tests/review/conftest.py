import pytest
from django.urls import reverse

from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, NeedFactory, country


def ranked_expert(nationality: str = "FRA", article: int = 46, **fields):
    """An active, consenting expert whom a need citing `article` in English ranks."""
    person = ExpertFactory(nominating_state=country(nationality), nationality=country(nationality), **fields)
    ExpertArticleFactory(expert=person, article_id=article, level=3)
    ExpertLanguageFactory(expert=person, language_id="en", level=6)
    return person


@pytest.fixture
def need():
    return NeedFactory(articles=[46], working_languages=["en"], title="Asset recovery for Kenya")


@pytest.fixture
def experts():
    return [ranked_expert(nationality) for nationality in ("FRA", "NGA", "BRA", "IND")]


def review_url(need, name="review_need", *args):
    return reverse(f"admin:{name}", args=[need.pk, *args])


@pytest.fixture
def staff(cast):
    return cast.client_for("secretariat")
