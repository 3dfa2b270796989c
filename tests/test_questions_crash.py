"""The real `python -m bot run` process: SIGKILL right after the editors' Save, before the
askers' deliveries went out, loses nothing; after the restart each asker gets the answer
exactly once, in their language."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from storage import open_store
from tests.admin_helpers import Admin
from tests.conftest import ADMIN_ID, TOKEN
from tests.delivery_helpers import wait_until
from tests.fakebotapi import FakeBotApi
from tests.test_questions_editors_e2e import (
    KK_ANSWER,
    KK_QUESTION,
    KK_USER,
    RU_ANSWER,
    RU_QUESTION,
    RU_USER,
    answer_group,
    ask_and_wait,
)


async def start(api: FakeBotApi, database: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "INFO",
    }
    with log.open("a") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run",
            cwd=database.parent, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=sink, stderr=sink,
        )  # fmt: skip


async def pending_answers(database: Path) -> int:
    store = await open_store(database)
    try:
        return int(
            await store.db.fetchval("SELECT count(*) FROM deliveries WHERE status = 'pending'")
        )
    finally:
        await store.close()


async def test_sigkill_between_save_and_deliveries_loses_nothing(
    api: FakeBotApi, tmp_path: Path
) -> None:
    database, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    bot = await start(api, database, log)
    try:
        await ask_and_wait(api, KK_USER, KK_QUESTION, "kk")
        await ask_and_wait(api, RU_USER, RU_QUESTION, "ru")
        admin = Admin(api)
        preview = await answer_group(admin)
        before = {u: len(api.messages_to(u)) for u in (KK_USER, RU_USER)}
        # The askers' sends hang, then fail: the bot is killed while they are on their way.
        for user in (KK_USER, RU_USER):
            api.fail_next("sendMessage", chat_id=user, error_code=500, delay=3.0)
        calls = len(api.calls_to("sendMessage"))
        admin.press(preview, "adm:q.asave.")
        saved = (await api.wait_for_messages(ADMIN_ID, 1, since=admin.seen))[0]
        assert "Закрыто вопросов: 2" in saved.plain
        # The admin's confirmation and both askers' sends (hung) have been made.
        await wait_until(lambda: len(api.calls_to("sendMessage")) >= calls + 3, what="sends")
        bot.kill()
        await bot.wait()
        await asyncio.sleep(3.5)  # the hung sends fail and land nowhere
        assert all(len(api.messages_to(u)) == before[u] for u in before)
        assert await pending_answers(database) == 2

        bot = await start(api, database, log)
        await wait_until(
            lambda: all(len(api.messages_to(u)) > before[u] for u in before), timeout=20
        )
        await asyncio.sleep(0.5)  # anything more would arrive now
        kk = api.messages_to(KK_USER)[before[KK_USER] :]
        ru = api.messages_to(RU_USER)[before[RU_USER] :]
        assert len(kk) == 1 and KK_ANSWER in kk[0].plain
        assert len(ru) == 1 and RU_ANSWER in ru[0].plain
        assert await pending_answers(database) == 0
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 20)
