"""Telegram update handlers, one module per feature. Each exposes HANDLERS; no SQL here."""
