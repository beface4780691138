from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Every page the portal renders is kept out of browser and shared caches (`no-store, private`).

    Almost every page shows personal data (experts, needs, accounts, an expert's own record, CSV
    exports, CVs), and a page that shows none today may show some tomorrow: a list of exceptions
    would be one more thing to forget. Static files never reach this middleware (WhiteNoise, above
    it, answers them with their own long-lived headers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response
