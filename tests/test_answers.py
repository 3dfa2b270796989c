"""The answer service: words to search terms, the fact index kept in step, answers and replies."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from bot import asked
from bot.answers import Answerer, AnswerKind
from bot.answers.render import inline_results, plain, render
from bot.answers.tables import load_tables
from bot.answers.text import Token, clean, fts_query, quote, tokenize
from bot.content import Pages
from bot.i18n import texts_for
from bot.seeds import SEEDS_DIR, load_seeds
from storage import Store, open_store
from storage.db import migrations


@pytest.fixture
def store(seeded_store: Store) -> Store:
    return seeded_store


def stem(word: str) -> str:
    (token,) = tokenize(word)
    return load_tables().stemmer(token.folded, token.script)


# --- words -----------------------------------------------------------------------------------


def test_tokens_are_cleaned_case_folded_and_kept_in_one_script() -> None:
    tokens = tokenize("Визa в\u200b EU?! Қазақстан 🙂 erasmus+")
    assert [t.word for t in tokens] == ["виза", "в", "eu", "қазақстан", "erasmus"]
    assert tokens[0].script == "cyrillic" and tokens[2].script == "latin"
    assert tokens[3].folded == "казакстан" and tokens[3].has_kazakh_letters


def test_long_text_is_read_only_so_far() -> None:
    assert len(clean("а" * 10_000)) == 600
    assert len(tokenize("слово " * 1000)) == 24


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("переговорами", "переговор"),
        ("переговоры", "переговор"),
        ("визы", "виз"),
        ("келіссөздердің", "келиссоз"),  # Kazakh endings stacked: -дер-дің
        ("құжаттар", "кужат"),
        ("басталды", "бастал"),
        ("negotiations", "negotiation"),
        ("fees", "fee"),
        ("подешевеют", "подешев"),  # one Russian ending only: not подеш
    ],
)
def test_stems_are_prefixes_of_the_other_forms(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_every_user_word_is_a_quoted_fts_string() -> None:
    assert quote('a"b') == '"a""b"'
    query = fts_query([{"near", "or"}, {'x"y'}], every=True)
    assert query == '("near"* OR "or"*) AND ("x""y"*)'
    assert fts_query([set(), {""}], every=False) == ""


async def test_keyboard_layout_and_typos_find_the_indexed_words(answerer: Answerer) -> None:
    vocabulary = (await answerer.snapshot()).vocabulary
    typed_on_russian_keyboard = vocabulary.expand(Token("кужаттар", "кужаттар", "cyrillic"))
    assert "құжат" in typed_on_russian_keyboard.prefixes
    assert typed_on_russian_keyboard.facts and not typed_on_russian_keyboard.corrected
    typo = vocabulary.expand(Token("documnets", "documnets", "latin"))
    assert typo.corrected and "document" in typo.prefixes
    short = vocabulary.expand(Token("курс", "курс", "cyrillic"))  # no guessing on short words
    assert not short.corrected and not short.facts


# --- the data --------------------------------------------------------------------------------


def test_intents_name_stored_facts_and_catalogue_notes() -> None:
    with (SEEDS_DIR / "facts.toml").open("rb") as handle:
        keys = {fact["key"] for fact in tomllib.load(handle)["fact"]}
    for intent in load_tables().intents:
        assert set(intent.facts) <= keys, intent.name
        assert intent.facts or intent.status or intent.news or intent.reply or intent.command, (
            intent.name
        )
        for key in (intent.note, intent.reply):
            assert key is None or key.startswith("qa."), intent.name


# --- the index stays in step -----------------------------------------------------------------


async def test_fact_index_follows_edits_retirement_and_keywords(store: Store) -> None:
    answerer = Answerer(store)
    article = (await store.articles.latest(1))[0]
    fact_id = await store.facts.upsert_keyed(
        key="test-zebra", topic="talks", position=99, article_id=article.id,
        keywords="зебра", texts={"ru": "Про жирафов.", "en": "About giraffes."},
    )  # fmt: skip
    assert (await answerer.answer("жирафы", "ru")).top == "test-zebra"
    assert (await answerer.answer("зебра", "ru")).top == "test-zebra"

    await store.facts.upsert_keyed(
        key="test-zebra", topic="talks", position=99, article_id=article.id,
        keywords="окапи", texts={"ru": "Про слонов.", "en": "About elephants."},
    )  # fmt: skip
    assert (await answerer.answer("слоны", "ru")).top == "test-zebra"
    assert (await answerer.answer("elephants", "en")).top == "test-zebra"
    unanswered = (AnswerKind.NOTHING, AnswerKind.OUTSIDE)
    assert (await answerer.answer("жирафы", "ru")).kind in unanswered
    assert (await answerer.answer("зебра", "ru")).kind in unanswered
    rows = await store.db.fetchval("SELECT count(*) FROM facts_fts WHERE fact_id = ?", (fact_id,))
    assert rows == 3  # two texts and the keywords

    await store.db.execute("UPDATE facts SET retired = 1 WHERE id = ?", (fact_id,))
    assert (await answerer.answer("слоны", "ru")).kind in unanswered


async def test_migration_indexes_facts_stored_before_it(tmp_path: Path) -> None:
    store = await open_store(tmp_path / "b.sqlite3")
    try:
        await load_seeds(store)
        texts = await store.db.fetchval("SELECT count(*) FROM fact_texts")
        facts = await store.db.fetchval("SELECT count(*) FROM facts")
        await store.db.execute("DELETE FROM facts_fts")
        sql = {name: text for _, name, text in migrations()}["0003_fact_search.sql"]
        await store.db.conn.executescript(sql.split("-- Facts stored before this migration.")[1])
        assert await store.db.fetchval("SELECT count(*) FROM facts_fts") == texts + facts
    finally:
        await store.close()


async def test_a_query_fts5_refuses_is_logged_and_finds_nothing(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    assert await store.search.match_facts('"unclosed', 10) == []
    assert await store.search.match_articles("NEAR(", 10) == []
    assert [r.levelname for r in caplog.records if r.name == "storage.search"] == ["WARNING"] * 2


# --- answers ---------------------------------------------------------------------------------


async def test_a_fact_answer_shows_each_fact_with_source_and_date(answerer: Answerer) -> None:
    answer = await answerer.answer("товарооборот казахстана и ес", "ru")
    assert answer.kind is AnswerKind.FACTS and answer.top == "economy-trade-2024"
    text = await render(answer, Pages(answerer.store))
    assert "50 млрд" in text
    assert text.count("Источник: Kazinform, 2 декабря 2025 г.") == len(answer.facts)


async def test_status_questions_get_the_status_in_the_questions_language(
    answerer: Answerer,
) -> None:
    answer = await answerer.answer("келіссөздер қазір қандай кезеңде", "en")
    assert answer.kind is AnswerKind.STATUS and answer.language == "kk"
    text = await render(answer, Pages(answerer.store))
    assert "▰▰▱▱▱▱▱ 2/7" in text and "2025 жылғы 2 желтоқсан" in text


async def test_readmission_is_explained_and_sourced(answerer: Answerer) -> None:
    answer = await answerer.answer("что такое реадмиссия", "ru")
    assert answer.note == "qa.note.readmission" and answer.top == "talks-scope"
    text = await render(answer, Pages(answerer.store))
    # The definition is general knowledge: it says so, in a paragraph of its own, apart from
    # the sourced fact and its source line.
    note, *rest = text.split("\n\n")
    assert note.startswith("ℹ️ Общие сведения, не из источников:") and "Источник" not in note
    assert "граждан третьих стран и лиц без гражданства" in note
    assert "Источник: Kazinform" in "\n\n".join(rest)


@pytest.mark.parametrize(
    "question",
    ["какая погода завтра", "what's the weather in astana", "курс доллара", "рецепт борща",
     "ертең ауа райы қандай", "football results", "как пройти в цум",
     "what time is it", "сколько стоит хлеб", "как приготовить плов", "кто президент франции"],
)  # fmt: skip
async def test_questions_nothing_answers_get_a_plain_no(answerer: Answerer, question: str) -> None:
    answer = await answerer.answer(question, "ru")
    assert answer.kind in (AnswerKind.NOTHING, AnswerKind.OUTSIDE) and not answer.facts
    text = await render(answer, Pages(answerer.store))
    assert "/status" in text and "/help" in text


@pytest.mark.parametrize(
    ("text", "chat", "reply", "expected"),
    [
        ("привет", "ru", "qa.reply.hello", "Здравствуйте! Спросите меня"),
        ("Добрый день!", "ru", "qa.reply.hello", "Здравствуйте!"),
        ("сәлеметсіз бе", "kk", "qa.reply.hello", "Сәлеметсіз бе! ЕО мен Қазақстан"),
        ("hi", "en", "qa.reply.hello", "Hello! Ask me"),
        ("спасибо большое", "ru", "qa.reply.thanks", "Пожалуйста!"),
        ("көп рахмет", "kk", "qa.reply.thanks", "Оқасы жоқ!"),
        ("thank you", "en", "qa.reply.thanks", "You're welcome!"),
        # "You helped" is thanks, not a request for /help.
        ("спасибо большое, очень помогли", "ru", "qa.reply.thanks", "Пожалуйста!"),
        ("Rahmet, kóp kómektestińiz", "kk", "qa.reply.thanks", "Оқасы жоқ!"),
        # "Who are you?" gets the greeting, which says what the bot follows.
        ("who are you?", "en", "qa.reply.hello", "Hello! Ask me"),
        ("ты кто вообще?", "ru", "qa.reply.hello", "Здравствуйте! Спросите меня"),
        ("сен кимсин озы", "kk", "qa.reply.hello", "Сәлеметсіз бе!"),
    ],
)
async def test_a_greeting_or_thanks_alone_gets_a_word_back(
    answerer: Answerer, text: str, chat: str, reply: str, expected: str
) -> None:
    answer = await answerer.answer(text, chat)
    assert (answer.kind, answer.note, answer.facts) == (AnswerKind.REPLY, reply, ())
    rendered = await render(answer, Pages(answerer.store))
    assert rendered.startswith(expected) and "нет факта" not in rendered


@pytest.mark.parametrize(
    ("text", "top"),
    [
        ("привет когда начались переговоры", "talks-launch"),
        ("добрый день, сколько будет стоить виза", "travel-fees"),
        ("hello who leads the talks", "talks-kallas-announcement"),
        ("сәлем келіссөздер қашан басталды", "talks-launch"),
        ("привет как дела с визами", "status"),
        ("спасибо а что дальше", "status"),
    ],
)
async def test_a_greeting_beside_a_question_answers_the_question(
    answerer: Answerer, text: str, top: str
) -> None:
    assert (await answerer.answer(text, "ru")).top == top


async def test_figures_only_come_from_stored_facts(answerer: Answerer) -> None:
    """A question about a figure no fact gives is answered with the fact, never a number."""
    answer = await answerer.answer("сколько будет стоить шенген после соглашения в евро", "ru")
    assert answer.top == "travel-fees"
    pages = Pages(answerer.store)
    # Leave out the line saying how old the bot's knowledge is ("as of ..., 1 year ago").
    text = (await render(answer, pages)).replace(await pages.as_of(texts_for("ru")), "")
    stored = {fact.text for fact in answer.facts}
    digits = {ch for ch in text if ch.isdigit()} - {ch for t in stored for ch in t}
    assert digits <= set("2025"), text  # only the source date


async def test_no_fact_but_an_article_mentions_it(answerer: Answerer) -> None:
    await answerer.store.articles.upsert_keyed(
        key="feed-1", origin="feed", source="Astana Times", url="https://example.org/a?x=1&y=2",
        language="en", title="Visa centre opens in Shymkent", body="A new visa centre opened.",
        author=None, published_at="2026-01-15",
    )  # fmt: skip
    answer = await answerer.answer("visa centre shymkent", "en")
    assert answer.kind is AnswerKind.ARTICLES
    text = await render(answer, Pages(answerer.store))
    assert "Visa centre opens in Shymkent" in text and "15 January 2026" in text


async def test_whats_new_lists_the_latest_articles(answerer: Answerer) -> None:
    answer = await answerer.answer("бүгін не жаңалық", "ru")
    assert answer.kind is AnswerKind.NEWS and answer.language == "kk"
    text = await render(answer, Pages(answerer.store))
    assert "Соңғы жаңалықтар" in text and "Kazinform, 2025 жылғы 2 желтоқсан" in text
    assert "/news" in text


async def test_inline_results_put_facts_first_and_the_status_last(answerer: Answerer) -> None:
    pages = Pages(answerer.store)
    answer = await answerer.answer("erasmus", "kk")
    results = await inline_results(answer, answerer.store, pages)
    assert [r.id for r in results][-1] == "status"
    assert results[0].id.startswith("fact-")
    assert "Дереккөз: Kazinform" in results[0].input_message_content.message_text  # type: ignore[attr-defined]
    overview = await inline_results(await answerer.overview("en"), answerer.store, pages)
    assert overview[0].id == "status" and overview[0].title.startswith("Where the talks stand")
    assert len({r.id for r in overview}) == len(overview)


async def test_is_it_signed_yet_opens_with_not_yet_then_yes_once_it_is(
    answerer: Answerer, store: Store
) -> None:
    pages = Pages(store)
    signed = await answerer.answer("подписали уже соглашение по визам?", "ru")
    assert signed.top == "status" and signed.reached == 5
    reply = await render(signed, pages)
    assert reply.startswith(
        "<b>Пока нет.</b> Сейчас этап 2/7 «Начало переговоров», "
        "а «Соглашения подписаны» — это этап 5/7."
    )
    # then that no date is known, what comes next, and as of when the bot knows it
    assert "Дата неизвестна" in reply and "«Раунды переговоров»" in reply
    assert "По состоянию на 2 декабря 2025 г." in reply

    await store.milestones.upsert_keyed(
        key="test-signed",
        stage=5,
        happened_on=dt.date(2026, 10, 1),
        article_id=None,
        source="Kazinform",
        url=None,
        texts={
            "kk": ("Астана", "Қол қойылды."),
            "ru": ("Астана", "Подписано."),
            "en": ("Astana", "Signed."),
        },
    )
    reply = await render(await answerer.answer("келісімге қол қойылды ма", "kk"), pages)
    assert reply.startswith(
        "<b>Иә:</b> келіссөздер 5/7 кезеңге жетті — «Келісімдерге қол қойылды»."
    )
    in_force = await answerer.answer("when does it come into force", "en")
    assert (await render(in_force, pages)).startswith(
        "<b>Not yet.</b> The talks are at stage 5/7, “Agreements signed”; “In force” is stage 7/7."
    )


async def test_is_it_signed_yet_before_any_milestone_says_so_once(tmp_path: Path) -> None:
    empty = await open_store(tmp_path / "empty.sqlite3")
    try:
        answer = await Answerer(empty).answer("is it signed yet", "en")
        assert answer.reached == 5
        reply = await render(answer, Pages(empty))
        known = "Nothing is known yet about the progress of the talks."
        assert reply.startswith(known) and reply.count(known) == 1
    finally:
        await empty.close()


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("visa liberalisation like ukraine and georgia", "en"),
        ("безвиз как у грузии будет?", "ru"),
        ("Грузия сияқты визасыз бола ма", "kk"),
    ],
)
async def test_a_country_named_for_comparison_is_not_a_question_about_its_visas(
    answerer: Answerer, question: str, language: str
) -> None:
    answer = await answerer.answer(question, language)
    assert (answer.kind, answer.intent) == (AnswerKind.STATUS, "visa-free")


@pytest.mark.parametrize(
    "question", ["виза в грузию нужна?", "как в сша получить визу", "is there visa free to georgia"]
)
async def test_another_countrys_visas_are_still_declined(answerer: Answerer, question: str) -> None:
    answer = await answerer.answer(question, "ru")
    assert (answer.kind, answer.intent) == (AnswerKind.OUTSIDE, "foreign")


async def test_kazakh_function_words_typed_in_latin_are_read_as_kazakh(answerer: Answerer) -> None:
    # `tur` alone looks like an English fact word; in a Latin-typed Kazakh sentence it is тұр.
    answer = await answerer.answer("habarlama zhibermei tur jazylymdy toktat", "kk")
    assert answer.command == "unsubscribe"


async def test_a_question_about_the_talks_no_source_answers_says_where_they_stand(
    answerer: Answerer,
) -> None:
    """`мультивиза будет?` is about the talks: not declined, a plain "not known", then where
    they stand; still an unanswered question for the editors' list (bot/asked.py)."""
    answer = await answerer.answer("мультивиза будет?", "ru")
    assert answer.kind is AnswerKind.NOTHING and answer.kind in asked.WEAK
    text = plain(await render(answer, Pages(answerer.store)))
    assert text.startswith("Пока не знаю") and "▰▰▱▱▱▱▱ 2/7" in text
    assert "не вступило в силу" in text and "/help" in text


