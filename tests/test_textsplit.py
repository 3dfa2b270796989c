"""Long HTML is split under Telegram's limit on paragraph boundaries, every part valid."""

from __future__ import annotations

from html.parser import HTMLParser

from bot.delivery.textsplit import split_html


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()


def balanced(part: str) -> bool:
    checker = _Balance()
    checker.feed(part)
    checker.close()
    return not checker.stack


def test_short_text_is_one_part() -> None:
    assert split_html("<b>hi</b>") == ["<b>hi</b>"]


def test_split_on_paragraphs() -> None:
    paragraphs = [f"<b>Параграф {i}</b> " + " ".join(["слово"] * 100) for i in range(40)]
    text = "\n\n".join(paragraphs)
    parts = split_html(text)
    assert len(parts) > 1
    assert all(len(p) <= 4096 and balanced(p) for p in parts)
    assert all(p.startswith("<b>Параграф") for p in parts)
    assert "\n\n".join(parts) == text


def test_tag_spanning_a_cut_is_closed_and_reopened() -> None:
    text = "<i>" + ("длинный текст " * 800) + "</i>"
    parts = split_html(text)
    assert len(parts) >= 3
    assert all(len(p) <= 4096 and balanced(p) for p in parts)
    assert all(p.startswith("<i>") and p.endswith("</i>") for p in parts)


def test_no_spaces_never_cuts_an_entity() -> None:
    text = "&amp;" * 3000
    parts = split_html(text)
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.count("&") == p.count("&amp;") for p in parts)
    assert "".join(parts) == text
