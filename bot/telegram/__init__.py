"""The bot's side of python-telegram-bot: what it uses of PTB beyond the public API."""
