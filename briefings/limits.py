"""Discord's size limits, and splitting text and embeds to fit them.

Text is split at item boundaries (one item is one line of rendered text), never inside a word or a
quote. Only an item that is too long by itself is cut, at a word boundary, ending with "…".
``message_violations`` lists every limit a message breaks: rendering never produces one that
breaks any, and tests (here and in ``bot/``) assert it on real payloads.
"""

from __future__ import annotations

from collections.abc import Sequence

from briefings.messages import Embed, EmbedField, Message

CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
AUTHOR_NAME = 256
FIELDS = 25
EMBED_TOTAL = 6000  # title, description, field names and values, footer: all embeds of a message
EMBEDS = 10

ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else cut at a word boundary ending in "…".

    A single word longer than the limit is cut inside; a dangling escape backslash is dropped so
    the cut never changes how the rest renders.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    head = text[:room]
    if not text[room].isspace():
        space = max(head.rfind(" "), head.rfind("\n"))
        if space > 0:
            head = head[:space]  # the cut word goes whole
    head = head.rstrip(" \n,;:")
    # An odd number of trailing backslashes would escape the ellipsis: drop one.
    trailing = len(head) - len(head.rstrip("\\"))
    if trailing % 2:
        head = head[:-1]
    return head + ELLIPSIS


def split_to_fit(lines: Sequence[str], limit: int, *, sep: str = "\n") -> list[str]:
    """Pack ``lines`` (whole items) into as few chunks as possible, each at most ``limit`` long.

    Lines are joined with ``sep`` and never split; a line longer than ``limit`` by itself is
    truncated at a word boundary. Blank lines at the start or end of a chunk are dropped. An empty
    input gives no chunks.
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for raw in lines:
        line = truncate(raw, limit)
        extra = len(line) + (len(sep) if current else 0)
        if current and size + extra > limit:
            chunks.append(sep.join(current))
            current, size = [], 0
            extra = len(line)
        if not current and not line.strip():
            continue  # no chunk starts with a blank line
        current.append(line)
        size += extra
    if current:
        chunks.append(sep.join(current))
    return [c for c in (_strip_blank_lines(c, sep) for c in chunks) if c]


def _strip_blank_lines(chunk: str, sep: str) -> str:
    parts = chunk.split(sep)
    while parts and not parts[-1].strip():
        parts.pop()
    return sep.join(parts)


def fit_embed(embed: Embed) -> Embed:
    """``embed`` with every part cut to its own limit (a safety net; rendering already fits)."""
    fields = tuple(
        EmbedField(
            truncate(f.name, FIELD_NAME) or "\u200b",
            truncate(f.value, FIELD_VALUE) or "\u200b",
            f.inline,
        )
        for f in embed.fields[:FIELDS]
    )
    return Embed(
        title=truncate(embed.title, EMBED_TITLE) if embed.title else embed.title,
        description=(
            truncate(embed.description, EMBED_DESCRIPTION)
            if embed.description
            else embed.description
        ),
        url=embed.url,
        color=embed.color,
        fields=fields,
        footer=truncate(embed.footer, FOOTER) if embed.footer else embed.footer,
        timestamp=embed.timestamp,
        image_url=embed.image_url,
    )


def pack_embeds(embeds: Sequence[Embed]) -> list[tuple[Embed, ...]]:
    """Group ``embeds``, in order, into as few messages as the 10-embed and 6,000 limits allow."""
    groups: list[tuple[Embed, ...]] = []
    current: list[Embed] = []
    total = 0
    for embed in embeds:
        fitted = fit_embed(embed)
        if fitted.length > EMBED_TOTAL:
            room = max(1, EMBED_TOTAL - fitted.length + len(fitted.description or ""))
            fitted = fit_embed(
                Embed(
                    title=fitted.title,
                    description=truncate(fitted.description or "", room) or None,
                    url=fitted.url,
                    color=fitted.color,
                    fields=(),
                    footer=fitted.footer,
                    timestamp=fitted.timestamp,
                    image_url=fitted.image_url,
                )
            )
        if current and (len(current) >= EMBEDS or total + fitted.length > EMBED_TOTAL):
            groups.append(tuple(current))
            current, total = [], 0
        current.append(fitted)
        total += fitted.length
    if current:
        groups.append(tuple(current))
    return groups


def message_violations(message: Message) -> tuple[str, ...]:
    """Every Discord limit ``message`` breaks, as readable lines (empty when it fits)."""
    out: list[str] = []
    if not message.content and not message.embeds and not message.attachments:
        out.append("message is empty")
    if len(message.content) > CONTENT:
        out.append(f"content has {len(message.content)} characters (limit {CONTENT})")
    if len(message.embeds) > EMBEDS:
        out.append(f"{len(message.embeds)} embeds (limit {EMBEDS})")
    total = 0
    for n, e in enumerate(message.embeds, 1):
        checks = [
            ("title", len(e.title or ""), EMBED_TITLE),
            ("description", len(e.description or ""), EMBED_DESCRIPTION),
            ("footer", len(e.footer or ""), FOOTER),
            ("fields", len(e.fields), FIELDS),
        ]
        checks += [("field name", len(f.name), FIELD_NAME) for f in e.fields]
        checks += [("field value", len(f.value), FIELD_VALUE) for f in e.fields]
        out.extend(
            f"embed {n}: {what} has {size} (limit {limit})"
            for what, size, limit in checks
            if size > limit
        )
        if e.title is None and not e.description and not e.fields and e.footer is None:
            out.append(f"embed {n} is empty")
        total += e.length
    if total > EMBED_TOTAL:
        out.append(f"embeds have {total} characters in all (limit {EMBED_TOTAL})")
    return tuple(out)
