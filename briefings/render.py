"""Rendering briefings. (Provisional: the Jinja2 templates land in issue 2.)"""

from __future__ import annotations

from briefings.messages import Message
from briefings.model import Briefing


def render_messages(briefing: Briefing) -> list[Message]:
    lines = [f"**{briefing.article.title or 'Briefing'}**"]
    for name in ("frontline", "forces", "policy", "quotes"):
        lines.append(f"__{name}__")
        lines.extend(f"- {item.text}" for item in briefing.section(name))
    return [Message(content="\n".join(lines)[:2000])]
