"""Responses with a behaviour of their own."""

import logging
from collections.abc import Callable

from django.http import HttpResponseRedirect

logger = logging.getLogger(__name__)


class RedirectThen(HttpResponseRedirect):
    """A redirect that does one more piece of work once the server has sent it to the client.

    The server calls close() after the last byte is out, so the client never waits on the work, and
    how long the work takes (or whether there was any to do) cannot be read from the response.
    """

    def __init__(self, redirect_to: str, *, then: Callable[[], None]) -> None:
        super().__init__(redirect_to)
        self.then = then

    def close(self) -> None:
        try:
            self.then()
        except Exception:
            # The client has its answer already; the operator learns of the failure from the log.
            logger.exception("Work after the response failed")
        finally:
            super().close()
