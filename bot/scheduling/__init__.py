"""Scheduling: triggers (``schedule``), subscriptions, the scheduler and its dry-run replay.

May import delivery, store, bot.config and briefings; commands and Discord come in by injection.
"""
