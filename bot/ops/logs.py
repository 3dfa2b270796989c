"""Logging set-up: one line per event, and no secret printed at any level.

python-telegram-bot and httpx put the bot token in request URLs, and PTB logs setWebhook's
parameters (the webhook secret among them) at DEBUG. The redacting filter sits on the one
handler, so it covers every logger at every level, tracebacks included; it hides the whole
token and also its secret half alone (a URL-encoded `:` would otherwise let it through).
Tracebacks are folded into the same line (`\\n` for line breaks), so journald and `docker
logs` keep one entry per event.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

REDACTED = "<redacted>"
_MIN_SECRET = 6  # hiding a shorter string would garble every line that happens to contain it


def secrets_of(token: str | None, others: Iterable[str | None] = ()) -> list[str]:
    """The strings to hide: the token, its part after the colon, and the other secrets."""
    found = {token, token.partition(":")[2] if token else None, *others}
    return sorted((s for s in found if s and len(s) >= _MIN_SECRET), key=len, reverse=True)


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it, args unprinted
            record.args = None
            return True
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Formatters reuse exc_text when set, so the scrubbed text is what gets printed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = self.scrub(record.stack_info)
        return True


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", " \\n ")


def setup_logging(
    level: str,
    token: str | None,
    stream: TextIO | None = None,
    secrets: Iterable[str | None] = (),
) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets_of(token, secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and the URL holds the token: the filter hides it,
    # and these lines are noise anyway. httpcore's connection chatter likewise.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    logging.getLogger("httpcore").setLevel(max(logging.INFO, root.level))
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, root.level))
