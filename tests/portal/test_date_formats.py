"""One date format per language everywhere (issue 12, item 8): pages, the restricted admin's lists and mails
write a date the same way in a language, and no template writes its own pattern."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.template import engines
from django.urls import reverse
from django.utils import formats, translation

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record
from portal.mail import mail_send
from review.services import REMINDER_SUBJECT
from tests.conftest import signed_in_client
from tests.factories import ExpertFactory, NeedFactory

CONSENT = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
# The same day as each language writes it, and the ways it must not be written any more.
DAY = {"en": "1 February 2026", "fr": "1 février 2026", "es": "1 de febrero de 2026"}
OTHER_WAYS = ["2026-02-01", "02/01/2026", "01/02/2026", "Feb. 1, 2026"]
NAMED = {"DATE_FORMAT", "DATETIME_FORMAT", "TIME_FORMAT"}


def _template_files() -> list[Path]:
    roots = [Path(folder) for folder in engines["django"].engine.dirs]
    roots += [Path(settings.BASE_DIR) / app / "templates" for app in settings.INSTALLED_APPS if "." not in app]
    return [path for root in roots if root.is_dir() for path in root.rglob("*") if path.suffix in {".html", ".txt"}]


def test_no_template_writes_its_own_date_pattern():
    files = _template_files()
    assert len(files) > 50
    ad_hoc = []
    for path in files:
        for found in re.finditer(r"\|\s*(date|time)\s*:\s*([\"'])(.*?)\2", path.read_text(encoding="utf-8")):
            if found[3] not in NAMED:
                ad_hoc.append(f"{path.relative_to(settings.BASE_DIR)}: {found[0]}")
    assert ad_hoc == []


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_each_language_has_one_way_to_write_a_date(language):
    with translation.override(language):
        assert formats.get_format("SHORT_DATE_FORMAT") == formats.get_format("DATE_FORMAT")
        assert formats.get_format("SHORT_DATETIME_FORMAT") == formats.get_format("DATETIME_FORMAT")
        assert formats.date_format(CONSENT, "DATE_FORMAT") == DAY[language]
        assert formats.date_format(CONSENT, "DATETIME_FORMAT").startswith(DAY[language])
        assert formats.date_format(CONSENT, "DATETIME_FORMAT").endswith("09:30")


def _without_other_ways(body: str) -> list[str]:
    return [way for way in OTHER_WAYS if way in body]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es"])
def test_a_focal_point_reads_the_expert_page_dates_in_the_language(cast, language):
    expert = ExpertFactory(
        nominating_state=cast.owner.state,
        consent_given_at=CONSENT,
        last_confirmed_at=CONSENT,
        available_from=CONSENT.date(),
    )
    body = signed_in_client(cast.owner).get(
        reverse("roster:expert_detail", args=[expert.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    text = body.content.decode()
    assert text.count(DAY[language]) >= 3
    assert _without_other_ways(text) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_admin_lists_write_moments_as_the_pages_do(cast, language):
    audit_record(actor=cast.secretariat, action=AuditAction.EXPERT_ERASE, target=cast.owner, details={})
    AuditEvent.objects.update(created_at=CONSENT)
    body = signed_in_client(cast.secretariat).get(
        reverse("admin:audit_auditevent_changelist"), HTTP_ACCEPT_LANGUAGE=language
    )
    with translation.override(language):
        moment = formats.date_format(CONSENT, "DATETIME_FORMAT")
    assert moment in body.content.decode()


@pytest.mark.django_db
def test_a_mail_writes_dates_in_the_recipient_language(django_capture_on_commit_callbacks):
    expert = ExpertFactory()
    with django_capture_on_commit_callbacks(execute=True):
        mail_send(
            to=expert.email,
            language="es",
            subject=REMINDER_SUBJECT,
            template="review/email/availability_reminder.txt",
            context={
                "expert": expert,
                "need": NeedFactory(),
                "link": "https://roster.example.org/",
                "expires_at": CONSENT,
            },
        )
    (message,) = mail.outbox
    assert DAY["es"] in message.body
    assert _without_other_ways(message.body) == []
