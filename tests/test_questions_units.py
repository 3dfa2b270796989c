"""Issue 13 units: grouping (other words, typos, case endings, kk with ru), retention with a
controlled clock (texts and chat ids go), the answer rate and 👍/👎 for /stats."""

from __future__ import annotations

import datetime as dt

from bot import asked, phrasing
from bot.admin import questions as service
from bot.i18n import texts_for
from storage import Store, open_store

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_the_same_question_in_other_words_typos_and_languages_is_one_group() -> None:
    same = [
        "Нужно ли сдавать биометрию для визы?",
        "Нужно ли сдавать биометриу для шенгена?",
        "Визаға биометрия тапсыру керек пе?",
        "нужно ли СДАВАТЬ биометрии",
    ]
    other = "Будет ли нужна медицинская страховка?"
    signatures = [phrasing.signature(q) for q in same]
    assert all(phrasing.same(signatures[0], s) for s in signatures[1:])
    assert not phrasing.same(signatures[0], phrasing.signature(other))


async def record(store: Store, text: str, language: str, when: dt.datetime, answer: str) -> int:
    return await store.questions.record(
        text=text, language=language, signature=phrasing.signature(text), answer=answer,
        top=None, listed=answer == "nothing", at=when.isoformat(timespec="seconds"),
    )  # fmt: skip


async def test_retention_deletes_old_questions_and_their_chat_ids() -> None:
    store = await open_store(":memory:")
    try:
        old = await record(
            store, "Нужно ли сдавать биометрию?", "ru", NOW - dt.timedelta(days=91), "nothing"
        )
        new = await record(
            store, "Нужна ли страховка?", "ru", NOW - dt.timedelta(days=89), "nothing"
        )
        assert await store.questions.wait(old, 777) and await store.questions.wait(new, 778)
        assert await asked.forget_old(store, 90, now=NOW) == 1
        assert await store.questions.get(old) is None
        assert await store.questions.get(new) is not None
        chats = await store.db.fetchall("SELECT chat_id FROM question_waiters")
        assert [r[0] for r in chats] == [778]
        texts = await store.db.fetchall("SELECT text FROM questions")
        assert [r[0] for r in texts] == ["Нужна ли страховка?"]
    finally:
        await store.close()


async def test_stats_show_the_answer_rate_per_language_and_feedback() -> None:
    store = await open_store(":memory:")
    try:
        await record(store, "когда начались переговоры", "ru", NOW - dt.timedelta(days=1), "facts")
        down = await record(
            store, "где проходят переговоры", "ru", NOW - dt.timedelta(days=2), "facts"
        )
        up = await record(
            store, "келіссөздер қашан басталды", "kk", NOW - dt.timedelta(days=3), "facts"
        )
        await record(store, "биометрия керек пе", "kk", NOW - dt.timedelta(days=20), "nothing")
        assert await store.questions.rate(up, 1) and await store.questions.rate(down, -1)
        assert not await store.questions.rate(up, -1)  # one tap only
        text = await service.stats(store, texts_for("en"), now=NOW)
        assert "7 days: answered 2 of 3 (67%) · kk 1/1 · ru 1/2 · 👍 1 👎 1" in text
        assert "30 days: answered 2 of 4 (50%) · kk 1/2 · ru 1/2 · 👍 1 👎 1" in text
        assert {q.id for q in await store.questions.open()} == {down, 4}  # 👎 listed it
    finally:
        await store.close()
