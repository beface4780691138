"""Reference names in the reader's language: the one accessor, the column to read, and the alphabetical order.

The reference tables keep the English name in `name` (or `title`) and the French and Spanish ones in
`name_fr`/`name_es`; codes (ISO 3166, ISO 639-1, article numbers, assistance type codes) never change
with the language. Everything that shows a reference name reads `display_name` (`str()` of the object
does too), or, for rows read as values, the column `localized_column("name")` names.

Alphabetical order follows the reader's language at the first level only: accents and case are set
aside ("Côte d'Ivoire" before "Czechia"; "État de Palestine" among the E), then the name as written
breaks ties. Each country and language stores its rank in each language's order (`rank_en`, `rank_fr`,
`rank_es`, computed when the reference data is loaded), and the models' ordering reads the rank of the
active language (`InLanguage`), so lists, choices and filters come out in the reader's order from the
database itself, whatever the database's own collation.
"""

import unicodedata
from collections.abc import Callable, Iterable

from django.db.models import F
from django.utils import translation
from django.utils.deconstruct import deconstructible
from django.utils.functional import Promise, lazy

# The languages the reference tables hold names in; English is the fallback for any other.
NAME_LANGUAGES = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"


def reference_language() -> str:
    """The active language as the reference tables know it: en, fr or es."""
    code = (translation.get_language() or DEFAULT_LANGUAGE).split("-")[0].lower()
    return code if code in NAME_LANGUAGES else DEFAULT_LANGUAGE


def localized_column(base: str, language: str | None = None) -> str:
    """The column holding `base` (name, title) in the language (default: the active one)."""
    language = language or reference_language()
    return base if language == DEFAULT_LANGUAGE else f"{base}_{language}"


def collation_key(text: str) -> tuple[str, str]:
    """First level: letters without accents, case folded; second: the text as written (a stable tiebreak)."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(character for character in decomposed if not unicodedata.combining(character))
    # Typographic apostrophes and dashes sort as their plain forms.
    base = base.replace("\u2019", "'").replace("\u2010", "-").replace("\u2011", "-")
    return base.casefold(), text


def sorted_by_name[T](items: Iterable[T], name: Callable[[T], str] = str) -> list[T]:
    """The items in the reader's alphabetical order of their names."""
    return sorted(items, key=lambda item: collation_key(name(item)))


def ranks(names: dict[str, str]) -> dict[str, int]:
    """Each key's place (1, 2, …) in the alphabetical order of the names."""
    ordered = sorted(names, key=lambda key: collation_key(names[key]))
    return {key: position for position, key in enumerate(ordered, start=1)}


def _name_in_language(en: str, fr: str, es: str) -> str:
    return {"fr": fr, "es": es}.get(reference_language()) or en


_lazy_name = lazy(_name_in_language, str)


def lazy_name(en: str, fr: str = "", es: str = "") -> Promise:
    """A name that reads itself in the language active when it is shown (as gettext_lazy does), for code
    lists built once per process from rows read as values."""
    return _lazy_name(en, fr, es)


def names_by_code(model: type, base: str = "name") -> dict:
    """Each row's code (primary key) and its name in the active language (as `display_name` reads it), in the
    model's order, in one query and without building the rows: for pages that count by code and show the names,
    and for choice lists (`.items()`)."""
    column = localized_column(base)
    rows = model.objects.values_list("pk", base, column)
    return {code: translated or name for code, name, translated in rows}


class Localized:
    """A reference row whose name (or title) exists in English, French and Spanish."""

    localized_field = "name"

    @property
    def display_name(self) -> str:
        """The name in the active language; the English one where no translation is stored."""
        translated = getattr(self, localized_column(self.localized_field), "")
        return translated or getattr(self, self.localized_field)


@deconstructible(path="reference.names.InLanguage")
class InLanguage(F):
    """An ordering on `<base>_<active language>` (e.g. rank_fr), decided when the query is compiled, so that a
    model's Meta.ordering and every queryset built from it sort in the language of the request being served.
    Ordering by a relation (order_by("nationality")) prefixes the name with the relation's, as for any F."""

    def __init__(self, base: str) -> None:
        self.base = base

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.base}_{reference_language()}"

    @name.setter
    def name(self, value: str) -> None:
        # F.copy() and pickling restore attributes through __dict__; the base is what identifies this ordering.
        pass

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InLanguage) and other.base == self.base

    def __hash__(self) -> int:
        return hash((InLanguage, self.base))

    def __repr__(self) -> str:
        return f"InLanguage({self.base!r})"
