"""The portal speaks English, French and Spanish; the compiled catalogues match their sources."""

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

LOCALES = Path(settings.BASE_DIR) / "locale"


def _po_entries(path: Path) -> dict[str, list[str]]:
    """msgid -> its msgstr forms, from a gettext .po file (enough of the format for our own files)."""
    entries: dict[str, list[str]] = {}
    current: dict[str, str] = {}
    key = ""

    def flush() -> None:
        if "msgid" in current and current["msgid"]:
            forms = [current[k] for k in sorted(current) if k.startswith("msgstr")]
            entries[current["msgid"]] = forms
        current.clear()

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = line.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _, rest = line.partition(" ")
            current[key] = ast.literal_eval(rest)
    return entries


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_message_is_translated_and_compiled(language):
    po = _po_entries(LOCALES / language / "LC_MESSAGES" / "django.po")
    assert len(po) > 400
    untranslated = [msgid for msgid, forms in po.items() if not all(forms)]
    assert untranslated == []
    with (LOCALES / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, forms in po.items() if compiled.gettext(msgid) != forms[0]]
    assert stale == [], "run: python manage.py compilemessages --ignore=.venv"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept, lang, text",
    [
        ("fr-FR,fr;q=0.9", "fr", "Se connecter"),
        ("es", "es", "Iniciar sesión"),
        ("en", "en", "Sign in"),
    ],
)
def test_the_login_page_speaks_the_browsers_language(client, accept, lang, text):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}">' in body and text in body


@pytest.mark.django_db
def test_the_language_chosen_in_the_footer_sticks(client):
    client.post(reverse("set_language"), {"language": "fr", "next": reverse("login")})
    assert "Aller au contenu principal" in client.get(reverse("login")).content.decode()