async def test_broad_questions_get_where_the_talks_stand(answerer: Answerer) -> None:
    pages = Pages(answerer.store)
    for question, language in [
        ("что решили в брюсселе", "ru"), ("what next after brussels", "en"),
        ("келіссөздер қалай жүріп жатыр", "kk"), ("визы", "ru"),
    ]:  # fmt: skip
        answer = await answerer.answer(question, language)
        assert (answer.kind, answer.intent) == (AnswerKind.STATUS, "general"), question
        text = plain(await render(answer, pages))
        assert "2/7" in text and "Kazinform" in text and len(text) <= 1000, text


async def test_any_news_opens_with_where_the_talks_stand(answerer: Answerer) -> None:
    answer = await answerer.answer("any news?", "en")
    text = plain(await render(answer, Pages(answerer.store)))
    assert answer.kind is AnswerKind.NEWS
    assert text.index("stage 2/7") < text.index("Latest news") < text.index("Kazinform")


@pytest.mark.parametrize(
    ("text", "kind", "command"),
    [
        # `подпишут` (they will sign) is a question about the talks, `подпишите` a command.
        ("когда подпишут соглашение?", AnswerKind.STATUS, None),
        ("ВСЁ УЖЕ ПОДПИСАЛИ??", AnswerKind.STATUS, None),
        ("подпишите меня на новости", AnswerKind.COMMAND, "subscribe"),
        ("помогите", AnswerKind.COMMAND, "help"),
        ("маған көмектесші", AnswerKind.COMMAND, "help"),
    ],
)
async def test_signing_and_helping_are_told_apart_from_the_commands(
    answerer: Answerer, text: str, kind: AnswerKind, command: str | None
) -> None:
    answer = await answerer.answer(text, "ru")
    assert (answer.kind, answer.command) == (kind, command)


@pytest.mark.parametrize(
    "text",
    [
        "что конкретно изменится для туристов, когда соглашение заработает?",
        "Келісім күшіне енсе нақты не өзгереді? Құжат азаяма?",
        "what will visa facilitation actually change according to the eu",
    ],
)
async def test_what_changes_once_in_force_is_told_not_whether_it_is(
    answerer: Answerer, text: str
) -> None:
    answer = await answerer.answer(text, "ru")
    assert (answer.kind, answer.intent) == (AnswerKind.FACTS, "travellers")
