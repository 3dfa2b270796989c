"""Answering callback and inline queries: once each, within Telegram's limits."""

from __future__ import annotations

import time

from tests.fakebotapi.objects import ERR_QUERY_INVALID, MAX_CALLBACK_ANSWER_LENGTH
from tests.fakebotapi.records import AnsweredCallback, InlineAnswer
from tests.fakebotapi.state import State
from tests.fakebotapi.wire import Connection, JSONDict, bad_request


class Queries(State):
    """``answerCallbackQuery`` and ``answerInlineQuery`` matched to the queries injected."""

    def _answer_callback_query(self, params: JSONDict, conn: Connection) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        pending = self._callbacks.get(query_id)
        if pending is None or pending.answered:
            raise bad_request(ERR_QUERY_INVALID.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        pending.answered = True
        cache_time = params.get("cache_time")
        self.answered_callbacks.append(
            AnsweredCallback(
                callback_query_id=query_id,
                text=None if text is None else str(text),
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=None if cache_time is None else int(cache_time),
                at=time.monotonic(),
                user_id=pending.user_id,
                data=pending.payload,
            )
        )
        return True

    def _answer_inline_query(self, params: JSONDict, conn: Connection) -> bool:
        query_id = str(params.get("inline_query_id") or "")
        pending = self._inline_queries.get(query_id)
        if pending is None or pending.answered:
            raise bad_request(ERR_QUERY_INVALID.removeprefix("Bad Request: "))
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request('field "results" must be an Array')
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [r.get("id") for r in results if isinstance(r, dict)]
        if len(ids) != len(results) or not all(ids) or not all(r.get("type") for r in results):
            raise bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        pending.answered = True
        cache_time = params.get("cache_time")
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results,
                cache_time=None if cache_time is None else int(cache_time),
                is_personal=bool(params.get("is_personal")),
                next_offset=params.get("next_offset"),
                button=params.get("button"),
                at=time.monotonic(),
                user_id=pending.user_id,
                query=pending.payload,
            )
        )
        return True
