"""What an admin types reaches subscribers with its formatting intact, and nothing typed can
break the markup: the fake Bot API parses every message as Telegram does and rejects broken
HTML. Long posts are split into valid messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.admin_helpers import Admin, edited, fast_settings, post, start_milestone
from tests.conftest import ADMIN_ID
from tests.delivery_helpers import add_subscribers, run_bot, store_of
from tests.fakebotapi import FakeBotApi, SentMessage

TAG_LIKE = "<b>не тег</b> & &amp; <script>"
LINK = 'https://example.com/?q="x"&a=<b>'
FORMATTED = (
    "🇰🇿 Жирный и курсив, подчёркнутый, зачёркнутый, спойлер, код и ссылка с кавычками; "
    "Айбек 👍 https://gov.kz #визы\n\n"
    "Цитата\n\n"
    "print('hi')\n\n"
    f"{TAG_LIKE}"
)


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entity(kind: str, part: str, **extra: object) -> dict[str, object]:
    start = FORMATTED.index(part)
    return {"type": kind, "offset": u16(FORMATTED[:start]), "length": u16(part), **extra}


ENTITIES = [
    entity("bold", "Жирный и курсив"),
    entity("italic", "курсив"),
    entity("underline", "подчёркнутый"),
    entity("strikethrough", "зачёркнутый"),
    entity("spoiler", "спойлер"),
    entity("code", "код"),
    entity("text_link", "ссылка с кавычками", url=LINK),
    entity("text_mention", "Айбек", user={"id": 555, "is_bot": False, "first_name": "А"}),
    entity("custom_emoji", "👍", custom_emoji_id="5368324170671202286"),
    entity("url", "https://gov.kz"),
    entity("hashtag", "#визы"),
    entity("blockquote", "Цитата"),
    entity("pre", "print('hi')", language="python"),
]


def spans(message: SentMessage) -> set[tuple[str, str]]:
    """(type, covered text) of each entity Telegram would show, from the parsed message."""
    units = message.plain.encode("utf-16-le")
    found = set()
    for e in message.entities:
        covered = units[e["offset"] * 2 : (e["offset"] + e["length"]) * 2].decode("utf-16-le")
        found.add((e["type"], covered))
    return found


@pytest.fixture
def fast(api: FakeBotApi, database_path: Path) -> Settings:
    return fast_settings(api, database_path)


async def test_every_formatting_survives_and_typed_markup_stays_text(
    api: FakeBotApi, fast: Settings
) -> None:
    async with run_bot(fast) as app:
        await add_subscribers(store_of(app), [1101], language="ru")
        await post(Admin(api), {"ru": FORMATTED}, entities={"ru": ENTITIES})
        got = (await api.wait_for_messages(1101))[0]
    assert got.plain == FORMATTED  # every character, the tag-like text included
    assert spans(got) >= {
        ("bold", "Жирный и курсив"),
        ("italic", "курсив"),
        ("underline", "подчёркнутый"),
        ("strikethrough", "зачёркнутый"),
        ("spoiler", "спойлер"),
        ("code", "код"),
        ("text_link", "ссылка с кавычками"),
        ("text_mention", "Айбек"),
        ("custom_emoji", "👍"),
        ("blockquote", "Цитата"),
        ("pre", "print('hi')"),
    }
    by_type = {e["type"]: e for e in got.entities}
    assert by_type["text_link"]["url"] == LINK  # quotes and brackets did not leak out
    assert by_type["pre"]["language"] == "python"
    assert by_type["text_mention"]["user"]["id"] == 555
    assert "&lt;script&gt;" in got.text and "<script>" not in got.text
    assert not api.server_errors


async def test_typed_place_and_link_cannot_break_markup(api: FakeBotApi, fast: Settings) -> None:
    async with run_bot(fast) as app:
        await add_subscribers(store_of(app), [1102], language="ru")
        admin = Admin(api)
        question = await start_milestone(admin, 3)
        question = await admin.say("1.2.2026")
        question = await admin.say("<b>Астана & Co")
        question = await admin.tap(question, "adm:p.skip.")
        question = await admin.say("Текст")
        question = await admin.tap(question, "adm:p.skip.")
        refused = await admin.say_and_read('https://example.com/"><b>x')
        assert "не похоже на ссылку" in refused.plain
        controls = await admin.say("gov.kz/path?a=1&b=2")
        assert "Так публикацию увидят" in controls.plain
        admin.press(controls, "adm:p.send.")
        got = (await api.wait_for_messages(1102))[0]
    assert "1 февраля 2026 г., <b>Астана & Co" in got.plain
    link = next(e for e in got.entities if e["type"] == "text_link")
    assert link["url"] == "https://gov.kz/path?a=1&b=2"
    assert got.plain.endswith("Источник: gov.kz")


async def test_an_over_long_post_is_split_into_valid_messages(
    api: FakeBotApi, fast: Settings
) -> None:
    paragraphs = [f"{n:02d} " + "слово " * 51 for n in range(13)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    assert 3900 < len(text) <= 4096  # as long as one Telegram message from the admin can be
    start = text.index("05 ")
    bold = {"type": "bold", "offset": u16(text[:start]), "length": u16(text[start:])}
    async with run_bot(fast) as app:
        await add_subscribers(store_of(app), [1103], language="ru")
        await post(
            Admin(api),
            {"ru": text},
            entities={"ru": [bold]},
            milestone=(3, "Астана"),
            link="https://www.gov.kz/memleket/entities/mfa/press/news",
        )
        parts = await api.wait_for_messages(1103, 2)
        previews = [m for m in api.messages_to(ADMIN_ID) if "05 слово" in m.plain]
        # The post's card in /updates is edited in place: it shows the text cut short.
        admin = Admin(api)
        card = await edited(admin, await admin.say("/updates"), "adm:u.open.")
        assert len(card.plain) < 2500 and card.plain.endswith("…")
    assert all(len(p.plain) <= 4096 for p in parts)
    joined = "\n\n".join(p.plain for p in parts)
    assert joined.startswith("🏁 Раунды переговоров")
    assert joined.endswith(f"{text}\n\nИсточник: gov.kz")
    # The bold ran across the cut: it is closed in the first part and opened again.
    assert parts[0].entities[-1]["type"] == "bold" and parts[1].entities[0]["type"] == "bold"
    assert parts[1].text.startswith("<b>")
    assert len(previews) >= 3  # the preview showed the same parts (ru, and kk/en fallbacks)
