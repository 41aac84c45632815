"""The renderer the configuration asks for: sections, item limits, a user templates folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_config
from bot.render_config import make_renderer
from briefings import build_article
from briefings.errors import TemplateError
from briefings.model import ArticleMeta, Briefing, QuoteItem
from briefings.render import DEFAULT_MAX_ITEMS, FIT_TEXT


def briefing() -> Briefing:
    a = build_article("Body text of the report.", title="Report")
    quotes = tuple(QuoteItem(f"words number {i}", f"Speaker {i}", None, (0,)) for i in range(5))
    return Briefing(ArticleMeta.of(a), quotes=quotes)


def test_sections_and_limits_come_from_the_configuration(tmp_path: Path) -> None:
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[render]\nsections = ['quotes']\n[render.max_items]\nquotes = 2\n")
    renderer = make_renderer(load_config(cfg, env={}))
    assert renderer.options.sections == ("quotes",)
    limits = dict(renderer.options.max_items)
    assert limits["quotes"] == 2
    assert limits["forces"] == dict(DEFAULT_MAX_ITEMS)["forces"]  # defaults kept for the rest
    text = "\n".join(
        e.description or "" for m in renderer.post_messages(briefing()) for e in m.embeds
    )
    assert "words number 0" in text and "words number 1" in text
    assert "words number 4" not in text
    # Limits the operator chose are kept as chosen; only the defaults fit one message.
    assert renderer.options.fit_text is None
    plain = tmp_path / "plain.toml"
    plain.write_text("[render]\nsections = ['quotes']\n")
    assert make_renderer(load_config(plain, env={})).options.fit_text == FIT_TEXT


def test_user_templates_override_the_bundled_ones(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "quotes.md.j2").write_text("CUSTOM QUOTES {{ section.items | length }}\n")
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[render]\ntemplates = 'templates'\n")
    renderer = make_renderer(load_config(cfg, env={}))
    (message,) = renderer.section_messages(briefing(), "quotes")
    assert message.embeds[0].description == "CUSTOM QUOTES 5"


def test_a_broken_user_template_fails_at_start(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "quotes.md.j2").write_text("{% if %}\n")
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text("[render]\ntemplates = 'templates'\n")
    with pytest.raises(TemplateError, match=r"quotes\.md\.j2"):
        make_renderer(load_config(cfg, env={}))
