"""Callback data: one scheme, built and parsed here only.

Every button's data is `prefix:argument`, the argument dot-separated parts. A feature with
verbs declares them once (`Buttons`): its data is `prefix:[area.]verb[.arg...]`, and the
same declaration builds the data, parses it and gives each verb's handler its pattern, so
they cannot drift apart. Telegram allows 64 bytes, checked when data is built; foreign or
forged data parses to None.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update

PREFIXES = ("lang", "facts", "news", "sub", "menu", "adm", "ask", "qa")
LIMIT = 64  # bytes, Telegram's
_DATA_RE = re.compile(r"^(" + "|".join(PREFIXES) + r"):([A-Za-z0-9_.-]{0,40})$")
_WORD_RE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Callback:
    prefix: str
    argument: str

    def encode(self) -> str:
        return f"{self.prefix}:{self.argument}"

    @property
    def number(self) -> int | None:
        return int(self.argument) if self.argument.isdigit() else None


def make(prefix: str, argument: object = "") -> str:
    data = Callback(prefix, str(argument)).encode()
    if parse(data) is None or len(data.encode()) > LIMIT:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    match = _DATA_RE.match(data or "")
    return Callback(match.group(1), match.group(2)) if match else None


def pattern(prefix: str) -> str:
    """Regex for CallbackQueryHandler(pattern=...): every button of the prefix."""
    return f"^{prefix}:"


@dataclass(frozen=True)
class Press:
    """A pressed button of a `Buttons` feature, parsed: a declared verb and its arguments."""

    prefix: str
    area: str
    verb: str
    args: tuple[str, ...]

    def arg(self, index: int = 0) -> str:
        return self.args[index] if index < len(self.args) else ""

    def number(self, index: int = 0) -> int | None:
        value = self.arg(index)
        return int(value) if value.isdigit() else None


class Buttons:
    """One feature's buttons: `prefix:[area.]verb[.arg...]`, the verbs declared here.

    `command` names the admin command the buttons belong to (the audit entry of a refusal).
    """

    def __init__(
        self, prefix: str, verbs: Iterable[str], *, area: str = "", command: str = ""
    ) -> None:
        self.verbs = tuple(verbs)
        words = [*self.verbs, area] if area else self.verbs
        if prefix not in PREFIXES or not all(_WORD_RE.match(w) for w in words):
            raise ValueError(f"invalid buttons {prefix}:{area} {self.verbs}")
        self.prefix, self.area, self.command = prefix, area, command
        self._head = f"{prefix}:{area}." if area else f"{prefix}:"

    def data(self, verb: str, *args: object) -> str:
        """A button's data; an empty optional last argument is left out."""
        if verb not in self.verbs:
            raise ValueError(f"{self._head} has no verb {verb!r}")
        tail = [str(a) for a in args]
        while tail and not tail[-1]:
            tail.pop()
        if not all(_WORD_RE.match(part) for part in tail):
            raise ValueError(f"invalid callback arguments {tail!r}")
        return make(self.prefix, ".".join([self.area, verb, *tail] if self.area else [verb, *tail]))

    def parse(self, raw: str | None) -> Press | None:
        """The press; None for data these buttons never make (another feature's, forged)."""
        parsed = parse(raw)
        if parsed is None or not (raw or "").startswith(self._head):
            return None
        verb, *args = (raw or "")[len(self._head) :].split(".")
        if verb not in self.verbs:
            return None
        return Press(self.prefix, self.area, verb, tuple(args))

    def owns(self, raw: str | None) -> bool:
        """Data in these buttons' place (`prefix:[area.]`), whether or not it parses."""
        return (raw or "").startswith(self._head)

    def pattern(self, *verbs: str) -> str:
        """Regex for CallbackQueryHandler: these verbs' buttons (all declared ones by default)."""
        unknown = set(verbs) - set(self.verbs)
        if unknown:
            raise ValueError(f"{self._head} has no verbs {sorted(unknown)}")
        chosen = "|".join(re.escape(v) for v in verbs or self.verbs)
        return rf"^{re.escape(self._head)}({chosen})(\.|$)"


async def pressed(update: Update) -> Callback | None:
    """Answers the button press (the client shows a spinner until then); returns its data."""
    query = update.callback_query
    if query is None:
        return None
    await query.answer()
    return parse(query.data)
