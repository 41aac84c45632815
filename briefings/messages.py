"""What rendering produces: plain message and embed data, independent of Discord.

Only the Discord sink turns these into ``discord.Embed``; the console sink prints them; the
webhook sink posts their JSON. ``to_payload`` gives the JSON Discord's API receives, with
``allowed_mentions`` always empty so article text can never ping anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NO_MENTIONS: dict[str, Any] = {"parse": [], "replied_user": False}


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Embed:
    title: str | None = None
    description: str | None = None
    url: str | None = None
    color: int | None = None
    fields: tuple[EmbedField, ...] = ()
    footer: str | None = None
    timestamp: datetime | None = None
    image_url: str | None = None

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "rich"}
        if self.title is not None:
            out["title"] = self.title
        if self.description is not None:
            out["description"] = self.description
        if self.url is not None:
            out["url"] = self.url
        if self.color is not None:
            out["color"] = self.color
        if self.fields:
            out["fields"] = [
                {"name": f.name, "value": f.value, "inline": f.inline} for f in self.fields
            ]
        if self.footer is not None:
            out["footer"] = {"text": self.footer}
        if self.timestamp is not None:
            out["timestamp"] = self.timestamp.isoformat()
        if self.image_url is not None:
            out["image"] = {"url": self.image_url}
        return out

    @property
    def length(self) -> int:
        """Characters that count toward Discord's 6,000 per message."""
        return (
            len(self.title or "")
            + len(self.description or "")
            + len(self.footer or "")
            + sum(len(f.name) + len(f.value) for f in self.fields)
        )


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message (the /forces chart). ``data`` is the file's bytes."""

    filename: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Message:
    content: str = ""
    embeds: tuple[Embed, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    ephemeral: bool = False

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"allowed_mentions": dict(NO_MENTIONS)}
        if self.content:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = [e.to_payload() for e in self.embeds]
        if self.ephemeral:
            out["flags"] = 64
        return out
