from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address for sign-in lockouts.

    X-Forwarded-For is believed only as far as the operator's own proxies wrote it: each of the
    TRUSTED_PROXY_COUNT proxies appends the address it saw, so the client is that many entries from
    the right; anything further left may have been forged by the client itself.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-count] if len(forwarded) >= count else remote
