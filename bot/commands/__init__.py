"""Commands: the one ``answer()`` pipeline and every command handler, shared by Discord and dry-run.

May import scheduling, sources, delivery, store, bot.config and briefings; never the Discord side.
"""
