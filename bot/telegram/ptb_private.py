"""Every private python-telegram-bot name the project uses, in one place.

PTB may move or change anything under `telegram._*` or `telegram.request._*` in any release.
The rest of the project imports these names from here only, and tests/test_ptb_contract.py
checks each of them (and the signatures relied on) against the installed PTB, naming the
version and the name that moved. pyproject.toml pins PTB to the minors that test passes on.
"""

# A parameter of BaseRequest.do_request's timeouts that PTB fills with DEFAULT_NONE when the
# caller gave none: a BaseRequest of our own (bot.telegram.transport) must tell "not given"
# from None ("no timeout") to apply its own defaults, as PTB's HTTPXRequest does.
from telegram._utils.defaultvalue import DefaultValue

# The type of those timeout parameters: a do_request override (transport, poll heartbeat,
# console) spells its signature with it so that mypy accepts it as BaseRequest's.
from telegram._utils.types import ODVInput

# One form field of a request: the delivery worker posts sendMessage straight through
# BaseRequest.post with a RequestData of these, skipping Bot.send_message's Message building
# (a fifth of the bot's CPU at a paid broadcast's 1000 sends a second).
from telegram.request._requestparameter import RequestParameter

__all__ = ["DefaultValue", "ODVInput", "RequestParameter"]
