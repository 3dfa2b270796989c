"""``getUpdates`` long polling and the webhook: how queued updates reach the bot."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

import tornado.httpclient

from tests.fakebotapi.records import Webhook
from tests.fakebotapi.state import State
from tests.fakebotapi.wire import (
    ApiError,
    Connection,
    JSONDict,
    bad_request,
    dumps,
    float_or,
    int_or,
    resolve,
)


class UpdateDelivery(State):
    """The update methods; a webhook delivers the queue one update at a time."""

    async def _get_updates(self, params: JSONDict, conn: Connection) -> list[JSONDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int_or(params.get("offset"), 0)
        limit = min(max(int_or(params.get("limit"), 100), 1), 100)
        timeout = max(float_or(params.get("timeout"), 0.0), 0.0)
        self._set_allowed_updates(params.get("allowed_updates"))
        queue = self._queue
        if offset < 0:
            while len(queue) > -offset:
                queue.popleft()
        elif offset:
            while queue and queue[0]["update_id"] < offset:
                queue.popleft()
        for poller in self._pollers:  # a newer request terminates the older long poll
            if not poller.done():
                poller.set_result("conflict")
        if not queue and timeout > 0 and not conn.closed:
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[str] = loop.create_future()
            timer = loop.call_later(timeout, resolve, waiter, "timeout")
            self._pollers.add(waiter)
            conn.waiter = waiter
            try:
                outcome = await waiter
            finally:
                timer.cancel()
                self._pollers.discard(waiter)
                conn.waiter = None
            if outcome == "conflict":
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self.webhook is not None:
                return []
        return list(itertools.islice(queue, limit))

    def _set_allowed_updates(self, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, str):
            value = json.loads(value) if value.startswith("[") else [value]
        self._allowed_updates = frozenset(value) if value else None

    def _set_webhook(self, params: JSONDict, conn: Connection) -> bool:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed_updates(params.get("allowed_updates"))
        if not url:
            self._stop_webhook()
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = Webhook(
            url=url,
            secret_token=params.get("secret_token"),
            max_connections=int_or(params.get("max_connections"), 40),
            ip_address=params.get("ip_address"),
            has_custom_certificate="certificate" in params,
        )
        for poller in self._pollers:
            if not poller.done():
                poller.set_result("webhook")
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        if self._queue_event is not None:
            self._queue_event.set()
        return True

    def _delete_webhook(self, params: JSONDict, conn: Connection) -> bool:
        if params.get("drop_pending_updates"):
            self._queue.clear()
        self._stop_webhook()
        return True

    def _stop_webhook(self) -> None:
        self.webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None

    def _get_webhook_info(self, params: JSONDict, conn: Connection) -> JSONDict:
        info: JSONDict = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        hook = self.webhook
        if hook is not None:
            info.update(
                url=hook.url,
                has_custom_certificate=hook.has_custom_certificate,
                max_connections=hook.max_connections,
            )
            if hook.ip_address:
                info["ip_address"] = hook.ip_address
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _deliver_webhook(self) -> None:
        """POST queued updates to the webhook one at a time, in order, retrying failures."""
        if self._http_client is None:
            self._http_client = tornado.httpclient.AsyncHTTPClient(force_instance=True)
        client = self._http_client
        assert self._queue_event is not None
        backoff = 0.05
        while self.webhook is not None:
            hook = self.webhook
            if not self._queue:
                self._queue_event.clear()
                await self._queue_event.wait()
                continue
            update = self._queue[0]
            headers = {"Content-Type": "application/json"}
            if hook.secret_token:
                headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
            problem: str | None = None
            try:
                response = await client.fetch(
                    hook.url,
                    method="POST",
                    body=dumps(update),
                    headers=headers,
                    raise_error=False,
                    request_timeout=10.0,
                )
                if not 200 <= response.code < 300:
                    problem = f"Wrong response from the webhook: {response.code} {response.reason}"
            except Exception as exc:
                problem = f"Connection failed: {exc}"
            if problem is None:
                if self._queue and self._queue[0] is update:
                    self._queue.popleft()
                self.webhook_deliveries.append(int(update["update_id"]))
                backoff = 0.05
                continue
            hook.last_error_date = int(time.time())
            hook.last_error_message = problem
            await self._sleep(backoff)
            backoff = min(backoff * 2, 1.0)
