"""What an admin typed, as Telegram HTML that keeps their formatting and cannot break ours.

PTB's Message.text_html would do most of this, but it puts a link's URL and a code block's
language into attributes unescaped, and it emits tags (`<tg-time>`) that not every Bot API
server parses. Here every piece of text and every attribute is escaped, and entity types
without a tag (plain URLs, mentions, hashtags, ...) stay plain text: Telegram links them again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from telegram import MessageEntity

from bot.i18n import Html

_SIMPLE_TAGS = {
    MessageEntity.BOLD: "b",
    MessageEntity.ITALIC: "i",
    MessageEntity.UNDERLINE: "u",
    MessageEntity.STRIKETHROUGH: "s",
    MessageEntity.CODE: "code",
    MessageEntity.BLOCKQUOTE: "blockquote",
}
_TAG_RE = re.compile(r"<[^>]*>")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _wrap(entity: MessageEntity, inner: str) -> str:
    kind = entity.type
    if kind in _SIMPLE_TAGS:
        tag = _SIMPLE_TAGS[kind]
        return f"<{tag}>{inner}</{tag}>"
    if kind == MessageEntity.EXPANDABLE_BLOCKQUOTE:
        return f"<blockquote expandable>{inner}</blockquote>"
    if kind == MessageEntity.SPOILER:
        return f'<span class="tg-spoiler">{inner}</span>'
    if kind == MessageEntity.PRE:
        if entity.language:
            return f'<pre><code class="language-{_attr(entity.language)}">{inner}</code></pre>'
        return f"<pre>{inner}</pre>"
    if kind == MessageEntity.TEXT_LINK and entity.url:
        return f'<a href="{_attr(entity.url)}">{inner}</a>'
    if kind == MessageEntity.TEXT_MENTION and entity.user:
        return f'<a href="tg://user?id={int(entity.user.id)}">{inner}</a>'
    if kind == MessageEntity.CUSTOM_EMOJI and (entity.custom_emoji_id or "").isdigit():
        return f'<tg-emoji emoji-id="{entity.custom_emoji_id}">{inner}</tg-emoji>'
    return inner


def to_html(text: str, entities: Sequence[MessageEntity] = ()) -> Html:
    """`text` with its entities as Telegram HTML.

    Offsets are in UTF-16 code units, as the Bot API counts them. Entities are nested or
    disjoint (Telegram never sends partial overlaps; one that did would be cut at its parent's
    end, or dropped, rather than break the markup).
    """
    # Python index of every UTF-16 offset; one inside a surrogate pair maps to the next char.
    index: list[int] = []
    for position, char in enumerate(text):
        index += [position] * (2 if ord(char) > 0xFFFF else 1)
    index.append(len(text))
    units = len(index) - 1

    def at(unit: int) -> int:
        unit = min(max(unit, 0), units)
        if 0 < unit < units and index[unit] == index[unit - 1]:
            return index[unit] + 1
        return index[unit]

    spans = sorted(
        ((at(e.offset), at(e.offset + e.length), e) for e in entities if e.length > 0),
        key=lambda span: (span[0], -span[1]),
    )

    def render(start: int, end: int, inside: list[tuple[int, int, MessageEntity]]) -> str:
        out: list[str] = []
        position = start
        i = 0
        while i < len(inside):
            first, last, entity = inside[i]
            i += 1
            last = min(last, end)
            if first < position or first >= last:  # overlaps the previous one, or empty
                continue
            nested = []
            while i < len(inside) and inside[i][0] < last:
                nested.append(inside[i])
                i += 1
            out.append(html.escape(text[position:first], quote=False))
            out.append(_wrap(entity, render(first, last, nested)))
            position = last
        out.append(html.escape(text[position:end], quote=False))
        return "".join(out)

    return Html(render(0, len(text), spans))


def to_plain(markup: str) -> str:
    """The text a reader sees in our own Telegram HTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG_RE.sub("", markup))


def first_link(text: str, entities: Sequence[MessageEntity] = ()) -> str | None:
    """The first link in a message: a hidden one (text_link) or one written out (url)."""
    units = text.encode("utf-16-le")
    for entity in sorted(entities, key=lambda e: e.offset):
        if entity.type == MessageEntity.TEXT_LINK and entity.url:
            return entity.url
        if entity.type == MessageEntity.URL:
            start, end = entity.offset * 2, (entity.offset + entity.length) * 2
            return units[start:end].decode("utf-16-le")
    return None
