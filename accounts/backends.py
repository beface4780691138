from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.throttles import account_locked


class AccountLockBackend:
    """Refuses every sign-in to an account that failed too often from any addresses, the right password
    included; it authenticates no one itself. The page says so through django-axes' lockout page.

    Like axes' own backend it has no get_user, so that no session is ever bound to it."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, **kwargs: object) -> None:
        if username and account_locked(username=username):
            if request is not None:
                request.axes_locked_out = True
            raise PermissionDenied
        return None
