"""Bot API objects the fake builds (members, photos, messages) and content checks."""

from __future__ import annotations

from typing import Any, Final

from tests.fakebotapi.html import HtmlParseError, parse_html
from tests.fakebotapi.wire import JSONDict, bad_request

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_ANSWER_LENGTH: Final = 200
SUPERGROUP_ID_LIMIT: Final = -1_000_000_000_000

ERR_QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
ERR_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


def formatted(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[JSONDict]]:
    """Apply ``parse_mode``/``entities`` like Telegram: returns (plain text, entities)."""
    if isinstance(entities, list):
        return text, entities
    if not parse_mode:
        return text, []
    mode = str(parse_mode).lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        return text, []  # Markdown is passed through unvalidated
    raise bad_request("unsupported parse_mode")


def check_text(plain: str) -> None:
    if not plain.strip():
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def inline_markup(markup: Any) -> JSONDict | None:
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup


def with_fields(message: JSONDict, **fields: Any) -> JSONDict:
    """Copy of ``message`` with ``fields`` set (``None`` removes a field)."""
    result = dict(message)
    for name, value in fields.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def without_reply(message: JSONDict) -> JSONDict:
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def photo_sizes(file_id: str, file_no: int) -> list[JSONDict]:
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"p{file_no}s",
            "width": 90,
            "height": 90,
            "file_size": 1500,
        },
        {
            "file_id": file_id,
            "file_unique_id": f"p{file_no}",
            "width": 800,
            "height": 800,
            "file_size": 60000,
        },
    ]


def chat_member(status: str, user: JSONDict) -> JSONDict:
    """A ChatMember object with the fields PTB requires for ``status``."""
    member: JSONDict = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            dict.fromkeys(
                (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                ),
                True,
            ),
            can_be_edited=False,
            is_anonymous=False,
            can_promote_members=False,
        )
    elif status == "restricted":
        member.update(
            dict.fromkeys(
                (
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_send_messages",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_manage_topics",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_edit_tag",
                    "can_react_to_messages",
                ),
                False,
            ),
            is_member=True,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member
