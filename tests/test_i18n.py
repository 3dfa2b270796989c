"""Catalogues agree across languages; dates and plurals come out as people write them."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import LANGUAGES, Html, Texts, catalogue_differences, catalogues, detect_language


def test_all_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert catalogue_differences() == []
    sizes = {lang: len(catalogues()[lang].messages) for lang in LANGUAGES}
    assert len(set(sizes.values())) == 1 and sizes["ru"] > 50, sizes


def test_a_catalogue_missing_a_key_or_placeholder_is_reported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for lang, body in {
        "ru": 'msgid "a"\nmsgstr "x {name}"\n\nmsgid "b"\nmsgstr "y"\n',
        "kk": 'msgid "a"\nmsgstr "x {nom}"\n\nmsgid "b"\nmsgstr "y"\n',
        "en": 'msgid "a"\nmsgstr "x {name}"\n',
    }.items():
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "t.po").write_text(body, encoding="utf-8")
    problems = catalogue_differences(tmp_path)
    assert any("en: missing 'b'" in p for p in problems)
    assert any(p.startswith("kk: 'a'") for p in problems)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "2025 жылғы 2 желтоқсан"), ("ru", "2 декабря 2025 г."), ("en", "2 December 2025")],
)
def test_dates_through_babel(language: str, expected: str) -> None:
    assert Texts(language).date(dt.date(2025, 12, 2)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("kk", "2025 жылғы 2 желтоқсан, 14:05"),
        ("ru", "2 декабря 2025, 14:05"),
        ("en", "2 December 2025, 14:05"),
    ],
)
def test_moments_write_the_date_in_the_same_order_as_dates(language: str, expected: str) -> None:
    assert Texts(language).datetime(dt.datetime(2025, 12, 2, 14, 5)) == expected


@pytest.mark.parametrize(
    ("count", "word"), [(1, "факт"), (2, "факта"), (5, "фактов"), (21, "факт"), (11, "фактов")]
)
def test_russian_plural_has_one_few_many(count: int, word: str) -> None:
    assert Texts("ru").plural("facts.title.html", count).endswith(f"{count} {word}")


def test_english_and_kazakh_plurals() -> None:
    assert Texts("en").plural("facts.title.html", 1).endswith("1 fact")
    assert Texts("en").plural("facts.title.html", 3).endswith("3 facts")
    assert Texts("kk").plural("facts.title.html", 3).endswith("3 дерек")


def test_placeholder_values_are_escaped_unless_marked_html() -> None:
    texts = Texts("en")
    assert texts("lang.saved", language="<b>x</b>").startswith("Language: &lt;b&gt;x&lt;/b&gt;")
    assert texts("source.line.html", source=Html("<i>K</i>"), date="d") == "<i>K</i>, d"


def test_unknown_language_falls_back_to_russian_and_unknown_key_to_itself() -> None:
    assert Texts("de").language == "ru"
    assert Texts("en")("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("code", "language"),
    [("kk", "kk"), ("kk-KZ", "kk"), ("en", "en"), ("en-GB", "en"), ("ru", "ru"), ("de", "ru"),
     ("uz", "ru"), (None, "ru"), ("", "ru")],
)  # fmt: skip
def test_language_detection(code: str | None, language: str) -> None:
    assert detect_language(code) == language


def test_link_quotes_the_url_and_escapes_the_label() -> None:
    from bot.i18n import link

    assert link('https://x.kz/?a=1&b="2"', "<T & C>") == (
        '<a href="https://x.kz/?a=1&amp;b=&quot;2&quot;">&lt;T &amp; C&gt;</a>'
    )
