"""The expert's own word: a one-time link by e-mail to confirm the profile and give consent.

The link carries a signed token bound to the expert and to the moment the request was made, so a
newer request voids older links, and a link stops working once it has been used.
"""

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from roster.models import Expert

CONSENT_TEXT_VERSION = "2026-1"
TOKEN_SALT = "roster.expert-confirmation"  # noqa: S105 (a signing salt, not a secret)
TOKEN_MAX_AGE_SECONDS = 30 * 24 * 3600


def confirmation_token(*, expert: Expert) -> str:
    assert expert.confirmation_requested_at is not None
    return signing.dumps(
        {"e": expert.pk, "t": expert.confirmation_requested_at.isoformat()}, salt=TOKEN_SALT, compress=True
    )


def expert_from_confirmation_token(*, token: str) -> Expert | None:
    """The expert the token was issued to, or None when it is forged, expired, used or superseded."""
    try:
        payload = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    expert = Expert.objects.filter(pk=payload.get("e"), erased_at__isnull=True).first()
    if expert is None or expert.confirmation_requested_at is None:
        return None
    if expert.confirmation_requested_at.isoformat() != payload.get("t"):
        return None
    return expert


def confirmation_request(*, expert: Expert) -> None:
    """Issue a new link (voiding older ones) and mail it once the surrounding transaction commits."""
    expert.confirmation_requested_at = timezone.now()
    expert.save(update_fields=["confirmation_requested_at"])
    link = settings.SITE_URL + reverse("expert_self:confirm", kwargs={"token": confirmation_token(expert=expert)})
    message = render_to_string("roster/email/confirmation_request.txt", {"expert": expert, "link": link})
    recipient = expert.email
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Please confirm your profile on the UNCAC expert roster"),
            message=message,
            from_email=None,
            recipient_list=[recipient],
        )
    )


def confirmation_consume(*, expert: Expert) -> None:
    """A used link is void: clearing the request time makes every token for it invalid."""
    expert.confirmation_requested_at = None
