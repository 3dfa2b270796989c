"""One callback-data scheme (issue 11): every button is declared once (bot.callbacks), and
its declaration builds its data, parses it and gives its handler the pattern."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackQueryHandler

from bot import asked, callbacks, keyboards
from bot.app import build_application
from bot.config import load_settings
from bot.context import BotContext
from bot.i18n import texts_for
from handlers import fallback

ROOT = Path(__file__).resolve().parent.parent
# What the scheme listed by hand before the prefixes came from the declarations.
OLD_PREFIXES = {"lang", "facts", "news", "sub", "menu", "adm", "ask", "qa"}


def _handlers() -> list[CallbackQueryHandler[BotContext, object]]:
    application = build_application(
        load_settings({"BOT_TOKEN": "123456:" + "A" * 35, "ADMIN_IDS": "7"})
    )
    return [
        handler
        for group in application.handlers.values()
        for handler in group
        if isinstance(handler, CallbackQueryHandler)
    ]


def test_every_button_handler_takes_its_pattern_from_a_declaration() -> None:
    handlers = _handlers()
    declared = callbacks.declared()
    given = {p for d in declared for p in d.patterns} | {d.place() for d in declared}
    # A whole prefix: handlers/admin_routing's refusal and notice for every adm: button.
    given |= {callbacks.whole(prefix) for prefix in callbacks.prefixes()}
    unplaced = [h.callback for h in handlers if h.pattern is None]
    # Only the last in line takes every button: the "out of date" notice for the rest.
    assert unplaced == [fallback.stale_button]
    for handler in handlers:
        if handler.pattern is not None:
            pattern = getattr(handler.pattern, "pattern", handler.pattern)
            assert pattern in given, (handler.callback, pattern)
    assert callbacks.prefixes() == OLD_PREFIXES


def test_every_declared_button_round_trips_within_64_bytes() -> None:
    _handlers()  # every feature imported: all declarations made
    checked = 0
    for declaration in callbacks.declared():
        if isinstance(declaration, callbacks.Buttons):
            for verb in declaration.verbs:
                for args in ((), ("123456789",), ("3", "4503599627370495")):
                    data = declaration.data(verb, *args)
                    assert len(data.encode()) <= callbacks.LIMIT
                    press = declaration.parse(data)
                    expected = (declaration.prefix, declaration.area, verb, args)
                    assert press == callbacks.Press(*expected), data
                    checked += 1
        else:
            least, most = declaration.numbers
            head = declaration.choices[:1]
            for count in {least, most if most is not None else least + 7}:
                values = (*head, *["999"] * count)
                data = declaration.data(*values)
                assert len(data.encode()) <= callbacks.LIMIT
                assert declaration.parse(data) == values, data
                checked += 1
            for choice in declaration.choices:
                assert declaration.parse(declaration.data(choice, *["1"] * least)) is not None
    assert checked > 100


@pytest.mark.parametrize(
    ("data", "declaration", "parsed"),
    [  # data in messages sent before the declarations: the same strings, parsed the same
        ("lang:kk", keyboards.LANGUAGE, ("kk",)),
        ("facts:2", keyboards.FACTS_PAGES, ("2",)),
        ("news:12", keyboards.NEWS_PAGES, ("12",)),
        ("qa:ru.1.2", keyboards.MORE, ("ru", "1", "2")),
        ("qa:en.1.2.3.4.5.6.7.8.9.10", keyboards.MORE, ("en", *map(str, range(1, 11)))),
        ("sub:on", keyboards.SUBSCRIPTION, callbacks.Press("sub", "", "on", ())),
        ("sub:weekly", keyboards.SUBSCRIPTION, callbacks.Press("sub", "", "weekly", ())),
        ("sub:d.9", keyboards.SUBSCRIPTION, callbacks.Press("sub", "", "d", ("9",))),
        ("sub:w.0.18", keyboards.SUBSCRIPTION, callbacks.Press("sub", "", "w", ("0", "18"))),
        ("menu:status", keyboards.MENU, callbacks.Press("menu", "", "status", ())),
        ("ask:up.12", asked.BUTTONS, callbacks.Press("ask", "", "up", ("12",))),
        ("lang:xx", keyboards.LANGUAGE, None),
        ("qa:ru.x.2", keyboards.MORE, None),
        ("qa:zz.1", keyboards.MORE, None),
        ("news:-1", keyboards.NEWS_PAGES, None),
        ("facts:1.2", keyboards.FACTS_PAGES, None),
        ("sub:maybe", keyboards.SUBSCRIPTION, None),
        ("ask:", asked.BUTTONS, None),  # the inert button of a choice made
    ],
)
def test_old_data_parses_as_before(
    data: str, declaration: callbacks.Buttons | callbacks.Values, parsed: object
) -> None:
    assert declaration.parse(data) == parsed


def test_keyboards_send_the_data_they_always_sent() -> None:
    en = texts_for("en")

    def sent(markup: object) -> list[object]:
        rows = getattr(markup, "inline_keyboard", ())
        return [button.callback_data for row in rows for button in row]

    assert sent(keyboards.languages("ru")) == ["lang:kk", "lang:ru", "lang:en"]
    assert sent(keyboards.welcome(en, False)) == [
        "sub:on",
        "menu:lang",
        "menu:status",
        "menu:facts",
    ]
    assert sent(keyboards.digest_hours())[9] == "sub:d.9"
    assert sent(keyboards.digest_hours(3))[23] == "sub:w.3.23"
    assert sent(keyboards.weekdays("kk"))[0] == "sub:w.0"
    assert sent(keyboards.pager(en, "news", 2, 3)) == ["news:1", "news:3"]
    assert sent(InlineKeyboardMarkup(keyboards.more_row(en, [4, 5]))) == ["qa:en.4.5"]
    assert asked.BUTTONS.inert() == "ask:"


def test_declarations_never_claim_the_same_data() -> None:
    with pytest.raises(ValueError, match="overlap"):
        callbacks.Values("lang", choices=("de",))
    with pytest.raises(ValueError, match="overlap"):
        callbacks.Buttons("sub", ("off", "later"))
    with pytest.raises(ValueError, match="overlap"):
        callbacks.Buttons("menu", ("x",), area="status")  # menu:status.x is the menu's
    with pytest.raises(ValueError):
        callbacks.Values("pages", numbers=(2, 1))
    assert "pages" not in callbacks.prefixes()  # a refused declaration leaves no trace
    assert callbacks.parse("pages:1") is None  # an undeclared prefix is no data of ours
    with pytest.raises(ValueError):
        callbacks.whole("pages")
    with pytest.raises(ValueError):
        keyboards.LANGUAGE.data("de")
    with pytest.raises(ValueError):
        keyboards.MORE.data("ru")  # "more" without a fact


def test_only_the_declarations_build_and_parse_data() -> None:
    """No feature calls the scheme's make/parse itself (or writes data by hand)."""
    found = []
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py")]:
        if path.name == "callbacks.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "callbacks"
                and node.attr in ("make", "parse", "Callback")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} callbacks.{node.attr}")
    assert found == []


