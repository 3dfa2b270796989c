"""Telegram-flavoured HTML: parsing and validating it as Telegram's own parser does."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from tests.fakebotapi.wire import JSONDict

_BOT_COMMAND_RE: Final = re.compile(r"^/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?")

_TAG_ENTITY_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_HTML_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z]+));?")
_HTML_SPECIAL_RE: Final = re.compile(r"[<&]")


class HtmlParseError(ValueError):
    """Telegram would reject the text with ``can't parse entities: <message>``."""


@dataclass(slots=True)
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _decode_html_entity(match: re.Match[str]) -> str | None:
    """Decode one entity the way Telegram does; ``None`` means "keep the '&' literally"."""
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return _NAMED_HTML_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _unescape_html(value: str) -> str:
    return _HTML_ENTITY_RE.sub(lambda m: _decode_html_entity(m) or m.group(0), value)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into ``(plain_text, entities)``.

    Follows the rules of Telegram's own parser: only the documented tags are allowed,
    every ``<`` starts a tag, tags must nest properly, only ``&lt; &gt; &amp; &quot;`` and
    numeric character references are decoded (other ``&`` stay literal). Entity offsets
    and lengths are in UTF-16 code units like the Bot API's.

    Raises:
        HtmlParseError: with Telegram's wording of the problem.
    """
    out: list[str] = []
    pos16 = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    n = len(text)
    i = 0

    def offset(index: int) -> int:
        return len(text[:index].encode("utf-8"))

    while i < n:
        special = _HTML_SPECIAL_RE.search(text, i)
        stop = special.start() if special else n
        if stop > i:
            chunk = text[i:stop]
            out.append(chunk)
            pos16 += utf16_len(chunk)
            i = stop
            if i >= n:
                break
        if text[i] == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            decoded = _decode_html_entity(match) if match else None
            if match is None or decoded is None:
                out.append("&")
                pos16 += 1
                i += 1
            else:
                out.append(decoded)
                pos16 += utf16_len(decoded)
                i = match.end()
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            close = text.find(">", i + 2)
            if close == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {offset(begin)}")
            name = text[i + 2 : close].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {offset(begin)}")
            if name and name != stack[-1].name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {offset(begin)}, expected "
                    f'"</{stack[-1].name}>", found "</{name}>"'
                )
            tag = stack.pop()
            entity = _entity_for_tag(tag, pos16 - tag.start, stack)
            if entity is not None:
                entities.append(entity)
            i = close + 1
            continue

        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        if j >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {offset(begin)}")
        name = text[i + 1 : j].lower()
        if name not in _TAG_ENTITY_TYPES:
            raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {offset(begin)}')
        attrs, i = _parse_html_attributes(text, j, name, offset(begin))
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset(begin)}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise HtmlParseError(
                f'Tag "tg-emoji" must have a numeric attribute "emoji-id" '
                f"at byte offset {offset(begin)}"
            )
        stack.append(_OpenTag(name=name, start=pos16, attrs=attrs))

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_html_attributes(
    text: str, i: int, tag: str, tag_offset: int
) -> tuple[dict[str, str], int]:
    """Parse ``name="value"`` pairs from ``text[i:]`` up to ``>``; return them and the end."""
    n = len(text)
    attrs: dict[str, str] = {}
    unclosed = f"Unclosed start tag at byte offset {tag_offset}"
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(unclosed)
        if text[i] == ">":
            return attrs, i + 1
        k = i
        while k < n and not text[k].isspace() and text[k] not in "=>":
            k += 1
        attr = text[i:k].lower()
        if not attr:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {tag_offset}'
            )
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise HtmlParseError(unclosed)
        if text[k] != "=":
            attrs[attr] = ""
            i = k
            continue
        k += 1
        while k < n and text[k].isspace():
            k += 1
        if k >= n:
            raise HtmlParseError(unclosed)
        if text[k] in "\"'":
            end = text.find(text[k], k + 1)
            if end == -1:
                raise HtmlParseError(unclosed)
            value = text[k + 1 : end]
            i = end + 1
        else:
            end = k
            while end < n and not text[end].isspace() and text[end] != ">":
                end += 1
            value = text[k:end]
            i = end
        attrs[attr] = _unescape_html(value)


def _entity_for_tag(tag: _OpenTag, length: int, parents: list[_OpenTag]) -> JSONDict | None:
    """The MessageEntity a closed tag produces (``None`` for empty or merged ones)."""
    css_class = tag.attrs.get("class", "")
    if (
        tag.name == "code"
        and parents
        and parents[-1].name == "pre"
        and css_class.startswith("language-")
    ):
        parents[-1].language = css_class[len("language-") :]
        return None
    if length <= 0:
        return None
    entity: JSONDict = {"type": _TAG_ENTITY_TYPES[tag.name], "offset": tag.start, "length": length}
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        user_id = href.removeprefix("tg://user?id=")
        if user_id != href and user_id.isdigit():
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(user_id), "is_bot": False, "first_name": ""}
        else:
            entity["url"] = href
    elif tag.name == "pre" and tag.language:
        entity["language"] = tag.language
    elif tag.name == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    return entity


def html_to_plain(text: str) -> str:
    """What the user sees for an HTML message (raises :class:`HtmlParseError` if invalid)."""
    return parse_html(text)[0]


def command_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` entity Telegram sets on a message starting with ``/command``."""
    match = _BOT_COMMAND_RE.match(text)
    if not match:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))}]
