"""The one place where rendered ``Message`` objects become discord.py calls.

``send_kwargs`` converts a message (embeds, attachments, ``allowed_mentions`` none, ephemeral);
``reply`` answers an interaction with a list of messages; ``DiscordSink`` posts to a channel
through the bot's own connection and returns the id Discord gave the message.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord

from briefings.messages import Message

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def to_embed(embed: Any) -> discord.Embed:
    """A ``briefings.messages.Embed`` as a ``discord.Embed`` (same JSON)."""
    return discord.Embed.from_dict(embed.to_payload())


def send_kwargs(message: Message, *, ephemeral: bool | None = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = [to_embed(e) for e in message.embeds]
    if message.attachments:
        kwargs["files"] = [
            discord.File(io.BytesIO(a.data), filename=a.filename) for a in message.attachments
        ]
    if ephemeral is not None:
        kwargs["ephemeral"] = ephemeral
    return kwargs


async def reply(
    interaction: discord.Interaction[Any], messages: list[Message], *, deferred: bool = False
) -> None:
    """Answer ``interaction`` with ``messages``: the first as the response (or the first
    followup after a public ``defer``, ``deferred=True``), the others as followups."""
    if not messages:
        return
    deferred_public = deferred and interaction.response.is_done()
    for n, message in enumerate(messages):
        if n == 0 and not interaction.response.is_done():
            await interaction.response.send_message(
                **send_kwargs(message, ephemeral=message.ephemeral)
            )
            continue
        if n == 0 and deferred_public and message.ephemeral:
            # The deferred "thinking" message is public; an error must not be: drop it and
            # answer privately instead.
            try:
                await interaction.delete_original_response()
            except discord.HTTPException:
                log.debug("could not delete the deferred response", exc_info=True)
        await interaction.followup.send(**send_kwargs(message, ephemeral=message.ephemeral))


class DiscordSink:
    """Posts messages to channels through the bot's connection (discord.py's rate limiter)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send(
        self, message: Message, *, channel_id: int | None = None, nonce: str | None = None
    ) -> int | None:
        if channel_id is None:
            raise ValueError("DiscordSink.send needs a channel_id")
        channel = self.client.get_partial_messageable(channel_id)
        kwargs = send_kwargs(message)
        if nonce is not None:
            kwargs["nonce"] = nonce
        sent = await channel.send(**kwargs)
        log.info("posted message %s to channel %s", sent.id, channel_id)
        return sent.id
