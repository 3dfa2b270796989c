"""Logs: one line per event, no token or webhook secret at any level, no user text at INFO."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.ops.logs import REDACTED, setup_logging
from bot.telegram.runner import running
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotApi
from tests.test_webhook import free_port

SECRET = "hook_Secret-4c2e9a17b5"
PRIVATE = "my-private-words-about-my-visa"
LINE_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} [A-Z]+ [\w.]+: ")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    names = ("httpx", "httpcore", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


async def session(api: FakeBotApi, database_path: Path, *, webhook: bool) -> None:
    """What a user does in a few minutes, and a failing send, in polling or webhook mode."""
    extra = {}
    if webhook:
        port = free_port()
        extra = {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook",
            "WEBHOOK_SECRET": SECRET,
            "PORT": str(port),
        }
    settings = make_settings(api, database_path, **extra)
    application = build_application(settings)
    async with running(application, poll_timeout=1, webhook=settings.webhook if webhook else None):
        await api.reply_to(11, "/start")
        facts = await api.reply_to(11, "/facts")
        api.press_button(11, facts, facts.callback_data[-1])
        await api.wait_for_edits(11)
        await api.reply_to(11, PRIVATE)
        api.fail_next("sendMessage", error_code=500)
        api.user_message(11, "/status")  # fails: an error line with a traceback
        await api.reply_to(11, "/help")


async def test_debug_log_of_a_full_session_holds_no_secret(
    api: FakeBotApi, database_path: Path, restore_logging: None
) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", api.token, stream, secrets=[SECRET])
    # The URL lines that carry the token, on purpose: the filter must catch them.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    await session(api, database_path, webhook=False)
    await session(api, database_path, webhook=True)
    text = stream.getvalue()
    assert "getUpdates" in text and "setWebhook" in text and "Traceback" in text
    assert REDACTED in text, "the token was in URLs and must show as redacted"
    token_secret = api.token.partition(":")[2]
    for secret in (api.token, token_secret, SECRET):
        assert secret not in text
    lines = text.splitlines()
    assert all(LINE_START.match(line) for line in lines), "one line per event"


async def test_info_log_has_no_user_text(
    api: FakeBotApi, database_path: Path, restore_logging: None
) -> None:
    stream = io.StringIO()
    setup_logging("INFO", api.token, stream)
    await session(api, database_path, webhook=False)
    text = stream.getvalue()
    assert "update failed (chat 11)" in text  # the failing send, with its chat id
    assert PRIVATE not in text


def test_token_in_an_exception_and_a_stack_is_redacted(restore_logging: None) -> None:
    token = "987654:ZZsecretPartOfTheToken_abcdefghij"
    stream = io.StringIO()
    setup_logging("DEBUG", token, stream)
    log = logging.getLogger("tests.logs")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/sendMessage failed")
    except RuntimeError:
        log.exception(
            "send failed for %s", "https://x/bot987654%3AZZsecretPartOfTheToken_abcdefghij"
        )
    log.warning("where: %s", token, stack_info=True)
    text = stream.getvalue()
    assert "ZZsecretPartOfTheToken" not in text
    assert text.count(REDACTED) >= 3
    # One line per event, tracebacks folded in. (Only this test's logger is counted: a
    # thread left by an earlier test may log to the root handler meanwhile.)
    assert len([line for line in text.splitlines() if " tests.logs: " in line]) == 2
