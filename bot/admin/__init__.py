"""Admins run the bot from Telegram: posts and corrections, delivery, statistics, facts, audit.

Handlers live in handlers/admin*.py and stay thin; the work is done here. Every admin command
and button goes through bot.admin.guard first.
"""
