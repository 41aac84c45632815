"""What a ranked view (the default post) picks and how it trims, on items of our own writing."""

from __future__ import annotations

from briefings.model import ForceItem, QuoteItem
from briefings.render import top_items
from briefings.render_views import strongest


def test_a_long_speech_is_trimmed_to_its_strongest_sentences() -> None:
    speech = (
        "We came here in the spring and the fields were still green then. "
        "Nobody expected the road to be cut so soon. "
        "We will not leave this town while a single house stands. "
        "The children were sent west in April, and the old people stayed behind with us."
    )
    out = strongest(speech, 120)
    assert "We will not leave this town while a single house stands." in out
    assert len(out) <= 120 and out.startswith("… ") and out.endswith(" …")
    assert strongest("Short words.", 120) == "Short words."


def test_a_ranked_view_says_each_ratio_once_and_lets_several_speakers_speak() -> None:
    forces = [
        ForceItem("outnumbered three to one", "ratio", "3:1", (0,), 0.97),
        ForceItem("three times as many men", "ratio", "3:1", (1,), 0.97),
        ForceItem("4,000 troops", "troops", "4000", (2,), 0.88),
    ]
    assert [i.sentences for i in top_items(forces, 2)] == [(0,), (2,)]
    quotes = [
        QuoteItem("First words of a long speech", "Ana Bel", None, (0,), 5.0),
        QuoteItem("More words of the same speaker", "Ana Bel", None, (1,), 4.9),
        QuoteItem("Words of another", "Ivo Ren", None, (2,), 3.0),
    ]
    assert [i.speaker for i in top_items(quotes, 2)] == ["Ana Bel", "Ivo Ren"]
