"""The storage layer's errors: the root of the project's exception tree lives here, below
bot/, so that storage/ imports nothing from bot/ (bot.errors re-exports both)."""


class VisatalksError(Exception):
    """Base of every error this project raises on purpose."""


class StorageError(VisatalksError):
    """The database cannot be used."""
