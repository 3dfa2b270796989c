"""What can go wrong with a feed, classified in one place.

Every failure of a check ends as a FeedError carrying a Problem; the poller records the
problem on the feed (shown in /feeds) and backs off. Nothing else decides what an exception
means.

FeedError (a VisatalksError)
├── transport  timeout, network, too_large, redirects, http
├── content    empty, not_a_feed, malformed
└── ours       internal  (a bug: logged with its traceback)

`malformed_recovered` is a warning, not a failure: the XML was broken but feedparser's lenient
parser still read entries, which were processed.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from enum import StrEnum

import httpx

from bot.errors import VisatalksError


class Problem(StrEnum):
    TIMEOUT = "timeout"
    NETWORK = "network"
    TOO_LARGE = "too_large"
    REDIRECTS = "redirects"
    HTTP = "http"
    EMPTY = "empty"
    NOT_A_FEED = "not_a_feed"
    MALFORMED = "malformed"
    MALFORMED_RECOVERED = "malformed_recovered"
    INTERNAL = "internal"


class FeedError(VisatalksError):
    """A check of a feed failed; `detail` is short and technical (status code, parser message)."""

    def __init__(
        self, problem: Problem, detail: str = "", retry_after: dt.timedelta | None = None
    ) -> None:
        self.problem = problem
        self.detail = detail[:200]
        super().__init__(f"{problem}: {self.detail}" if self.detail else str(problem))
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[FeedError], tuple[Problem, str, dt.timedelta | None]]:
        # Raised in the parsing process and sent back: rebuilt from its fields, not its message.
        return (FeedError, (self.problem, self.detail, self.retry_after))


def classify(exc: BaseException) -> FeedError:
    """The FeedError that stands for `exc`, whatever layer raised it."""
    if isinstance(exc, FeedError):
        return exc
    # Order matters: httpx's timeouts and redirect errors are also transport errors.
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return FeedError(Problem.TIMEOUT, type(exc).__name__)
    if isinstance(exc, httpx.TooManyRedirects):
        return FeedError(Problem.REDIRECTS, str(exc))
    if isinstance(exc, httpx.TransportError | httpx.InvalidURL | OSError):
        return FeedError(Problem.NETWORK, f"{type(exc).__name__}: {exc}")
    return FeedError(Problem.INTERNAL, f"{type(exc).__name__}: {exc}")


def http_error(status: int, reason: str, retry_after: str | None) -> FeedError:
    """An error status; a Retry-After (429, 503) stretches the next check to at least that."""
    return FeedError(Problem.HTTP, f"{status} {reason}".strip(), _retry_after(retry_after))


def _retry_after(value: str | None) -> dt.timedelta | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - dt.datetime.now(dt.UTC), dt.timedelta(0))
