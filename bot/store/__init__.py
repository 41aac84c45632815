"""The store: the database (SQLite or PostgreSQL), its articles, briefings and shared helpers.

May import bot.config and briefings only; every other room builds on it.
"""
