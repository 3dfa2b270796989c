"""Timestamps as stored: ISO 8601 in UTC."""

import datetime as dt


def utcnow_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
