"""Discord's limits: truncating, splitting at item boundaries, packing embeds, checking messages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from briefings import limits
from briefings.messages import Embed, EmbedField, Message


def test_limits_are_discords() -> None:
    assert limits.CONTENT == 2000
    assert (limits.EMBED_TITLE, limits.EMBED_DESCRIPTION) == (256, 4096)
    assert (limits.FIELD_NAME, limits.FIELD_VALUE, limits.FOOTER) == (256, 1024, 2048)
    assert (limits.FIELDS, limits.EMBED_TOTAL, limits.EMBEDS) == (25, 6000, 10)


def test_truncate_keeps_text_that_fits() -> None:
    assert limits.truncate("short text", 10) == "short text"


def test_truncate_cuts_at_a_word_boundary_with_ellipsis() -> None:
    out = limits.truncate("the quick brown fox jumps", 12)
    assert out == "the quick…"
    assert len(out) <= 12


def test_truncate_cut_exactly_at_a_space_keeps_the_whole_word() -> None:
    assert limits.truncate("abcd efgh ijkl", 5) == "abcd…"


def test_truncate_a_single_long_word_is_cut_inside() -> None:
    out = limits.truncate("x" * 50, 10)
    assert out == "x" * 9 + "…"


def test_truncate_never_leaves_a_dangling_escape() -> None:
    out = limits.truncate("ab\\*cd", 4)  # the cut would fall between "\" and "*"
    assert out == "ab…"


@given(st.text(max_size=300), st.integers(min_value=1, max_value=120))
def test_truncate_always_fits(text: str, limit: int) -> None:
    out = limits.truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith("…")


def test_split_to_fit_packs_whole_lines() -> None:
    lines = ["a" * 40, "b" * 40, "c" * 40]
    assert limits.split_to_fit(lines, 85) == ["a" * 40 + "\n" + "b" * 40, "c" * 40]


def test_split_to_fit_never_splits_an_item() -> None:
    items = [f"> “quote number {n} with several words in it”" for n in range(60)]
    chunks = limits.split_to_fit(items, 200)
    assert len(chunks) > 1
    assert all(len(c) <= 200 for c in chunks)
    assert [line for c in chunks for line in c.split("\n")] == items


def test_split_to_fit_truncates_an_item_too_long_by_itself() -> None:
    chunks = limits.split_to_fit(["short", "word " * 100, "tail"], 50)
    assert chunks[0] == "short"
    assert chunks[1].endswith("…") and len(chunks[1]) <= 50
    assert chunks[2] == "tail"


def test_split_to_fit_drops_blank_lines_at_chunk_edges() -> None:
    chunks = limits.split_to_fit(["", "a" * 10, "", "", "b" * 10, ""], 12)
    assert chunks == ["a" * 10, "b" * 10]


def test_split_to_fit_of_nothing_is_nothing() -> None:
    assert limits.split_to_fit([], 100) == []
    assert limits.split_to_fit(["", "  "], 100) == []


def _embed(description_len: int, title: str = "t") -> Embed:
    return Embed(title=title, description="d" * description_len)


def test_pack_embeds_respects_ten_embeds_a_message() -> None:
    groups = limits.pack_embeds([_embed(10) for _ in range(23)])
    assert [len(g) for g in groups] == [10, 10, 3]


def test_pack_embeds_respects_six_thousand_characters_a_message() -> None:
    groups = limits.pack_embeds([_embed(2500) for _ in range(5)])
    assert [len(g) for g in groups] == [2, 2, 1]
    assert all(sum(e.length for e in g) <= 6000 for g in groups)


def test_pack_embeds_cuts_oversized_parts() -> None:
    big = Embed(
        title="T" * 300,
        description="word " * 1000,
        footer="f" * 3000,
        fields=tuple(EmbedField("n" * 300, "v" * 2000) for _ in range(30)),
    )
    (group,) = limits.pack_embeds([big])
    assert limits.message_violations(Message(embeds=group)) == ()


def test_message_violations_names_each_broken_limit() -> None:
    msg = Message(
        content="x" * 2001,
        embeds=tuple(Embed(title="T" * 257, description="d" * 10) for _ in range(11)),
    )
    problems = limits.message_violations(msg)
    assert any("content" in p for p in problems)
    assert any("11 embeds" in p for p in problems)
    assert any("title has 257" in p for p in problems)


def test_message_violations_of_a_good_message_is_empty() -> None:
    assert limits.message_violations(Message(content="hello")) == ()
    assert limits.message_violations(Message()) == ("message is empty",)
