"""Labels begin with a capital letter in every language (issue 12, item 8): a French or Spanish field name written
lower-case for use inside a sentence ("articles de la Convention") is capitalised where it labels something
(a term, a column, a field, a group, a heading, a button)."""

import html
import re

import pytest
from django.test import Client

from roster.consent import confirmation_request
from tests.conftest import signed_in_client
from tests.walk import expert_link_path, portal_urls, realistic_data_make

pytestmark = pytest.mark.django_db

LABELS = re.compile(r"<(dt|th|label|legend|summary|h[1-4]|caption|button)\b[^>]*>(.*?)</\1>", re.S | re.I)


def _labels(body: str) -> list[str]:
    found = []
    for match in LABELS.finditer(body):
        text = html.unescape(re.sub(r"<[^>]+>", " ", match[2])).strip()
        if text:
            found.append(text)
    return found


def _lower_case(labels: list[str]) -> list[str]:
    return [label for label in labels if label[0].isalpha() and label[0].islower()]


@pytest.mark.parametrize("language", ["fr", "es", "en"])
def test_every_label_on_the_portal_pages_begins_with_a_capital(cast, language, django_capture_on_commit_callbacks):
    data = realistic_data_make(cast)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=data["link_expert"])
    expert = Client()
    expert.get(expert_link_path())
    clients = {
        "focal point": signed_in_client(data["focal_point"]),
        "secretariat": cast.client_for("secretariat"),
        "expert": expert,
        "anonymous": Client(),
    }
    lower: dict[str, list[str]] = {}
    for who, client in clients.items():
        for url in portal_urls(data):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            if found := _lower_case(_labels(response.content.decode())):
                lower[f"{who} {url}"] = sorted(set(found))
    assert lower == {}


def test_the_check_sees_a_lower_case_label():
    assert _lower_case(_labels("<dt>articles de la Convention</dt><th scope='col'>Nom</th><dt>2 ans</dt>")) == [
        "articles de la Convention"
    ]
