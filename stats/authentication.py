"""Who is asking: an API client with a key, throttled per client through the shared cache."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from stats.models import ApiClient
from stats.selectors import api_client_for_key


class ApiClientAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`, checked against the hashed keys of live (not revoked, not expired) clients."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiClient] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Give the key after the word Token, with no space inside it."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("The key is not valid, or it has been revoked or has expired.")) from exc
        client = api_client_for_key(key)
        if client is None:
            raise AuthenticationFailed(_("The key is not valid, or it has been revoked or has expired."))
        # A client is not a person of the portal: it has no user account, only its key.
        return AnonymousUser(), client

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class IsApiClient(BasePermission):
    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.auth, ApiClient)


class ApiClientRateThrottle(SimpleRateThrottle):
    scope = "stats_client"

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiClient):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
