"""The private python-telegram-bot names the project relies on are still where, and what, it
expects: when a PTB release moves or changes one, this fails naming the name and the version.

The names are read from bot/telegram/ptb_private.py's own import lines (not imported through
it), so a moved name is reported here rather than as an ImportError while collecting tests.
This module imports nothing from the project, so it also runs against other PTB versions in a
bare environment (with --noconftest) when deciding the pin in pyproject.toml.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest
import telegram
from telegram.request import BaseRequest, HTTPXRequest, RequestData

ROOT = Path(__file__).resolve().parent.parent
PRIVATE_MODULE = ROOT / "bot" / "telegram" / "ptb_private.py"
SOURCES = ("bot", "handlers", "storage", "tests", "bench")
TIMEOUTS = ["read_timeout", "write_timeout", "connect_timeout", "pool_timeout"]


def is_private(module: str) -> bool:
    """A module of PTB's that is not part of its public API."""
    parts = module.split(".")
    return parts[0] == "telegram" and any(part.startswith("_") for part in parts[1:])


def private_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every `from <private PTB module> import name` (and plain import)."""
    found: list[tuple[str, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and is_private(node.module):
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, "") for alias in node.names if is_private(alias.name)]
    return found


def moved(module: str, name: str) -> str:
    return (
        f"python-telegram-bot {telegram.__version__} moved {module}.{name}; "
        "update bot/telegram/ptb_private.py"
    )


def resolve(module: str, name: str) -> Any:
    """The object PTB has at module.name, or a failure that says which name moved."""
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.fail(moved(module, name), pytrace=False)


def private_name(name: str) -> Any:
    """One of ptb_private's names, found where ptb_private imports it from."""
    for module, imported in private_imports(PRIVATE_MODULE):
        if imported == name:
            return resolve(module, name)
    raise AssertionError(f"bot/telegram/ptb_private.py no longer imports {name}")


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def changed(what: str, expected: object, found: object) -> str:
    return (
        f"python-telegram-bot {telegram.__version__} changed {what}: the project relies on "
        f"{expected}, PTB now has {found}; update bot/telegram/ptb_private.py and its users"
    )


def test_every_private_name_is_imported_in_ptb_private_only() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for folder in SOURCES
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != PRIVATE_MODULE
        for module, name in private_imports(path)
    ]
    assert not offenders, "import these from bot.telegram.ptb_private instead: " + ", ".join(
        offenders
    )
    assert {name for _, name in private_imports(PRIVATE_MODULE)} == {
        "DefaultValue",
        "ODVInput",
        "RequestParameter",
    }


@pytest.mark.parametrize(
    ("module", "name"), private_imports(PRIVATE_MODULE), ids=lambda value: str(value)
)
def test_each_private_name_is_still_where_ptb_private_imports_it_from(
    module: str, name: str
) -> None:
    assert resolve(module, name) is not None


def test_a_moved_name_fails_naming_it_and_the_ptb_version() -> None:
    with pytest.raises(pytest.fail.Exception) as failure:
        resolve("telegram._utils.types", "NoSuchName")
    assert str(failure.value) == (
        f"python-telegram-bot {telegram.__version__} moved telegram._utils.types.NoSuchName; "
        "update bot/telegram/ptb_private.py"
    )
    with pytest.raises(pytest.fail.Exception, match=r"moved telegram\._gone\.ODVInput"):
        resolve("telegram._gone", "ODVInput")


def test_request_parameter_is_built_from_name_value_and_files() -> None:
    """bot.delivery.sending builds RequestParameter(name, value, None) positionally."""
    request_parameter = private_name("RequestParameter")
    names = parameters(request_parameter)
    assert names == ["name", "value", "input_files"], changed(
        "RequestParameter's constructor", ["name", "value", "input_files"], names
    )
    data = RequestData([request_parameter("chat_id", "42", None)])
    # Strings pass as they are: bot.delivery.sending hands over values it encoded itself.
    assert data.json_parameters == {"chat_id": "42"}, changed(
        "RequestData.json_parameters", {"chat_id": "42"}, data.json_parameters
    )
    assert data.contains_files is False


def test_default_none_is_a_default_value() -> None:
    """bot.telegram.transport tells PTB's 'not given' timeout from None with isinstance."""
    default_value = private_name("DefaultValue")
    assert isinstance(BaseRequest.DEFAULT_NONE, default_value), changed(
        "BaseRequest.DEFAULT_NONE's type", default_value, type(BaseRequest.DEFAULT_NONE)
    )
    assert BaseRequest.DEFAULT_NONE.value is None


def test_odv_input_still_takes_the_timeout_type() -> None:
    odv_input = private_name("ODVInput")
    assert odv_input[float] is not None  # subscripted in every do_request override


@pytest.mark.parametrize("cls", [BaseRequest, HTTPXRequest], ids=lambda c: c.__name__)
def test_do_request_takes_what_the_overrides_take(cls: type[BaseRequest]) -> None:
    """bot.telegram.transport, bot.telegram.heartbeat and bot.ops.console override do_request
    with these, and bot.telegram.heartbeat calls HTTPXRequest's positionally."""
    expected = ["self", "url", "method", "request_data", *TIMEOUTS]
    found = parameters(cls.do_request)
    assert found == expected, changed(f"{cls.__name__}.do_request", expected, found)


def test_post_takes_a_url_then_request_data() -> None:
    """bot.delivery.sending calls BaseRequest.post(url, RequestData) and reads the JSON result."""
    expected = ["self", "url", "request_data", *TIMEOUTS]
    found = parameters(BaseRequest.post)
    assert found == expected, changed("BaseRequest.post", expected, found)
