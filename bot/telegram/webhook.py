"""Webhook mode: a small tornado server that Telegram (through a reverse proxy) POSTs updates to.

PTB's own webhook server serves only the update path; ours also answers `GET /healthz` and
compares the secret in constant time. Routes:

    POST <path of WEBHOOK_URL>   an update; 403 unless X-Telegram-Bot-Api-Secret-Token matches
    GET  /healthz                the `visatalks health` line; 200 when ok, else 503
    GET  /metrics                Prometheus metrics (bot.ops.metrics)

Accepted updates go to `application.update_queue`, where PTB's own processing takes them, as
with polling. The server speaks plain HTTP: TLS ends at the proxy (deploy/).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import re
import time
from http import HTTPStatus
from pathlib import Path
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.routing
import tornado.web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext, Job

from bot.config import WebhookConfig
from bot.ops.metrics import HealthHandler, MetricsHandler
from bot.telegram.heartbeat import Heartbeat

App = Application[Any, Any, Any, Any, Any, Any]

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # updates are a few KiB; anything bigger is not from Telegram
CHECK_SECONDS = 60.0  # how often getWebhookInfo confirms Telegram still reaches us


class _UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot_app: App, heartbeat: Heartbeat, secret: str) -> None:
        self.bot_app = bot_app
        self.heartbeat = heartbeat
        self.secret = secret.encode()

    def check_xsrf_cookie(self) -> None:
        """Not a browser form: the secret header is the authentication."""

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook: refused a request from %s (no or wrong secret)", self._peer())
            self._answer(HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(self.request.body)
            is_update = isinstance(data, dict) and type(data.get("update_id")) is int
            update = Update.de_json(data, self.bot_app.bot) if is_update else None
        except Exception:  # whatever the body is, it is not an update
            update = None
        if update is None:
            log.warning("webhook: a body from %s is not an update", self._peer())
            self._answer(HTTPStatus.BAD_REQUEST)
            return
        self.heartbeat.beat()
        await self.bot_app.update_queue.put(update)
        self._answer(HTTPStatus.OK)

    def _peer(self) -> str:
        return str(self.request.remote_ip)

    def _answer(self, status: HTTPStatus) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status.phrase}\n")


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Refusals are logged by the handlers, once; routine requests only at DEBUG.
    status = handler.get_status()
    level = logging.ERROR if status >= 500 else logging.DEBUG
    request = handler.request
    log.log(level, "webhook: %s %s -> %s", request.method, request.path, status)


class WebhookServer:
    """Listens, registers the webhook with Telegram, and checks on it every CHECK_SECONDS."""

    def __init__(
        self, application: App, config: WebhookConfig, heartbeat: Heartbeat, database_path: Path
    ) -> None:
        if config.url is None or config.secret is None:
            raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
        self.application = application
        self.config = config
        self.heartbeat = heartbeat
        routes: list[Any] = [
            (r"/healthz", HealthHandler, {"database_path": database_path}),
            (r"/metrics", MetricsHandler, {"database_path": database_path}),
            (
                tornado.routing.PathMatches(re.escape(config.path.rstrip("/")) + "/?"),
                _UpdateHandler,
                {"bot_app": application, "heartbeat": heartbeat, "secret": config.secret},
            ),
        ]
        app = tornado.web.Application(routes, log_function=_log_request)
        # xheaders: behind the proxy, remote_ip is the client's from X-Real-IP/-Forwarded-For.
        self._server = tornado.httpserver.HTTPServer(app, xheaders=True, max_body_size=MAX_BODY)
        self._job: Job[Any] | None = None
        self._errors_since = time.time()
        self.port = config.port

    async def start(self) -> None:
        sockets = tornado.netutil.bind_sockets(self.config.port, self.config.listen)
        self.port = sockets[0].getsockname()[1]
        self._server.add_sockets(sockets)
        try:
            await self.application.bot.set_webhook(
                url=str(self.config.url),
                secret_token=self.config.secret,
                allowed_updates=Update.ALL_TYPES,
            )
        except BaseException:
            await self.stop()
            raise
        self.heartbeat.beat()
        log.info(
            "webhook: listening on %s:%s, path %s", self.config.listen, self.port, self.config.path
        )
        if self.application.job_queue is not None:
            self._job = self.application.job_queue.run_repeating(
                self._check_in, interval=CHECK_SECONDS, first=CHECK_SECONDS, name="webhook-check"
            )

    async def stop(self) -> None:
        """Stop listening. The webhook stays registered: Telegram keeps updates until we return."""
        if self._job is not None:
            self._job.schedule_removal()
            self._job = None
        self._server.stop()
        with contextlib.suppress(Exception):
            await self._server.close_all_connections()

    async def _check_in(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Beats when Telegram answers and reports no new delivery error to our URL."""
        try:
            info = await context.bot.get_webhook_info()
        except TelegramError as exc:
            log.warning("webhook: getWebhookInfo failed: %s", exc)
            return
        if info.url != self.config.url:
            # Someone set another webhook (a second instance?): one line a check, no more.
            log.warning(
                "webhook: Telegram delivers this bot's updates to %r, not to WEBHOOK_URL: "
                "another instance may have taken them",
                info.url,
            )
            return
        failed_at = info.last_error_date.timestamp() if info.last_error_date else None
        if failed_at is not None and failed_at > self._errors_since:
            self._errors_since = failed_at
            log.warning(
                "webhook: Telegram could not deliver: %s (%s updates waiting)",
                info.last_error_message,
                info.pending_update_count,
            )
            return
        self.heartbeat.beat()
