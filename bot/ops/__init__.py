"""Operating the bot: CLI, console, backup, health, metrics, logs, the instance lock."""
