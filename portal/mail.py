"""The one way the portal sends mail: from a template, in the recipient's language, once the change commits.

A mail is about a change (an invitation, a nomination, a reminder); sent before the change commits, it
could announce something that was then rolled back, or carry a link to a row that does not exist.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise


def mail_language(code: str | None) -> str:
    """`code` when the portal speaks it, else the portal's default language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def mail_send(*, to: str, language: str | None, subject: Promise, template: str, context: Mapping[str, Any]) -> None:
    """Render `template` and `subject` in `language` now, and send them to `to` after the transaction commits.

    `subject` is a lazy translation (gettext_lazy): one already translated would be in the sender's language.
    """
    if not isinstance(subject, Promise):
        raise TypeError("A mail subject is a gettext_lazy string, so that it is translated for the recipient.")
    with translation.override(mail_language(language)):
        subject_text = str(subject)
        body = render_to_string(template, dict(context))
    transaction.on_commit(lambda: send_mail(subject=subject_text, message=body, from_email=None, recipient_list=[to]))
