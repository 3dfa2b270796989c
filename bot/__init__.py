"""visatalks: a Telegram bot following the EU–Kazakhstan visa facilitation and readmission talks."""

__version__ = "0.1.0"
