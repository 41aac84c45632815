"""The renderer the configuration asks for (sections, item limits, a templates folder)."""

from __future__ import annotations

from bot.config import Config
from briefings.render import DEFAULT_MAX_ITEMS, FIT_TEXT, Renderer, RenderOptions


def make_renderer(config: Config) -> Renderer:
    """A ``Renderer`` built once from ``[render]``; template problems surface here, at start."""
    r = config.render
    limits = dict(DEFAULT_MAX_ITEMS)
    limits.update(dict(r.max_items))
    return Renderer(
        RenderOptions(
            sections=r.sections,
            max_items=tuple(limits.items()),
            template_dir=r.template_dir,
            # Limits the operator chose are kept as chosen; the defaults fit one message.
            fit_text=None if r.max_items else FIT_TEXT,
        )
    )
