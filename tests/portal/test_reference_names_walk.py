"""Every page, as each role reads it in French and in Spanish, names the Convention's articles and chapters,
countries, languages, assistance types and legal systems in that language (issue 12, item 1 and its
"Done when"). The pages are found by walking the URL configuration and the restricted admin's registry,
so that a page added later is walked too; the English name of every reference row whose French or Spanish
name differs must appear on none of them.
"""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reference.models import Article, AssistanceType, Chapter, Country, Language, LegalSystem
from reference.names import localized_column
from roster.consent import confirmation_request
from roster.models import Expert
from tests.conftest import signed_in_client
from tests.walk import admin_urls, expert_link_path, portal_urls, realistic_data_make

pytestmark = pytest.mark.django_db

LOCALIZED = [
    (Article, "title"),
    (Chapter, "title"),
    (Country, "name"),
    (Language, "name"),
    (AssistanceType, "name"),
    (LegalSystem, "name"),
]


def _english_names(language: str) -> set[str]:
    """Every reference row's English name that reads otherwise in the language."""
    names = set()
    for model, base in LOCALIZED:
        for english, translated in model.objects.values_list(base, localized_column(base, language)):
            if translated and translated != english:
                names.add(english)
    return names


def _visible_text(body: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _found(text: str, names: set[str]) -> list[str]:
    return sorted(name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text))


@pytest.fixture
def realistic_data(cast):
    return realistic_data_make(cast)


def _expert_client(expert: Expert, django_capture_on_commit_callbacks) -> Client:
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    client = Client()
    client.get(expert_link_path())
    return client


def _read(client: Client, url: str, language: str, method: str = "get", data: dict | None = None):
    response = getattr(client, method)(url, data or {}, HTTP_ACCEPT_LANGUAGE=language)
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return None
    return _visible_text(response.content.decode())


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize("role", ["focal_point", "secretariat", "expert", "anonymous"])
def test_no_page_shows_an_english_reference_name_to_a_french_or_spanish_reader(
    cast, realistic_data, django_capture_on_commit_callbacks, role, language
):
    urls = portal_urls(realistic_data)
    requests: list[tuple[str, str, dict | None]] = [(url, "get", None) for url in urls]
    if role == "focal_point":
        client = signed_in_client(realistic_data["focal_point"])
    elif role == "secretariat":
        client = cast.client_for("secretariat")
        requests += [(url, "get", None) for url in admin_urls()]
    elif role == "expert":
        client = _expert_client(realistic_data["link_expert"], django_capture_on_commit_callbacks)
        requests.append((reverse("expert_self:data_export"), "post", {"format": "html"}))
    else:
        client = Client()
    english = _english_names(language)
    assert len(english) > 200, "the check compares with the reference names"

    read, untranslated = [], {}
    for url, method, data in requests:
        text = _read(client, url, language, method, data)
        if text is None:
            continue
        read.append(url)
        if found := _found(text, english):
            untranslated[url] = found
    assert untranslated == {}
    # The walk reached the pages each role works with.
    expected = {
        "focal_point": {
            reverse("roster:expert_nominate"),
            reverse("needs:need_detail", args=[realistic_data["need"].pk]),
        },
        "secretariat": {reverse("admin:roster_expert_changelist"), reverse("roster:expert_list")},
        "expert": {reverse("expert_self:profile"), reverse("expert_self:data_export")},
        "anonymous": {reverse("home"), reverse("privacy"), reverse("stats:statistics")},
    }[role]
    assert expected <= set(read)


def test_the_walk_would_see_an_english_name(cast, realistic_data):
    """The check itself: the English name shown on a page in French is caught."""
    with translation.override("fr"):
        english = _english_names("fr")
    assert _found(_visible_text("<td>Mutual legal assistance</td>"), english) == ["Mutual legal assistance"]
    assert _found(_visible_text("<td>Entraide judiciaire, Jordanie</td>"), english) == []
