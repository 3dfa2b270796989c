"""Languages: gettext catalogues (.po, read with Babel), dates and plurals through Babel.

Every user-visible text comes from `bot/locales/<lang>/LC_MESSAGES/*.po` (all the files of a
language form one catalogue, split by feature). Message ids are symbolic keys; a key ending in
`.html` holds Telegram HTML, any other key is plain text and is escaped whole. Placeholders are
named (`{date}`) and their values are always escaped unless they are `Html`. Fallback: the
chosen language, then Russian, then the key itself.
"""

from __future__ import annotations

import datetime as dt
import gettext
import html
import logging
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LANGUAGES = ("kk", "ru", "en")
FALLBACK = "ru"
LOCALES_DIR = Path(__file__).parent / "locales"
# Each language's own name, shown on the language keyboard whatever the current language.
LANGUAGE_NAMES = {"kk": "Қазақша", "ru": "Русский", "en": "English"}
# Dates the way each language's press writes them, one way everywhere: Babel's "long" format
# gives "2025 ж. 2 желтоқсан" and "December 2, 2025", which the facts and the Kazakh editor
# do not use.
DATE_PATTERNS = {"kk": "y 'жылғы' d MMMM", "ru": "long", "en": "d MMMM y"}
DATETIME_PATTERNS = {
    "kk": "y 'жылғы' d MMMM, HH:mm",
    "ru": "d MMMM y, HH:mm",
    "en": "d MMMM y, HH:mm",
}


def detect_language(language_code: str | None) -> str:
    """Telegram's language_code to ours: kk -> kk, en -> en, anything else -> ru."""
    base = (language_code or "").split("-")[0].lower()
    return base if base in ("kk", "en") else FALLBACK


class Html(str):
    """Text that is already valid Telegram HTML: inserted into templates without escaping."""

    __slots__ = ()


def escape(value: object) -> str:
    return value if isinstance(value, Html) else html.escape(str(value), quote=False)


def link(url: str, label: object) -> Html:
    """`<a href="url">label</a>`, the URL quoted for its attribute, the label escaped."""
    return Html(f'<a href="{html.escape(url, quote=True)}">{escape(label)}</a>')


Message = str | tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    language: str
    messages: Mapping[str, Message]
    plural_index: Callable[[int], int]


def _read_catalogue(language: str, directory: Path) -> Catalogue:
    messages: dict[str, Message] = {}
    plural_expr = "(n != 1)"
    for po_path in sorted((directory / language / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        plural_expr = catalog.plural_expr
        for message in catalog:
            if not message.id:
                continue
            key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
            if key in messages:
                raise ValueError(f"{po_path}: key {key!r} is defined twice for {language}")
            value = message.string
            if isinstance(value, tuple | list):
                messages[key] = tuple(value)
            elif value:
                messages[key] = value
    return Catalogue(language, messages, gettext.c2py(plural_expr))


@cache
def catalogues(directory: Path = LOCALES_DIR) -> dict[str, Catalogue]:
    """All catalogues, read once per process."""
    return {lang: _read_catalogue(lang, directory) for lang in LANGUAGES}


def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Texts:
    """The texts of one language. `texts("key", name=value)` returns Telegram HTML."""

    def __init__(self, language: str, directory: Path = LOCALES_DIR) -> None:
        self.language = language if language in LANGUAGES else FALLBACK
        self._chain = [catalogues(directory)[self.language], catalogues(directory)[FALLBACK]]

    def _lookup(self, key: str) -> tuple[Message | None, Catalogue]:
        for catalogue in self._chain:
            message = catalogue.messages.get(key)
            if message:
                return message, catalogue
        log.warning("missing text %r for %s", key, self.language)
        return None, self._chain[0]

    def _render(self, key: str, template: str, params: Mapping[str, Any]) -> Html:
        if not key.endswith(".html"):
            template = html.escape(template, quote=False)
        return Html(template.format_map({k: escape(v) for k, v in params.items()}))

    def __call__(self, key: str, **params: Any) -> Html:
        message, _ = self._lookup(key)
        if message is None:
            return Html(html.escape(key))
        template = message if isinstance(message, str) else message[0]
        return self._render(key, template, params)

    def plural(self, key: str, count: int, **params: Any) -> Html:
        """The plural form for `count` (available to the template as {count})."""
        message, catalogue = self._lookup(key)
        if message is None:
            return Html(html.escape(key))
        forms = (message,) if isinstance(message, str) else message
        index = min(catalogue.plural_index(count), len(forms) - 1)
        return self._render(key, forms[index], {"count": count, **params})

    def plain(self, key: str, **params: Any) -> str:
        """Unescaped text, for places that take no HTML (button labels, command menus)."""
        return html.unescape(self(key, **params))

    def date(self, value: dt.date) -> str:
        """A date as people write it: `2025 жылғы 2 желтоқсан`, `2 December 2025`."""
        return _plain_spaces(format_date(value, DATE_PATTERNS[self.language], locale=self.language))

    def datetime(self, value: dt.datetime) -> str:
        """A moment with its time: `2025 жылғы 2 желтоқсан, 14:05`, `2 December 2025, 14:05`."""
        pattern = DATETIME_PATTERNS[self.language]
        return _plain_spaces(format_datetime(value, pattern, locale=self.language))


def _plain_spaces(text: str) -> str:
    # CLDR puts narrow no-break spaces in dates ("2025\u202fг."); users search and copy them
    # with ordinary spaces.
    return text.replace("\u202f", " ").replace("\xa0", " ")


@cache
def texts_for(language: str) -> Texts:
    return Texts(language)


def catalogue_differences(directory: Path = LOCALES_DIR) -> list[str]:
    """Keys and placeholders that differ between languages; empty when they all agree."""
    problems: list[str] = []
    cats = catalogues(directory)
    reference = cats[FALLBACK]

    def names(message: Message) -> Iterable[frozenset[str]]:
        return [placeholders(m) for m in ((message,) if isinstance(message, str) else message)]

    for lang, catalogue in cats.items():
        for key in sorted(set(reference.messages) ^ set(catalogue.messages)):
            where = lang if key not in catalogue.messages else FALLBACK
            problems.append(f"{where}: missing {key!r}")
        for key in sorted(set(reference.messages) & set(catalogue.messages)):
            expected = set().union(*names(reference.messages[key]))
            for form in names(catalogue.messages[key]):
                if form - {"count"} != expected - {"count"}:
                    problems.append(f"{lang}: {key!r} has {sorted(form)}, ru {sorted(expected)}")
    return problems
