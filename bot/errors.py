"""The project's exception tree.

VisatalksError
├── ConfigError      a setting is missing or malformed; the start stops with one line
├── StorageError     the database cannot be opened or migrated
└── AlreadyRunning   another visatalks holds the database (two would double every alert)

VisatalksError and StorageError are defined in storage.errors (storage/ imports nothing from
bot/) and are the same classes here.
"""

from storage.errors import StorageError, VisatalksError

__all__ = ["AlreadyRunning", "ConfigError", "StorageError", "VisatalksError"]


class ConfigError(VisatalksError):
    """A setting is wrong; the message names the variable and what is wrong with it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


class AlreadyRunning(VisatalksError):
    """Another process holds the instance lock of the same database."""
