"""The Discord side: the discord.py client, slash-command registration and interaction replies.

May import every other room, bot.config and briefings; only the CLI and runner import it.
"""
