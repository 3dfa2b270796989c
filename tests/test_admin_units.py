"""Admin features piece by piece: formatting, drafts, rendering, corrections' rules, callback
data, settings, and the repositories' admin verbs."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import MessageEntity, User

from bot import asked, callbacks
from bot.admin import facts, posting, screens, views
from bot.admin.corrections import editable
from bot.admin.drafts import Draft, parse_date, parse_link, parse_place
from bot.admin.flow import Step
from bot.admin.formatting import first_link, to_html, to_plain
from bot.admin.posting import render
from bot.config import load_settings
from bot.delivery.publishing import Announcement, publish
from bot.errors import ConfigError
from bot.feeds import admin as feeds_admin
from bot.seeds import load_seeds
from storage import Store, open_store
from storage.models import ChatState, Mode, PostText, SentDelivery
from tests.fakebotapi import parse_html

TODAY = dt.date(2026, 3, 5)


def e(kind: str, offset: int, length: int, **extra: object) -> MessageEntity:
    return MessageEntity(kind, offset, length, **extra)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- formatting


def test_entities_become_nested_escaped_html() -> None:
    text = "👍 hello world <&>"
    entities = [e("bold", 3, 11), e("italic", 9, 5), e("code", 15, 3)]
    assert to_html(text, entities) == "👍 <b>hello <i>world</i></b> <code>&lt;&amp;&gt;</code>"


def test_attributes_are_escaped_and_unknown_entities_stay_text() -> None:
    text = "link and #tag and me"
    entities = [
        e("text_link", 0, 4, url='https://x.kz/?a="1"&b=<2>'),
        e("hashtag", 9, 4),
        e("text_mention", 18, 2, user=User(7, "Me", False)),
        e("pre", 5, 3, language='py"><b'),
    ]
    html = to_html(text, entities)
    assert '<a href="https://x.kz/?a=&quot;1&quot;&amp;b=&lt;2&gt;">link</a>' in html
    assert '<pre><code class="language-py&quot;&gt;&lt;b">and</code></pre>' in html
    assert "#tag" in html and '<a href="tg://user?id=7">me</a>' in html
    plain, parsed = parse_html(html)
    assert plain == text
    assert parsed[0]["url"] == 'https://x.kz/?a="1"&b=<2>'


_TYPES = ["bold", "italic", "underline", "strikethrough", "spoiler", "code", "blockquote", "url"]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=40),
    raw=st.lists(
        st.tuples(st.sampled_from(_TYPES), st.integers(0, 90), st.integers(1, 90)), max_size=6
    ),
)
def test_no_entities_whatever_their_offsets_can_break_the_markup(
    text: str, raw: list[tuple[str, int, int]]
) -> None:
    """Overlapping, out-of-range or mid-emoji entities: still valid HTML, same text."""
    entities = [e(kind, offset, length) for kind, offset, length in raw]
    html = to_html(text, entities)
    plain, _ = parse_html(html)  # raises on anything Telegram would reject
    assert plain == text
    assert to_plain(html) == text


def test_first_link_prefers_what_the_message_shows() -> None:
    assert first_link("see here", [e("text_link", 4, 4, url="https://a.kz")]) == "https://a.kz"
    assert first_link("🇰🇿 https://b.kz x", [e("url", 5, 12)]) == "https://b.kz"
    assert first_link("no link") is None


# ---------------------------------------------------------------------- drafts


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-05", dt.date(2026, 3, 5)),
        ("05.03.2026", dt.date(2026, 3, 5)),
        ("5.3.26", dt.date(2026, 3, 5)),
        ("05/03/2026.", dt.date(2026, 3, 5)),
        ("31.02.2026", None),
        ("1999-12-31", None),
        ("2027-06-01", None),  # more than a year ahead
        ("tomorrow", None),
    ],
)
def test_dates_as_people_type_them(typed: str, expected: dt.date | None) -> None:
    assert parse_date(typed, TODAY) == expected


def test_places_one_for_all_or_one_per_language() -> None:
    assert parse_place(" Астана ") == {"kk": "Астана", "ru": "Астана", "en": "Астана"}
    assert parse_place("Астана / Астана / Astana") == {
        "kk": "Астана",
        "ru": "Астана",
        "en": "Astana",
    }
    assert parse_place("a / b") is None
    assert parse_place("x" * 81) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("https://www.gov.kz/path?a=1&b=2", "https://www.gov.kz/path?a=1&b=2"),
        ("gov.kz/news", "https://gov.kz/news"),
        ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ('https://x.kz/"><b>', None),
        ("javascript:alert(1)", None),
        ("https://localhost", None),
        ("two words.kz", None),
    ],
)
def test_links_are_checked(typed: str, expected: str | None) -> None:
    assert parse_link(typed) == expected


def test_a_news_draft_asks_each_language_then_the_link() -> None:
    draft = Draft()
    assert draft.next_step() is Step.KIND
    draft.step = Step.KIND
    assert draft.choose_kind("news") is Step.TEXT and draft.language == "kk"
    draft.step = Step.TEXT
    assert draft.skip() is Step.TEXT and draft.language == "ru"
    assert draft.skip() is Step.TEXT and draft.language == "en"
    assert draft.skip() is None  # nothing written: en cannot be skipped
    assert draft.answer("<b>Hi</b>", "Hi", TODAY) == (Step.LINK, None)
    draft.step = Step.LINK
    assert draft.answer("", "not a link", TODAY) == (Step.LINK, "admin.problem.link")
    assert draft.no_link() is Step.PREVIEW
    assert draft.texts == {"en": "<b>Hi</b>"} and draft.link is None


def test_a_milestone_draft_and_changing_a_field_from_the_preview() -> None:
    draft = Draft(kind="milestone", step=Step.STAGE)
    assert draft.choose_stage("9") is None
    assert draft.choose_stage("3") is Step.DATE
    draft.step = Step.DATE
    assert draft.answer("", "4.3.2026", TODAY) == (Step.PLACE, None)
    draft.step = Step.PLACE
    assert draft.answer("", "Астана", TODAY)[0] is Step.TEXT
    draft.texts, draft.asked, draft.link_asked = {"ru": "Текст"}, {"kk", "ru", "en"}, True
    draft.step = Step.PREVIEW
    assert draft.change() is Step.FIELD
    draft.step = Step.FIELD
    assert draft.choose_field("date") is Step.DATE
    draft.step = Step.DATE
    assert draft.choose_date("yday", TODAY) is Step.PREVIEW
    assert draft.happened_on == dt.date(2026, 3, 4)


def test_render_puts_heading_text_and_source_in_each_written_language() -> None:
    draft = Draft(
        kind="milestone",
        stage=3,
        happened_on=TODAY,
        places={"kk": "Астана", "ru": "Астана", "en": "Astana"},
        texts={"ru": "<b>Раунд</b>", "en": "Round"},
        link="https://www.gov.kz/a?b=1&c=2",
    )
    texts = render(draft)
    assert set(texts) == {"ru", "en"}
    assert texts["en"] == (
        "🏁 <b>Negotiation rounds</b>\n<code>▰▰▰▱▱▱▱ 3/7</code>\n5 March 2026, Astana\n\n"
        'Round\n\nSource: <a href="https://www.gov.kz/a?b=1&amp;c=2">gov.kz</a>'
    )
    assert texts["ru"].startswith("🏁 <b>Раунды переговоров</b>")
    assert "5 марта 2026 г., Астана\n\n<b>Раунд</b>" in texts["ru"]


# ---------------------------------------------------------------------- corrections


def test_single_messages_are_edited_in_place_whatever_their_age() -> None:
    single = SentDelivery(1, 10, "ru", parts=1, digest=False)
    assert editable(single, ["one part"])
    assert not editable(single, ["two", "parts"])
    assert not editable(SentDelivery(1, 10, "ru", parts=2), ["x"])
    assert not editable(SentDelivery(1, 10, "ru", digest=True), ["x"])


# ---------------------------------------------------------------------- callback data, settings


def test_admin_callback_data_round_trips_and_fits() -> None:
    data = screens.POST.data("stage", "ab12", 3)
    assert data == "adm:p.stage.ab12.3"
    press = screens.POST.parse(data)
    assert press is not None and (press.area, press.verb, press.arg(0), press.number(1)) == (
        "p",
        "stage",
        "ab12",
        3,
    )
    assert views.BROADCASTS.data("pause", 12, "") == "adm:b.pause.12"
    assert screens.POST.parse("adm:nonsense") is None and screens.POST.parse("lang:kk") is None
    with pytest.raises(ValueError):
        facts.FACTS.data("page", "x" * 60)  # "adm:f.page." + 60 bytes: over Telegram's 64


def test_buttons_take_only_their_declared_verbs_and_patterns_match_one_verb() -> None:
    kept = feeds_admin.KEPT
    assert kept.parse(kept.data("in", 7)) == callbacks.Press("adm", "k", "in", ("7",))
    for forged in ("adm:k.out.7", "adm:u.in.7", "adm:k", "ask:in.7", "adm:k.in.7; DROP", None):
        assert kept.parse(forged) is None, forged
    with pytest.raises(ValueError):
        kept.data("out", 7)  # a verb the feature never declared
    with pytest.raises(ValueError):
        kept.data("in", "a.b")  # an argument cannot smuggle in another part
    withdraw = re.compile(views.UPDATES.pattern("withdraw"))
    assert withdraw.match("adm:u.withdraw.3") and withdraw.match("adm:u.withdraw")
    assert not withdraw.match("adm:u.withdrawn.3") and not withdraw.match("adm:b.withdraw.3")
    assert asked.parse(asked.BUTTONS.data("up", 12)) == ("up", 12)
    assert asked.parse("ask:up.12.3") is None and asked.parse("ask:") is None


def test_admin_settings_have_defaults_and_name_bad_values() -> None:
    assert load_settings({}).admin.draft_timeout == 1800
    assert load_settings({"ADMIN_DRAFT_TIMEOUT": "60"}).admin.draft_timeout == 60
    with pytest.raises(ConfigError, match="ADMIN_DRAFT_TIMEOUT"):
        load_settings({"ADMIN_DRAFT_TIMEOUT": "soon"})
    with pytest.raises(ConfigError, match="ADMIN_CORRECTIONS_PER_SECOND"):
        load_settings({"ADMIN_CORRECTIONS_PER_SECOND": "1000"})


# ---------------------------------------------------------------------- repositories


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(tmp_path / "a.sqlite3")
    await load_seeds(opened)
    yield opened
    await opened.close()


async def test_posts_are_saved_edited_and_withdrawn(store: Store) -> None:
    published = await publish(store, Announcement("news", {"ru": "<b>x</b>"}, created_by=42))
    update_id = published.update_id
    await store.posts.save(
        update_id=update_id,
        token="t1",
        stage=None,
        happened_on=None,
        source_url=None,
        texts={"ru": PostText("<b>x</b>")},
    )
    post = await store.posts.get(update_id)
    assert post is not None and post.kind == "news" and post.created_by == 42
    assert post.texts == {"ru": PostText("<b>x</b>")} and not post.withdrawn
    await store.posts.edit(
        update_id,
        edited_by=42,
        stage=3,
        happened_on=TODAY,
        source_url="https://a.kz",
        texts={"kk": PostText("y", "Астана")},
    )
    post = await store.posts.get(update_id)
    assert post is not None and post.texts == {"kk": PostText("y", "Астана")}
    assert post.edited_at and post.happened_on == TODAY
    assert await store.posts.withdraw(update_id, 42)
    assert not await store.posts.withdraw(update_id, 42)
    assert [p.update_id for p in await store.posts.recent(5)] == [update_id]


async def test_a_place_typed_for_a_skipped_language_is_kept_and_corrected_with_it(
    store: Store,
) -> None:
    draft = Draft(kind="milestone", stage=3, happened_on=TODAY, texts={"ru": "Раунд"})
    draft.places = parse_place("Астана / Астана / Astana") or {}
    published = await publish(store, Announcement("milestone", render(draft)))
    await store.posts.save(
        update_id=published.update_id,
        token="t2",
        stage=3,
        happened_on=TODAY,
        source_url=None,
        texts=draft.post_texts(),
    )
    post = await store.posts.get(published.update_id)
    assert post is not None and list(post.texts) == ["ru"]  # the only text
    assert post.place("en") == "Astana" and post.place("kk") == "Астана"
    assert Draft.of_post(post).places == {"kk": "Астана", "ru": "Астана", "en": "Astana"}


async def test_audit_is_newest_first(store: Store) -> None:
    await store.audit.record(1, "post.sent", "#1", "d" * 1000)
    await store.audit.record(2, "refused", "/post")
    entries = await store.audit.recent(10)
    assert [(x.user_id, x.action) for x in entries] == [(2, "refused"), (1, "post.sent")]
    assert len(entries[1].detail) == 300 and await store.audit.count() == 2


async def test_an_admins_fact_edit_survives_the_seeds(store: Store) -> None:
    fact = (await store.facts.records())[0]
    await store.facts.set_text(fact.id, "ru", "Правка админа.", by=42)
    await store.facts.set_topic(fact.id, "travel", by=42)
    await load_seeds(store)
    after = await store.facts.record(fact.id)
    assert after is not None and after.texts["ru"] == "Правка админа."
    assert after.topic == "travel" and after.edited_by == 42
    await store.facts.retire(fact.id, by=42)
    assert fact.id not in [f.id for f in await store.facts.active("ru")]
    await load_seeds(store)
    assert (await store.facts.record(fact.id)).retired  # type: ignore[union-attr]


async def test_articles_cited_by_a_fact_are_kept(store: Store) -> None:
    kept = await store.articles.save_admin(
        key="admin-a-ru", source="a.kz", url=None, language="ru", title="A", body="A a",
        published_at="2026-03-05",
    )  # fmt: skip
    gone = await store.articles.save_admin(
        key="admin-b-ru", source="a.kz", url=None, language="ru", title="B", body="B b",
        published_at="2026-03-05",
    )  # fmt: skip
    same_text = await store.articles.save_admin(
        key="admin-c-ru", source="a.kz", url=None, language="ru", title="B", body="B b",
        published_at="2026-03-05",
    )  # fmt: skip
    assert kept and gone and same_text is None
    await store.facts.add(key="admin-f", topic="talks", article_id=kept, texts={"ru": "f"}, by=1)
    assert await store.articles.delete_keyed(["admin-a-ru", "admin-b-ru", "missing"]) == 1
    assert await store.articles.get(kept) is not None and await store.articles.get(gone) is None


async def test_census_places_and_outbox_admin_verbs(store: Store) -> None:
    for chat, language, mode in [
        (1, "kk", Mode.INSTANT),
        (2, "kk", Mode.INSTANT),
        (3, "ru", Mode.OFF),
    ]:
        await store.chats.seen(chat, "private", language)
        await store.chats.subscribe(chat, mode)
    await store.chats.set_state(2, ChatState.BLOCKED)
    census = {(c.language, c.mode, c.state): c.count for c in await store.chats.census()}
    assert census == {
        ("kk", Mode.INSTANT, ChatState.ACTIVE): 1,
        ("kk", Mode.INSTANT, ChatState.BLOCKED): 1,
        ("ru", Mode.OFF, ChatState.ACTIVE): 1,
    }
    assert await store.milestones.places(3) == [
        {"kk": "Брюссель", "ru": "Брюссель", "en": "Brussels"}
    ]

    published = await publish(store, Announcement("news", {"ru": "old"}))
    assert await store.outbox.unfinished(5) == [published.update_id]
    events = []
    store.outbox.listen(lambda event: events.append(event.kind))
    await store.outbox.set_texts(published.update_id, {"kk": "new"})
    record = await store.outbox.update(published.update_id)
    assert record is not None and record.texts == {"kk": "new"} and events == ["edited"]
    assert [u.id for u in await store.outbox.latest(3)] == [published.update_id]


async def test_a_correction_racing_a_withdrawal_does_not_bring_the_post_back(
    store: Store,
) -> None:
    sent = await posting.send(store, Draft(kind="news", texts={"ru": "Первый текст"}), 1, "bot")
    post = await store.posts.get(sent.update_id)
    assert post is not None
    # Two admins at once: one withdraws the post while the other saves a correction.
    withdrawal, corrected = await asyncio.gather(
        posting.withdraw(store, post, 1),
        posting.correct(store, post, Draft(kind="news", texts={"ru": "Второй текст"}), 2, "bot"),
    )
    assert withdrawal is not None and corrected is None  # the correction saw the withdrawal
    assert "Второй текст" not in " ".join(a.title for a in await store.articles.latest(50))
    update = await store.outbox.update(sent.update_id)
    assert update is not None and "отозвано редакцией" in update.texts["ru"]
