"""Strangers' input: forged button data, SQL-looking text, and SQL built only from constants."""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path

import pytest

from bot.app import VisatalksApp
from tests.conftest import StartBot, make_settings
from tests.fakebotapi import FakeBotApi

USER = 801
FORGED = [
    "lang:xx",
    "lang:",
    "facts:99999999999999999999999999999999",
    "news:-1",
    "sub:maybe",
    "menu:drop",
    "x' OR 1=1 --",
    "facts:1; DROP TABLE chats",
    "\u202e" * 30,
    "z" * 64,
]


async def test_forged_callback_data_is_answered_and_harmless(
    api: FakeBotApi, start_bot: StartBot, database_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with start_bot(make_settings(api, database_path, FLOOD_BURST="100")):
        welcome = await api.reply_to(USER, "/start", language_code="en")
        for data in FORGED:
            api.press_button(USER, welcome, data, check=False, language_code="en")
        for _ in range(100):
            if len(api.answered_callbacks) == len(FORGED):
                break
            await asyncio.sleep(0.05)
        assert "2/7" in (await api.reply_to(USER, "/status")).plain
    assert len(api.answered_callbacks) == len(FORGED), "every query is answered"
    stale = {a.data for a in api.answered_callbacks if a.text and "out of date" in a.text}
    # Data that no handler's pattern accepts gets the "out of date" notice.
    assert stale == {"news:-1", "x' OR 1=1 --", "facts:1; DROP TABLE chats", *FORGED[-2:]}
    assert "update failed" not in caplog.text


async def test_sql_looking_text_is_only_text(api: FakeBotApi, bot: VisatalksApp) -> None:
    for text in ("'); DROP TABLE chats; --", "/start '; DELETE FROM chats; --", "/news 1 OR 1=1"):
        await api.reply_to(USER, text)
    store = bot.bot_data.store
    assert store is not None
    chat = await store.chats.get(USER)
    assert chat is not None and await store.facts.count() > 0


STORAGE = Path(__file__).resolve().parent.parent / "storage"
SQL_CALLS = {"execute", "executemany", "executescript", "fetchone", "fetchall", "fetchval"}
CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
# Formatted on purpose: migration files shipped with the code and their integer numbers.
ALLOWED = {("db.py", "migrate")}


def test_sql_is_built_from_constants_only() -> None:
    """Values reach SQL as bound parameters; only module constants are spliced into it."""
    problems = []
    for path in sorted(STORAGE.glob("*.py")):
        if path.name == "sql.py":  # the thin layer passes its callers' SQL through
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if (path.name, function.name) in ALLOWED:
                continue
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in SQL_CALLS
                    and call.args
                ):
                    continue
                sql = call.args[0]
                if isinstance(sql, ast.Constant):
                    continue
                names = [n.id for n in ast.walk(sql) if isinstance(n, ast.Name)]
                bad = [n for n in names if not CONSTANT.match(n)]
                if bad or not names:
                    problems.append(
                        f"{path.name}:{call.lineno} {function.name}: {bad or 'dynamic'}"
                    )
    assert problems == []
