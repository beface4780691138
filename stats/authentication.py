"""Who is asking: an API client with a key, throttled per client through the shared cache."""

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from stats.models import ApiClient
from stats.selectors import api_client_cache_key, api_client_for_key


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
        # The remembered client and the throttle's history in one round trip to the shared cache.
        prefix = key.partition(".")[0]
        client_key, history_key = api_client_cache_key(prefix), ApiClientRateThrottle.history_key(prefix)
        found = cache.get_many([client_key, history_key])
        client = api_client_for_key(key, remembered=found.get(client_key))
        request.stats_throttle_history = found.get(history_key, [])
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

    @classmethod
    def history_key(cls, prefix: str) -> str:
        return cls.cache_format % {"scope": cls.scope, "ident": prefix}

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, ApiClient):
            return None
        return self.history_key(request.auth.prefix)

    def allow_request(self, request: Request, view: object) -> bool:
        """SimpleRateThrottle's check, on the history the authentication already read with the client."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        prefetched = getattr(request, "stats_throttle_history", None)
        self.history = list(prefetched) if prefetched is not None else self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()
