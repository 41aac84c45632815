"""Rendering: templates, ranking, sanitising hostile text, Discord's limits, golden files.

Golden files (tests/golden/) hold the rendered post of the demo article and of the first real
article. They are rewritten only on purpose, after a change to the templates or the extractors:

    SITREP_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_render.py

then review ``git diff tests/golden`` before committing. The real article is copyrighted and never
goes into the project, so its golden files hold one digest per line (number, length, sha256
prefix) instead of the text; a mismatch prints the differing lines of the actual output.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings import distill, limits
from briefings.errors import ConfigError, TemplateError
from briefings.messages import Message
from briefings.model import (
    SECTIONS,
    ArticleMeta,
    Briefing,
    ForceItem,
    FrontlineItem,
    PolicyItem,
    QuoteItem,
)
from briefings.render import (
    DEFAULT_MAX_ITEMS,
    Renderer,
    RenderOptions,
    format_for_console,
    readable_figure,
    render_messages,
    top_items,
)
from briefings.render_views import clip
from briefings.sanitize import ZWSP, clean, escape_markdown, safe_url

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_GOLDEN = os.environ.get("SITREP_UPDATE_GOLDEN") == "1"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def meta(**kw: object) -> ArticleMeta:
    base: dict[str, object] = {
        "title": "River line holds",
        "source": "Test Wire",
        "published": date(2024, 8, 20),
        "words": 420,
        "sha256": "0" * 64,
        "url": "https://example.com/report",
        "sentence_paragraphs": (0, 0, 1, 2, 2, 3, 4, 5, 6, 6),
    }
    base.update(kw)
    return ArticleMeta(**base)  # type: ignore[arg-type]


def sample() -> Briefing:
    return Briefing(
        article=meta(),
        frontline=(FrontlineItem("Attackers took the village", ("Ostrivka",), (2,), 1.0),),
        forces=(
            ForceItem("outnumbered roughly 10-to-1", "ratio", "10:1", (3,), 2.0),
            ForceItem("some 12,000 troops", "troops", "12000", (4,), 1.0),
        ),
        policy=(PolicyItem("Approved the delivery of guns", ("Andriy Soroka",), (6,), 1.0),),
        quotes=(
            QuoteItem("We stop most of them.", "Marta Hnatiuk", "a company commander", (5,), 1),
            QuoteItem("Nobody should mistake our patience.", "Soroka", None, (8, 9), 1.0),
        ),
    )


def all_messages(renderer: Renderer, briefing: Briefing) -> list[Message]:
    out = renderer.post_messages(briefing, now=NOW) + renderer.markdown_messages(briefing)
    for name in SECTIONS:
        out += renderer.section_messages(briefing, name, now=NOW)
    return out


def visible_texts(msg: Message) -> list[str]:
    texts = [msg.content]
    for e in msg.embeds:
        texts += [e.title or "", e.description or "", e.footer or ""]
        texts += [f.name + f.value for f in e.fields]
    return texts


def assert_fits(messages: list[Message]) -> None:
    assert messages
    for msg in messages:
        assert limits.message_violations(msg) == (), msg


# -- sanitising -------------------------------------------------------------------------------


def test_clean_folds_every_line_break_and_neutralises_mentions() -> None:
    out = clean("a\nb\r\nc\u2028d\te  @everyone @HERE <@123> <@!4> <@&5> <#6> </cmd:7>")
    assert "\n" not in out and "\r" not in out and "\u2028" not in out
    assert out.startswith("a b c d e ")
    for raw in ("@everyone", "@HERE", "<@123>", "<@!4>", "<@&5>", "<#6>", "</cmd:7>"):
        assert raw not in out
    assert f"@{ZWSP}everyone" in out and f"<{ZWSP}@123>" in out


def test_clean_drops_the_articles_own_zero_width_characters() -> None:
    assert clean("@\u200beveryone") == f"@{ZWSP}everyone"


def test_escape_markdown_escapes_what_would_format() -> None:
    assert escape_markdown("**bold** _it_ ~~s~~ ||sp|| `c`") == (
        r"\*\*bold\*\* \_it\_ \~\~s\~\~ \|\|sp\|\| \`c\`"
    )
    assert escape_markdown("```code```") == r"\`\`\`code\`\`\`"
    assert escape_markdown("[click](https://x.y)") == r"\[click\](<https://x.y>)"
    assert escape_markdown("> not a quote") == r"\> not a quote"
    assert escape_markdown("# not a heading") == r"\# not a heading"
    assert escape_markdown("- not a list") == r"\- not a list"
    assert escape_markdown("a\\b") == "a\\\\b"


def test_escape_markdown_leaves_ordinary_prose_alone() -> None:
    text = "The brigade's commander (a colonel) said 3 > 2 and #1 - as usual."
    assert escape_markdown(text) == text


def test_escape_markdown_keeps_web_addresses_whole_and_without_preview() -> None:
    assert escape_markdown("see https://example.com/a_b?c=1. and _x_") == (
        r"see <https://example.com/a_b?c=1>. and \_x\_"
    )


def test_clip_cleans_and_cuts_and_marks_what_it_leaves_out() -> None:
    assert clip("We held.\nWe hold.", 100) == "We held. We hold."
    assert clip("word " * 10_000, 50) == ("word " * 10).strip() + "…"
    assert clip("a" + " " * 5000 + "b", 10) == "a…"
    assert clip("@everyone " * 1000, 30).startswith(f"@{ZWSP}everyone")


def test_safe_url_accepts_plain_links_only() -> None:
    assert safe_url("https://example.com/a?b=1") == "https://example.com/a?b=1"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("https://exa mple.com") is None
    assert safe_url(None) is None


# -- templates ---------------------------------------------------------------------------------


def test_post_has_a_header_and_one_embed_per_section_in_order() -> None:
    (msg,) = Renderer().post_messages(sample(), now=NOW)
    assert msg.content.startswith("## Situation briefing: River line holds")
    assert [e.title for e in msg.embeds] == [
        "Frontline situation",
        "Forces and numbers",
        "Policy context",
        "Key quotes",
    ]
    assert len({e.color for e in msg.embeds}) == 4
    assert all(e.url == "https://example.com/report" for e in msg.embeds)
    assert all(e.timestamp == NOW for e in msg.embeds)


def test_header_uses_discord_timestamps() -> None:
    (msg,) = Renderer().post_messages(sample(), now=NOW)
    noon = int(datetime(2024, 8, 20, 12, tzinfo=UTC).timestamp())
    assert f"<t:{noon}:D>" in msg.content
    assert f"<t:{int(NOW.timestamp())}:f>" in msg.content
    (undated,) = Renderer().post_messages(sample())
    assert f"<t:{int(NOW.timestamp())}:f>" not in undated.content


def test_footer_names_the_source_paragraphs() -> None:
    (msg,) = Renderer().post_messages(sample(), now=NOW)
    footers = [e.footer or "" for e in msg.embeds]
    assert footers[1].endswith("from paragraph 3")
    assert footers[3].endswith("from paragraphs 4, 7")
    assert footers[0].startswith("River line holds")


def test_footer_falls_back_to_sentences_without_paragraphs() -> None:
    b = Briefing(article=meta(sentence_paragraphs=()), quotes=sample().quotes)
    (msg,) = Renderer().section_messages(b, "quotes")
    assert (msg.embeds[0].footer or "").endswith("from sentences 6, 9, 10")


def test_item_formats() -> None:
    (msg,) = Renderer().post_messages(sample(), now=NOW)
    frontline, forces, policy, quotes = (e.description or "" for e in msg.embeds)
    assert frontline == "- **Ostrivka** — Attackers took the village"
    assert "- **10:1** — outnumbered roughly 10-to-1" in forces
    # A figure written as its value is set in bold where it stands; its kind, already named
    # by the text ("troops"), is not repeated.
    assert "- some **12,000** troops\n" in forces + "\n"
    assert policy.startswith("- **Andriy Soroka** — Approved")
    assert "> “We stop most of them.” — **Marta Hnatiuk**, a company commander" in quotes
    assert "> “Nobody should mistake our patience.” — **Soroka**" in quotes


def test_force_values_are_shown_with_thousands_separators() -> None:
    assert readable_figure("45000") == "45,000"
    assert readable_figure("1200/day") == "1,200/day"
    assert readable_figure("8000-9000") == "8,000-9,000"
    for same in ("10:1", "0.5", "20 km", "50%", "300"):
        assert readable_figure(same) == same


def test_empty_sections_say_so() -> None:
    b = Briefing(article=meta())
    (msg,) = Renderer().post_messages(b, now=NOW)
    descriptions = [e.description for e in msg.embeds]
    assert "No quotes in this report." in descriptions
    assert "No force figures in this report." in descriptions
    md = "\n".join(m.content for m in Renderer().markdown_messages(b))
    assert "No quotes in this report." in md
    assert "No quotes in this report." in Renderer().text(b)


def test_sections_follow_the_options_order() -> None:
    r = Renderer(RenderOptions(sections=("quotes", "forces")))
    (msg,) = r.post_messages(sample())
    assert [e.title for e in msg.embeds] == ["Key quotes", "Forces and numbers"]
    md = r.markdown_messages(sample())[0].content
    assert md.index("### Key quotes") < md.index("### Forces and numbers")
    assert "Frontline" not in md


def test_ranking_shows_top_items_in_reading_order_and_counts_the_rest() -> None:
    quotes = tuple(
        QuoteItem(f"quote {n}", "Speaker", None, (n,), score=float(n % 4)) for n in range(10)
    )
    b = Briefing(article=meta(), quotes=quotes)
    r = Renderer(RenderOptions(max_items=(("quotes", 3),)))
    (msg,) = r.section_messages(b, "quotes", limit=3)
    text = msg.embeds[0].description or ""
    shown = [n for n in range(10) if f"quote {n}”" in text]
    assert shown == [2, 3, 7]  # scores 3 and 3, then the first of the 2s; in reading order
    assert "-# +7 more: /briefing section:quotes" in text
    (post,) = r.post_messages(b)
    assert "+7 more: /briefing section:quotes" in (post.embeds[-1].description or "")
    # The markdown briefing says it once, at its end, for every section with more.
    (md,) = r.markdown_messages(b)
    assert "more: /briefing" not in md.content
    assert md.content.rstrip().endswith("-# More with /briefing section: quotes +7")


def test_top_items_keeps_reading_order_and_prefers_earlier_on_ties() -> None:
    items = [FrontlineItem(str(n), (), (n,), score=s) for n, s in enumerate([1, 5, 1, 5, 2])]
    assert [i.text for i in top_items(items, 3)] == ["1", "3", "4"]
    assert [i.text for i in top_items(items, 2)] == ["1", "3"]
    assert top_items(items, None) == tuple(items)


def test_section_messages_show_every_item_by_default() -> None:
    quotes = tuple(QuoteItem(f"quote {n}", "S", None, (n,)) for n in range(30))
    msgs = Renderer().section_messages(Briefing(article=meta(), quotes=quotes), "quotes")
    text = "\n".join(e.description or "" for m in msgs for e in m.embeds)
    assert all(f"quote {n}”" in text for n in range(30))
    assert "more: /briefing" not in text


def test_each_continued_embed_names_its_own_paragraphs() -> None:
    quotes = tuple(QuoteItem(f"said {n} " * 60, "S", None, (n,)) for n in range(40))
    b = Briefing(article=meta(sentence_paragraphs=tuple(range(40))), quotes=quotes)
    embeds = [e for m in Renderer().section_messages(b, "quotes") for e in m.embeds]
    assert len(embeds) > 1
    for embed in embeds:
        shown = sorted({int(n) + 1 for n in re.findall(r"said (\d+)", embed.description or "")})
        assert (embed.footer or "").endswith("from paragraphs " + ", ".join(map(str, shown)))


def test_an_item_of_several_lines_is_never_split(tmp_path: Path) -> None:
    (tmp_path / "quotes.md.j2").write_text(
        "{% for item in section.items %}BEGIN {{ loop.index }}\n{{ item.text | md }}\nEND\n"
        "{% endfor %}"
    )
    quotes = tuple(QuoteItem("word " * 130, "S", None, (n,)) for n in range(60))
    b = Briefing(article=meta(), quotes=quotes)
    msgs = Renderer(RenderOptions(template_dir=tmp_path)).section_messages(b, "quotes")
    assert_fits(msgs)
    descriptions = [e.description or "" for m in msgs for e in m.embeds]
    assert len(descriptions) > 1
    for d in descriptions:
        assert d.startswith("BEGIN") and d.endswith("END")
        assert d.count("BEGIN") == d.count("END")


def test_text_has_no_markdown() -> None:
    text = Renderer().text(sample())
    assert text.startswith("SITUATION BRIEFING: River line holds\n")
    assert "KEY QUOTES" in text and "- 10:1 (ratio): outnumbered roughly 10-to-1" in text
    assert "**" not in text and "<t:" not in text and "###" not in text


def test_render_messages_is_the_markdown_view() -> None:
    assert render_messages(sample()) == Renderer().markdown_messages(sample())


def test_format_for_console_numbers_messages_and_draws_embeds() -> None:
    out = format_for_console(Renderer().post_messages(sample(), now=NOW))
    assert out.startswith("===== message 1 of 1 =====\n## Situation briefing")
    assert "----- embed 1 of 4 · color #" in out
    assert "# Key quotes" in out
    assert "-- River line holds · from paragraphs 4, 7 · 2026-01-01 12:00 UTC" in out


def test_options_reject_unknown_sections() -> None:
    with pytest.raises(ConfigError, match="unknown section 'weather'"):
        RenderOptions(sections=("quotes", "weather"))
    with pytest.raises(ConfigError, match="no sections to show"):
        RenderOptions(sections=())
    with pytest.raises(ConfigError, match="at least 1"):
        RenderOptions(max_items=(("quotes", 0),))
    with pytest.raises(ConfigError, match="unknown section"):
        Renderer().section_messages(sample(), "weather")


# -- user templates ----------------------------------------------------------------------------


def test_user_templates_override_bundled_ones_by_file_name(tmp_path: Path) -> None:
    (tmp_path / "quotes.md.j2").write_text(
        "{% for item in section.items %}QUOTE: {{ item.text | md }}\n{% endfor %}"
    )
    (msg,) = Renderer(RenderOptions(template_dir=tmp_path)).post_messages(sample())
    assert msg.embeds[-1].description == (
        "QUOTE: We stop most of them.\nQUOTE: Nobody should mistake our patience."
    )
    assert (msg.embeds[0].description or "").startswith("- **Ostrivka**")  # bundled


def test_a_broken_user_template_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "forces.md.j2").write_text("fine\n{% for item in section.items %}\nno end\n")
    with pytest.raises(TemplateError, match=r"forces\.md\.j2, line \d"):
        Renderer(RenderOptions(template_dir=tmp_path))


def test_a_user_template_failing_at_render_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "policy.md.j2").write_text("one\ntwo {{ section.nonexistent.deeper }}\n")
    r = Renderer(RenderOptions(template_dir=tmp_path))
    with pytest.raises(TemplateError, match=r"policy\.md\.j2, line 2"):
        r.post_messages(sample())


def test_an_unreadable_user_template_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "header.md.j2").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(TemplateError, match=r"header\.md\.j2 cannot be read"):
        Renderer(RenderOptions(template_dir=tmp_path))


def test_a_missing_template_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="does not exist"):
        Renderer(RenderOptions(template_dir=tmp_path / "nope"))


# -- hostile text --------------------------------------------------------------------------------

HOSTILE = "@everyone look **here** <@123> <@&456> <#789> ```rm -rf``` \n> fake\n# big [x](y) @here"


def hostile_briefing(quote_len: int = 200, n: int = 3) -> Briefing:
    text = (HOSTILE + " ") * (quote_len // len(HOSTILE) + 1)
    return Briefing(
        article=meta(title="@everyone " + HOSTILE, source="<@1>"),
        frontline=tuple(FrontlineItem(HOSTILE, (HOSTILE,), (1,)) for _ in range(n)),
        forces=tuple(ForceItem(HOSTILE, "other", HOSTILE, (1,)) for _ in range(n)),
        policy=tuple(PolicyItem(HOSTILE, (HOSTILE, "@here"), (1,)) for _ in range(n)),
        quotes=tuple(QuoteItem(text[:quote_len], HOSTILE, HOSTILE, (1,)) for _ in range(n)),
    )


def test_hostile_text_never_pings_nor_breaks_a_message() -> None:
    msgs = all_messages(Renderer(), hostile_briefing())
    assert_fits(msgs)
    for msg in msgs:
        assert msg.to_payload()["allowed_mentions"] == {"parse": [], "replied_user": False}
        for text in visible_texts(msg):
            for raw in ("@everyone", "@here", "<@123>", "<@&456>", "<#789>"):
                assert raw not in text
        # Footers are plain text in Discord; everything else renders markdown.
        for text in [msg.content] + [e.description or "" for e in msg.embeds]:
            assert "```" not in text and "**here**" not in text and "[x](y)" not in text


def test_hostile_text_stays_on_its_line_inside_list_items_and_block_quotes() -> None:
    (msg,) = Renderer().post_messages(hostile_briefing(), now=NOW)
    for embed in msg.embeds:
        for line in (embed.description or "").split("\n"):
            assert line == "" or line.startswith(("- **", "> “", "-# +")), line


def test_a_ten_thousand_character_quote_is_cut_at_a_word_with_ellipsis() -> None:
    words = "the enemy came again at dawn and we held the line "
    quote = (words * 250)[:10_000]
    b = Briefing(article=meta(), quotes=(QuoteItem(quote, "Speaker", "role", (1,)),))
    msgs = all_messages(Renderer(), b)
    assert_fits(msgs)
    (post,) = Renderer().post_messages(b)
    line = post.embeds[-1].description or ""
    assert line.startswith("> “the enemy came") and "…” — **Speaker**, role" in line
    body = line[len("> “") : line.index("…”")]
    assert body.split(" ")[-1] in words.split()  # ends on a whole word


def test_five_hundred_items_fit_and_are_counted() -> None:
    b = Briefing(
        article=meta(),
        frontline=tuple(FrontlineItem(f"event {n} " * 20, ("Place",), (n,)) for n in range(500)),
        forces=tuple(ForceItem(f"figure {n} " * 10, "troops", str(n), (n,)) for n in range(500)),
        policy=tuple(PolicyItem(f"decision {n} " * 20, ("A B",), (n,)) for n in range(500)),
        quotes=tuple(QuoteItem(f"said {n} " * 40, "S", "r", (n,)) for n in range(500)),
    )
    r = Renderer()
    msgs = all_messages(r, b)
    assert_fits(msgs)
    post = r.post_messages(b)
    # The view shows at most 5 (fewer, to fit one message) and counts the rest.
    first = post[0].embeds[0].description or ""
    shown = first.count("- **Place**")
    assert 2 <= shown <= 5 and f"-# +{500 - shown} more: /briefing section:frontline" in first
    quote_msgs = r.section_messages(b, "quotes")
    assert len(quote_msgs) > 1
    titles = [e.title for m in quote_msgs for e in m.embeds]
    assert titles[0] == f"Key quotes (1/{len(titles)})"
    assert titles[-1] == f"Key quotes ({len(titles)}/{len(titles)})"
    text = "\n".join(e.description or "" for m in quote_msgs for e in m.embeds)
    assert all(f"said {n} said" in text for n in range(500))
    (one,) = r.markdown_messages(b)  # the ranked view fits one message ...
    assert len(one.content) <= 2000
    md = Renderer(RenderOptions(fit_text=None)).markdown_messages(b)  # ... else it splits
    assert len(md) > 1 and all(len(m.content) <= 2000 for m in md)
    assert not any(m.content.split("\n")[-1].startswith("#") for m in md)  # no orphan heading


# -- the property: no briefing of any size breaks any limit -----------------------------------

_pieces = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["@everyone", "<@123>", "**", "```", "\n", "> ", "# ", "\\", " ", "…", "“"]),
    st.integers(100, 3000).map(lambda n: ("word " * n)[:n]),
    st.integers(1000, 5000).map(lambda n: "x" * n),
)
_text = st.lists(_pieces, max_size=8).map("".join)
_short = st.lists(_pieces, max_size=3).map("".join)
_sentences = st.lists(st.integers(min_value=-2, max_value=60), max_size=4).map(tuple)
_score = st.floats(allow_nan=False, allow_infinity=False, width=32)

_briefings = st.builds(
    Briefing,
    article=st.builds(
        ArticleMeta,
        title=st.none() | _text,
        source=st.none() | _short,
        published=st.none() | st.dates(),
        words=st.integers(min_value=0, max_value=10**7),
        sha256=st.just(""),
        url=st.none() | _short | st.just("https://example.com/a"),
        sentence_paragraphs=st.lists(st.integers(0, 40), max_size=50).map(tuple),
    ),
    frontline=st.lists(
        st.builds(
            FrontlineItem, _text, st.lists(_short, max_size=6).map(tuple), _sentences, _score
        ),
        max_size=25,
    ).map(tuple),
    forces=st.lists(
        st.builds(
            ForceItem, _text, st.sampled_from(["ratio", "other"]), _short, _sentences, _score
        ),
        max_size=25,
    ).map(tuple),
    policy=st.lists(
        st.builds(PolicyItem, _text, st.lists(_short, max_size=6).map(tuple), _sentences, _score),
        max_size=25,
    ).map(tuple),
    quotes=st.lists(
        st.builds(QuoteItem, _text, st.none() | _short, st.none() | _short, _sentences, _score),
        max_size=25,
    ).map(tuple),
)
_options = st.builds(
    RenderOptions,
    sections=st.permutations(SECTIONS).flatmap(
        lambda p: st.integers(1, len(p)).map(lambda n: tuple(p[:n]))
    ),
    max_items=st.lists(st.integers(1, 60), min_size=4, max_size=4).map(
        lambda ns: tuple(zip(SECTIONS, ns, strict=True))
    ),
)

_RENDERERS: dict[RenderOptions, Renderer] = {}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(_briefings, _options)
def test_no_rendered_message_ever_breaks_a_discord_limit(
    briefing: Briefing, options: RenderOptions
) -> None:
    renderer = _RENDERERS.get(options)  # setdefault would build (compile) one every time
    if renderer is None:
        renderer = _RENDERERS[options] = Renderer(options)
    msgs = all_messages(renderer, briefing)
    assert_fits(msgs)
    for msg in msgs:
        for text in visible_texts(msg):
            assert "@everyone" not in text and "<@123>" not in text
    # Article text never adds a line: every line of a section is one of the templates' own.
    for msg in renderer.post_messages(briefing):
        for embed in msg.embeds:
            for line in (embed.description or "").split("\n"):
                assert line in ("", "\u200b") or line.startswith(("- ", "> “", "-# +", "No ")), line
    assert renderer.text(briefing)


# -- golden files ------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return "".join(
        f"{n:04d} {len(line):4d} {hashlib.sha256(line.encode()).hexdigest()[:12]}\n"
        for n, line in enumerate(text.split("\n"), 1)
    )


def check_golden(name: str, actual: str, *, digest_only: bool = False) -> None:
    """Compare ``actual`` with tests/golden/NAME (rewritten with SITREP_UPDATE_GOLDEN=1)."""
    path = GOLDEN / name
    stored = _digest(actual) if digest_only else actual
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(stored, encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"{path} is missing: create it with SITREP_UPDATE_GOLDEN=1 pytest {__file__}")
    expected = path.read_text(encoding="utf-8")
    if expected == stored:
        return
    if digest_only:
        lines = actual.split("\n")
        old = expected.splitlines()
        new = stored.splitlines()
        changed = [n for n in range(max(len(old), len(new))) if old[n : n + 1] != new[n : n + 1]]
        shown = "\n".join(f"{n + 1:4d}: {lines[n] if n < len(lines) else ''}" for n in changed)
        pytest.fail(
            f"{name}: rendered output changed at lines {[n + 1 for n in changed][:20]};"
            f" actual lines:\n{shown}\nIf intended: SITREP_UPDATE_GOLDEN=1 pytest {__file__}"
        )
    assert actual == expected, f"{name} changed; if intended: SITREP_UPDATE_GOLDEN=1 pytest"


def demo_briefing() -> Briefing:
    from briefings.ingest import article_from_bytes

    data = resources.files("briefings").joinpath("data/demo_article.txt").read_bytes()
    return distill(article_from_bytes(data, name="demo article"))


def test_golden_demo_post() -> None:
    r = Renderer()
    b = demo_briefing()
    check_golden("demo.post.txt", format_for_console(r.post_messages(b, now=NOW)))
    check_golden("demo.md", "\n\n".join(m.content for m in r.markdown_messages(b)) + "\n")


def test_golden_first_article_post(kursk_article: Path) -> None:
    from briefings.ingest import read_article

    r = Renderer()
    b = distill(read_article(str(kursk_article)))
    post = r.post_messages(b, now=NOW)
    assert_fits(post)
    check_golden("kursk.post.digest", format_for_console(post), digest_only=True)
    md = "\n\n".join(m.content for m in r.markdown_messages(b)) + "\n"
    check_golden("kursk.md.digest", md, digest_only=True)


# -- the command line --------------------------------------------------------------------------


def test_dry_run_prints_every_message_of_the_demo_post(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no ./config/sitrep.toml of the developer's: the demo post
    monkeypatch.delenv("SITREP_CONFIG", raising=False)
    assert main(["dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("===== message 1 of ")
    assert "## Situation briefing" in out
    for heading in ("Frontline situation", "Forces and numbers", "Policy context", "Key quotes"):
        assert f"# {heading}" in out


def test_distill_prints_markdown_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    demo = str(resources.files("briefings").joinpath("data/demo_article.txt"))
    assert main(["distill", demo, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    messages = Renderer().markdown_messages(demo_briefing())
    assert "## Situation briefing" in md and "### Key quotes" in md
    for n, msg in enumerate(messages, 1):
        assert msg.content in md
        assert (f"===== message {n} of {len(messages)} =====" in md) == (len(messages) > 1)
    assert main(["distill", demo, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("SITUATION BRIEFING") and "KEY QUOTES" in text and "**" not in text


def test_the_console_reads_discord_markup_as_text() -> None:
    from briefings.render import readable

    assert readable("posted <t:1796529155:f> in <#123456789012345678>") == (
        "posted 2026-12-06 03:52 UTC in #123456789012345678"
    )
    assert readable("ask <@42> or <@&7>") == "ask @42 or @7"
    assert readable("on <t:1796529155:D> at <t:1796529155:t>") == "on 2026-12-06 at 03:52 UTC"
    assert readable("next <t:1796529155:f> (<t:1796529155:R>)") == "next 2026-12-06 03:52 UTC"
    assert readable("a <t:99999999999:f> far away") == "a 5138-11-16 09:46 UTC far away"
    assert readable("<b>not markup</b> <t:x>") == "<b>not markup</b> <t:x>"


def _long_briefing() -> Briefing:
    line = (
        "Rebel units pushed along the river road toward the old mill and the bridge at dawn, "
        "and the garrison fell back to the second line of trenches"
    )
    return Briefing(
        article=meta(),
        frontline=tuple(
            FrontlineItem(f"{line} ({n}).", ("Tarn",), (n,), score=1.0 - n / 100) for n in range(9)
        ),
        forces=tuple(
            ForceItem(f"{1000 + n} troops", "troops", str(1000 + n), (n,), 0.9) for n in range(9)
        ),
        policy=tuple(
            PolicyItem(
                f"The council of Tarn approved measure {n} of the long plan for the valley, "
                "with money for the dams, the roads and the schools.",
                (f"Ana Bel {n}",),
                (n,),
                3.0,
            )
            for n in range(5)
        ),
        quotes=tuple(
            QuoteItem(
                f"We held the line at the river for a week and we will hold it again {n}",
                f"Speaker {n}",
                "commander of the second river brigade in the northern district",
                (n,),
                5.0,
            )
            for n in range(5)
        ),
    )


def test_a_ranked_briefing_fits_one_message_by_showing_fewer_items() -> None:
    b = _long_briefing()
    (msg,) = Renderer().markdown_messages(b)
    assert len(msg.content) <= 2000
    shown = {
        "frontline": msg.content.count("**Tarn** —"),
        "forces": msg.content.count(" troops\n"),
        "policy": msg.content.count("approved measure"),
        "quotes": msg.content.count("> “"),
    }
    assert all(n >= 2 for n in shown.values()), shown
    assert "-# More with /briefing section:" in msg.content
    (_post,) = Renderer().post_messages(b)  # the post is one message too
    # Without fitting the same briefing takes more than one message.
    assert len(Renderer(RenderOptions(fit_text=None)).markdown_messages(b)) > 1


def test_fitting_leaves_out_no_line_that_would_still_fit() -> None:
    # Figures are short and go first (they show the largest share of their limit); when the
    # last line given up is a long one, the short ones given up before it are taken back.
    b = _long_briefing()
    limits = dict(DEFAULT_MAX_ITEMS)
    for budget in (1300, 1500, 1700, 1800):
        (msg,) = Renderer(RenderOptions(fit_text=budget)).markdown_messages(b)
        assert len(msg.content) <= budget
        shown = {
            "frontline": msg.content.count("**Tarn** —"),
            "forces": msg.content.count(" troops\n"),
            "policy": msg.content.count("approved measure"),
            "quotes": msg.content.count("> “"),
        }
        same = RenderOptions(fit_text=None, max_items=tuple(shown.items()))
        (again,) = Renderer(same).markdown_messages(b)
        assert again.content == msg.content  # the fitted view is these counts
        for name, n in shown.items():
            if n < limits[name]:  # one more line of this section does not fit
                one_more = RenderOptions(
                    fit_text=None, max_items=tuple({**shown, name: n + 1}.items())
                )
                assert len(Renderer(one_more).markdown_messages(b)[0].content) > budget, (
                    budget,
                    name,
                )


def test_a_posts_hint_names_its_article_so_it_still_reaches_it_later() -> None:
    b = _long_briefing()
    text = "\n".join(
        e.description or "" for m in Renderer().post_messages(b, ref="#12") for e in m.embeds
    )
    assert "-# +" in text and "more: /briefing article:#12 section:frontline" in text
    assert "more: /briefing section:" not in text
    for bad in ("#12 @everyone", "12", "#" + "9" * 30):  # only a store reference is shown
        shown = "\n".join(
            e.description or "" for m in Renderer().post_messages(b, ref=bad) for e in m.embeds
        )
        assert "article:" not in shown and "more: /briefing section:frontline" in shown
