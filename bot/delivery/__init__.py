"""Delivery: the durable outbox, its Discord sender, and the console and webhook sinks.

May import store, bot.config and briefings; it never decides what to post, only posts it.
"""
