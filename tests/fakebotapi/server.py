"""The HTTP layer: tornado handlers for ``/bot<token>/<method>`` and ``/_fake/<action>``."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import tornado.web

from tests.fakebotapi.wire import (
    ApiError,
    Connection,
    JSONDict,
    bad_request,
    decode_form_value,
    dumps,
)

if TYPE_CHECKING:
    from tests.fakebotapi.api import FakeBotApi


def make_application(api: FakeBotApi) -> tornado.web.Application:
    """The tornado application serving ``api``."""
    return tornado.web.Application(
        [
            (r"/bot([^/]*)/([^/]*)/?", _BotApiHandler, {"api": api}),
            (r"/_fake/([a-z_]+)", _ControlHandler, {"api": api}),
        ],
        default_handler_class=_NotFoundHandler,
        log_function=_no_access_log,
    )


def _no_access_log(handler: tornado.web.RequestHandler) -> None:
    """Access logging off: it costs time on the hot path and clutters test output."""


class _JsonHandler(tornado.web.RequestHandler):
    """Common bits: JSON answers, no ETag hashing."""

    def compute_etag(self) -> None:
        return None

    def reply(self, status: int, body: Any) -> None:
        """Write a JSON answer with ``status``."""
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = "Error"
        self.set_status(status, reason)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(body))


class _NotFoundHandler(_JsonHandler):
    def prepare(self) -> None:
        self.reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})


class _BotApiHandler(_JsonHandler):
    """``/bot<token>/<method>``: parses parameters and hands them to :class:`FakeBotApi`."""

    SUPPORTED_METHODS = ("GET", "POST")

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api
        self.connection = Connection()

    def on_connection_close(self) -> None:
        self.connection.close()

    async def get(self, *args: str) -> None:
        await self._serve(*args)

    async def post(self, *args: str) -> None:
        await self._serve(*args)

    async def _serve(self, token: str, method: str) -> None:
        if token != self.api.token:
            self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        try:
            params = self._parameters()
        except ApiError as exc:
            self.reply(exc.error_code, exc.payload())
            return
        api = self.api
        api._in_flight += 1
        try:
            status, body = await api.handle(method, params, self.connection)
            if not self.connection.closed:
                self.reply(status, body)
        finally:
            api._in_flight -= 1
            if not api._in_flight and api._idle is not None:
                api._idle.set()

    def _parameters(self) -> JSONDict:
        request = self.request
        params: JSONDict = {}
        for source in (request.query_arguments, request.body_arguments):
            for name, values in source.items():
                if values:
                    params[name] = decode_form_value(name, values[-1].decode("utf-8", "replace"))
        for name, files in request.files.items():
            upload = files[-1]
            params[name] = {
                "file_name": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.body),
            }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
        return params


class _ControlHandler(_JsonHandler):
    """Out-of-process control API for benchmarks, under ``/_fake/``.

    * ``GET stats`` -> :meth:`FakeBotApi.stats`
    * ``GET sent?chat_id=&since=`` -> recorded messages as JSON
    * ``POST updates`` with an update or a list of updates -> :meth:`FakeBotApi.push_update`
    * ``POST user_message`` with keyword arguments -> :meth:`FakeBotApi.user_message`
    * ``POST reset`` -> :meth:`FakeBotApi.clear_records`
    """

    def initialize(self, api: FakeBotApi) -> None:
        self.api = api

    def get(self, *args: str) -> None:
        action = args[0]
        if action == "stats":
            self.reply(200, self.api.stats())
        elif action == "sent":
            chat_id = self.get_query_argument("chat_id", None)
            since = int(self.get_query_argument("since", "0"))
            sent = self.api.sent if chat_id is None else self.api.messages_to(int(chat_id))
            self.reply(200, [m.to_dict() for m in sent[since:]])
        else:
            self.reply(404, {"ok": False, "description": f"unknown control action {action}"})

    def post(self, *args: str) -> None:
        action = args[0]
        try:
            body = json.loads(self.request.body) if self.request.body else {}
            if action == "updates":
                items = body if isinstance(body, list) else [body]
                self.reply(200, [self.api.push_update(u) for u in items])
            elif action == "user_message":
                self.reply(200, self.api.user_message(**body))
            elif action == "reset":
                self.api.clear_records()
                self.reply(200, {"ok": True})
            else:
                self.reply(404, {"ok": False, "description": f"unknown control action {action}"})
        except (TypeError, ValueError) as exc:
            self.reply(400, {"ok": False, "description": str(exc)})
