"""Every URL of the restricted admin, with its parameters filled in, for tests that must try them all.

The list is read from the admin site's own URL patterns at test time (its pages, every registered
model's, and each app's workspace_urls under /secretariat/workspace/), so a page added later is tried
without anyone adding it here. A parameter gets a dummy value (the refusals under test come before
any record is read); each filled-in URL is resolved back to check that it reaches the pattern it was
made from, so a pattern this cannot fill in fails loudly rather than going untried.
"""

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

# A value each path converter accepts; any other converter is filled with "1".
CONVERTER_SAMPLES = {"uuid": "00000000-0000-4000-8000-000000000001"}
# The admin's own pages open to everyone: its sign-in form, and signing out.
OPEN_PAGES = frozenset({"login", "logout"})


@dataclass(frozen=True)
class AdminUrl:
    name: str  # the pattern's name in the admin namespace, or its route for an unnamed pattern
    url: str

    def __str__(self) -> str:
        return self.name


def _group_sample(group: str) -> str:
    first = group.split("|")[0]
    return first if re.fullmatch(r"[\w-]+", first) else "1"


def _route_sample(pattern: object) -> str:
    text = str(pattern)
    if text.startswith("^") or text.endswith("$") or "(?P<" in text or "(" in text:
        text = text.removeprefix("^").removesuffix("$")
        text = re.sub(r"\(\?P<\w+>([^)]*)\)", lambda match: _group_sample(match[1]), text)
        return re.sub(r"\(([^)]*)\)", lambda match: _group_sample(match[1]), text)
    return re.sub(r"<(?:(?P<converter>\w+):)?\w+>", lambda match: CONVERTER_SAMPLES.get(match["converter"], "1"), text)


def _walk(patterns: list, prefix: str):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + _route_sample(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + _route_sample(entry.pattern)


def admin_urls() -> list[AdminUrl]:
    root = reverse("admin:index")
    (site,) = [entry for entry in get_resolver().url_patterns if getattr(entry, "app_name", None) == admin.site.name]
    found = []
    for pattern, path in _walk(site.url_patterns, root):
        match = resolve(path)
        assert match.func is pattern.callback, f"{path} (made from {pattern.pattern}) reaches {match.view_name}"
        found.append(AdminUrl(pattern.name or path, path))
    return found
