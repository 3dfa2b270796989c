"""Callback data: one scheme, built and parsed here only.

Every button's data is `prefix:argument`, the argument dot-separated words. A feature declares
its buttons once, and the declaration builds the data, parses it and gives each handler its
pattern, so they cannot drift apart:
- `Buttons`, buttons with verbs: `prefix:[area.]verb[.arg...]` (admin screens, sub:, menu:);
- `Values`, buttons that carry values only: `prefix:value[.value...]` (a language code, a page
  number, fact ids).
The prefixes are the declared ones (`prefixes()`), and no two declarations may claim the same
data. Telegram allows 64 bytes, checked when data is built; foreign or forged data parses to
None. A handler takes either a strict pattern (only well-formed data reaches it; the rest gets
the "out of date" notice of handlers.fallback) or its declaration's whole `place()`, when it
answers forged data of its own prefix quietly itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import Update

LIMIT = 64  # bytes, Telegram's
_DATA_RE = re.compile(r"^([a-z]+):([A-Za-z0-9_.-]{0,62})$")  # LIMIT bounds the whole
_WORD_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_PREFIX_RE = re.compile(r"^[a-z]+$")
_DECLARED: list[Buttons | Values] = []


@dataclass(frozen=True)
class Callback:
    prefix: str
    argument: str

    def encode(self) -> str:
        return f"{self.prefix}:{self.argument}"


def declared() -> tuple[Buttons | Values, ...]:
    """Every button declaration made so far (each feature's, once its module is imported)."""
    return tuple(_DECLARED)


def prefixes() -> frozenset[str]:
    """The prefixes of the declared buttons: the only ones data may have."""
    return frozenset(d.prefix for d in _DECLARED)


def whole(prefix: str) -> str:
    """Regex for CallbackQueryHandler: all data of a declared prefix, whichever declaration's
    (the admins' refusal and their stale-button notice take every `adm:` button)."""
    if prefix not in prefixes():
        raise ValueError(f"no buttons are declared with the prefix {prefix!r}")
    return f"^{re.escape(prefix)}:"


def make(prefix: str, argument: object = "") -> str:
    """Data in the scheme; declarations build theirs with it."""
    data = Callback(prefix, str(argument)).encode()
    if parse(data) is None or len(data.encode()) > LIMIT:
        raise ValueError(f"invalid callback data {data!r}")
    return data


def parse(data: str | None) -> Callback | None:
    """Data in the scheme with a declared prefix, split; declarations parse theirs with it."""
    match = _DATA_RE.match(data or "")
    if match is None or match.group(1) not in prefixes():
        return None
    return Callback(match.group(1), match.group(2))


def _declare(new: Buttons | Values) -> None:
    """Two declarations never claim the same data: a prefix of Values is theirs alone; Buttons
    share one only in different areas (or with different verbs)."""
    if not _PREFIX_RE.match(new.prefix):
        raise ValueError(f"invalid callback prefix {new.prefix!r}")
    for old in _DECLARED:
        if old.prefix == new.prefix and _overlap(old, new):
            raise ValueError(f"buttons {new.place()} overlap {old.place()}")
    _DECLARED.append(new)


def _overlap(one: Buttons | Values, other: Buttons | Values) -> bool:
    if isinstance(one, Values) or isinstance(other, Values):
        return True
    if one.area == other.area:
        return bool(set(one.verbs) & set(other.verbs))
    return (not one.area and other.area in one.verbs) or (
        not other.area and one.area in other.verbs
    )


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
        if not all(_WORD_RE.match(w) for w in words):
            raise ValueError(f"invalid buttons {prefix}:{area} {self.verbs}")
        self.prefix, self.area, self.command = prefix, area, command
        self._head = f"{prefix}:{area}." if area else f"{prefix}:"
        self.patterns: set[str] = set()  # those handed to handlers
        _declare(self)

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

    def inert(self) -> str:
        """Data of a button that does nothing when pressed (a choice already made)."""
        return make(self.prefix, self.area)

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

    def pattern(self, *verbs: str, args: int | None = None) -> str:
        """Regex for CallbackQueryHandler: these verbs' buttons (all declared ones by default);
        with `args`, only those with exactly that many arguments (`sub:d.<hour>` is not
        `sub:w.<weekday>.<hour>`'s)."""
        unknown = set(verbs) - set(self.verbs)
        if unknown:
            raise ValueError(f"{self._head} has no verbs {sorted(unknown)}")
        if args is not None and args < 0:
            raise ValueError(f"invalid number of arguments {args}")
        chosen = "|".join(re.escape(v) for v in verbs or self.verbs)
        tail = r"(\.|$)" if args is None else rf"(?:\.[A-Za-z0-9_-]+){{{args}}}$"
        return self._hand_out(rf"^{re.escape(self._head)}({chosen}){tail}")

    def place(self) -> str:
        """Regex for CallbackQueryHandler: all data in these buttons' place, forged included."""
        return self._hand_out(f"^{re.escape(self._head)}")

    def _hand_out(self, pattern: str) -> str:
        self.patterns.add(pattern)
        return pattern


class Values:
    """Buttons that carry values only: `prefix:value[.value...]`.

    The first value is one of `choices` when there are any (a language code); then come
    `numbers` numbers, at least and at most (None: no limit): a page, fact ids.
    """

    def __init__(
        self,
        prefix: str,
        *,
        choices: Iterable[str] = (),
        numbers: tuple[int, int | None] = (0, 0),
    ) -> None:
        self.prefix, self.choices, self.numbers = prefix, tuple(choices), numbers
        least, most = numbers
        if most is not None and most < least:
            raise ValueError(f"invalid values {prefix}: {numbers}")
        if not (self.choices or least) or not all(_WORD_RE.match(c) for c in self.choices):
            raise ValueError(f"invalid values {prefix}: {self.choices} {numbers}")
        self._strict = re.compile(self._shape("[0-9]"))
        self.patterns: set[str] = set()  # those handed to handlers
        _declare(self)

    def _shape(self, digit: str) -> str:
        least, most = self.numbers
        first = "(?:" + "|".join(re.escape(c) for c in self.choices) + ")" if self.choices else ""
        if not first:  # the first number has no dot before it
            first, least, most = f"{digit}+", least - 1, None if most is None else most - 1
        if most == 0:
            return first
        return rf"{first}(?:\.{digit}+){{{least},{'' if most is None else most}}}"

    def data(self, *values: object) -> str:
        """A button's data; raises ValueError for values the declaration does not allow."""
        words = tuple(str(v) for v in values)
        data = make(self.prefix, ".".join(words))
        if self.parse(data) != words:
            raise ValueError(f"{self.prefix}: does not take {words!r}")
        return data

    def parse(self, raw: str | None) -> tuple[str, ...] | None:
        """The values; None for data these buttons never make (another feature's, forged)."""
        parsed = parse(raw)
        if parsed is None or parsed.prefix != self.prefix:
            return None
        if not self._strict.fullmatch(parsed.argument):
            return None
        return tuple(parsed.argument.split("."))

    def owns(self, raw: str | None) -> bool:
        """Data with these buttons' prefix, whether or not it parses."""
        return (raw or "").startswith(f"{self.prefix}:")

    def pattern(self) -> str:
        """Regex for CallbackQueryHandler: well-formed data only (`\\d`, as Telegram's clients
        never send other digits; parse accepts ASCII ones only)."""
        shape = self._shape(r"\d")
        return self._hand_out(f"^{re.escape(self.prefix)}:{shape}$")

    def place(self) -> str:
        """Regex for CallbackQueryHandler: all data with this prefix, forged included."""
        return self._hand_out(f"^{re.escape(self.prefix)}:")

    def _hand_out(self, pattern: str) -> str:
        self.patterns.add(pattern)
        return pattern


async def answered(update: Update) -> str | None:
    """Answers the button press (the client shows a spinner until then); returns its data."""
    query = update.callback_query
    if query is None:
        return None
    await query.answer()
    return query.data
