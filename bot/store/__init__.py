"""The store: the database (SQLite or PostgreSQL), its articles, briefings and shared helpers,
and the throwaway copy a dry run works on (``snapshot``).

May import bot.config and briefings only; every other room builds on it.
"""
