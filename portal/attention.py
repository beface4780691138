"""What needs a signed-in person's attention, gathered from every app for the home page.

The home page lives in portal, below every app; apps register a provider here (from their AppConfig.ready) rather than
the home page importing them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AttentionItem:
    title: str
    count: int
    # Up to a handful of (label, url, detail) to act on at once; `more_url` lists them all.
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    more_url: str = ""


Provider = Callable[[Any], list[AttentionItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def attention_for(*, user: Any) -> list[AttentionItem]:
    """Every registered provider's items for USER that have something in them, in registration order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for provider in _providers for item in provider(user) if item.count]
