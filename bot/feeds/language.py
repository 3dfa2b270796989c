"""An item's language (kk, ru or en): what its script says, else what the feed declares."""

from __future__ import annotations

import re

_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_LANGUAGE_ALIASES = {"kz": "kk", "kaz": "kk", "rus": "ru", "eng": "en"}


def language_code(value: object) -> str | None:
    """A feed's declared language (`ru-RU`, `kaz`) as kk / ru / en; None for any other."""
    if not isinstance(value, str) or not value.strip():
        return None
    base = re.split(r"[-_]", value.strip().lower())[0]
    base = _LANGUAGE_ALIASES.get(base, base)
    return base if base in ("kk", "ru", "en") else None


def detect_language(text: str, declared: str | None) -> str:
    """kk / ru / en: the script decides for Cyrillic text (Kazakh has its own letters, and feeds
    often declare one language for all their items); otherwise the declared one, else by script.
    """
    cyrillic = latin = kazakh = 0
    for char in text:
        if char in _KAZAKH_LETTERS:
            kazakh += 1
            cyrillic += 1
        elif "\u0400" <= char <= "\u04ff":
            cyrillic += 1
        elif char.isascii() and char.isalpha():
            latin += 1
    if cyrillic and cyrillic >= latin:
        return "kk" if kazakh >= max(1, cyrillic // 100) else "ru"
    if declared:
        return declared
    return "en" if latin else "ru"
