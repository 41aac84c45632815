"""Every item links to its sentence on the article's page (a text fragment), CONTRACT's ``url``."""

from __future__ import annotations

import json
import urllib.parse

import pytest
from cli_run import sitrep

from briefings.article import build_article
from briefings.distill import distill
from briefings.links import sentence_link
from briefings.model import SECTIONS, Briefing

PAGE = "https://news.example.org/port?id=3"
REPORT = (
    "Rebels shelled the river port of Ostrova overnight, the governor said.\n\n"
    '"We will not give up the port," said Mayor Ivan Dorn, who leads the town council.\n\n'
    "About 8,000 men have signed up since the call-up began, the ministry said.\n"
)


@pytest.mark.parametrize(
    ("sentence", "fragment"),
    [
        ("Drones struck a depot.", "Drones%20struck%20a%20depot."),
        (  # a long sentence by its first and last four words: the whole of it is highlighted
            "Rebels shelled the river port of Ostrova overnight, the governor said.",
            "Rebels%20shelled%20the%20river,overnight%2C%20the%20governor%20said.",
        ),
        # "-", "," and "&" are the directive's own syntax: encoded inside the words
        ("A cease-fire & talks, then quiet.", "A%20cease%2Dfire%20%26%20talks%2C%20then%20quiet."),
    ],
)
def test_a_sentence_link_is_the_page_with_a_text_fragment(sentence: str, fragment: str) -> None:
    assert sentence_link(PAGE + "#top", sentence) == f"{PAGE}#:~:text={fragment}"
    words = urllib.parse.unquote(fragment.replace(",", " … ")).split()
    assert words[0] == sentence.split()[0] and words[-1] == sentence.split()[-1]


@pytest.mark.parametrize("url", [None, "", "javascript:alert(1)", "file:///etc/passwd"])
def test_no_link_without_a_safe_page(url: str | None) -> None:
    assert sentence_link(url, "Drones struck a depot.") is None


def test_no_sentence_links_the_page_itself() -> None:
    assert sentence_link(PAGE, "  ") == PAGE


def test_every_item_of_a_briefing_with_a_url_links_to_its_first_sentence() -> None:
    article = build_article(REPORT, title="Port shelled", url=PAGE)
    briefing = distill(article)
    items = [i for name in SECTIONS for i in briefing.section(name)]
    assert items and briefing.lead is not None
    for item in [*items, briefing.lead]:
        sentence = article.sentences[item.sentences[0]].text
        assert item.url == sentence_link(PAGE, sentence)
    again = Briefing.from_json(json.loads(json.dumps(briefing.to_json())))
    assert [i.url for n in SECTIONS for i in again.section(n)] == [i.url for i in items]
    assert again.lead is not None and again.lead.url == briefing.lead.url


def test_without_a_url_no_item_has_one() -> None:
    data = distill(build_article(REPORT)).to_json()
    assert all("url" not in i for items in data["sections"].values() for i in items)
    assert "url" not in data["lead"]


def test_distill_json_links_each_item_of_a_page_that_gives_its_address() -> None:
    page = f"---\ntitle: Port shelled\nurl: {PAGE}\n---\n\n{REPORT}"
    result = sitrep("distill", "-", "--input-format", "markdown", "--format", "json", stdin=page)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    items = [i for name in SECTIONS for i in data["sections"][name]]
    assert len(items) >= 3
    assert all(i["url"].startswith(f"{PAGE}#:~:text=") for i in items)