def test_a_more_button_with_many_long_ids_holds_what_fits() -> None:
    ids = list(range(10_000, 10_020))
    (row,) = keyboards.more_row(texts_for("kk"), ids)
    data = row[0].callback_data
    assert isinstance(data, str) and len(data.encode()) <= callbacks.LIMIT
    assert data.startswith("qa:kk.10000.10001.") and keyboards.MORE.parse(data) is not None


def test_a_pattern_may_ask_for_an_exact_number_of_arguments() -> None:
    buttons = keyboards.SUBSCRIPTION
    one = re.compile(buttons.pattern("d", "w", args=1))
    assert one.match("sub:d.9") and one.match("sub:w.0")
    for data in ("sub:d", "sub:d.", "sub:w.0.18", "sub:d.9.", "sub:on.9", "sub:dd.9"):
        assert not one.match(data), data
    none = re.compile(buttons.pattern("on", args=0))
    assert none.match("sub:on") and not none.match("sub:on.1") and not none.match("sub:onx")
    two = re.compile(buttons.pattern("w", args=2))
    assert two.match("sub:w.0.18") and not two.match("sub:w.0") and not two.match("sub:w.0.1.2")
    # Without `args`, any number (the admin screens' patterns, unchanged).
    assert re.match(buttons.pattern("w"), "sub:w.0.18.5")
    with pytest.raises(ValueError):
        buttons.pattern("d", args=-1)
    with pytest.raises(ValueError):
        buttons.pattern("maybe", args=0)
