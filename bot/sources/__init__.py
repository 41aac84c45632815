"""Sources: fetching URLs with the SSRF guard (``fetch``) and polling feeds, pages and folders.

May import store, delivery, bot.config and briefings (which turns the fetched bytes into articles).
"""
