"""Hostile templates: every one refused with a clear error naming the template, quickly.

A user's templates folder is rendered in the sandbox (``briefings.template_sandbox``): no Python
internals, no file outside the folder, bounded steps, time, value sizes, output and messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefings import build_article, template_sandbox
from briefings.errors import TemplateError
from briefings.model import ArticleMeta, Briefing, QuoteItem
from briefings.render import Renderer, RenderOptions


def briefing() -> Briefing:
    a = build_article("Body text of the report.", title="Report")
    quotes = tuple(QuoteItem(f"words number {i}", f"Speaker {i}", None, (0,)) for i in range(3))
    return Briefing(ArticleMeta.of(a), quotes=quotes)


def renderer_with(tmp_path: Path, header: str) -> Renderer:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "header.md.j2").write_text(header)
    return Renderer(RenderOptions(template_dir=folder))


def refused(tmp_path: Path, header: str) -> str:
    """The error a post rendered with ``header`` as its header template gives."""
    started = time.monotonic()
    with pytest.raises(TemplateError) as caught:
        renderer_with(tmp_path, header).post_messages(briefing())
    assert time.monotonic() - started < 10  # refused, not worked through
    message = str(caught.value)
    assert "header.md.j2" in message  # names the template
    assert "\n" not in message  # one line
    return message


SITREP = str(Path(sys.executable).parent / "sitrep")  # the console script of CONTRACT.md
MARKER = "sitrep-sandbox-marker"

ATTACKS = {
    "shell through cycler globals": (
        "{{ cycler.__init__.__globals__.os.popen('touch " + MARKER + "').read() }}",
        "unsafe",
    ),
    "file read through lipsum globals": (
        "{{ lipsum.__globals__['__builtins__']['open']('/etc/hostname').read() }}",
        "unsafe",
    ),
    "class walk to subclasses": ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    "format string reaching globals": ("{{ '{0.__class__}'.format(cycler) }}", "unsafe"),
    "100 MB by repetition": (
        "{{ ('x'*1000 ~ '\\n')*100000 }}",
        "a repetition would be 100,100,000 long",
    ),
    "a range of 10**12": ("{% for i in range(10**12) %}{% endfor %}", "range too big"),
    "nested loops that never end": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "rendering takes",
    ),
    "exponential macro recursion": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(60) }}",
        "rendering takes",
    ),
    "doubling by concatenation": (
        "{% set a = 'x' * 100000 %}{% set b = a ~ a ~ a ~ a ~ a %}{% set c = b ~ b %}{{ c ~ c }}",
        "a text would be 2,000,000 long",
    ),
    "doubling a list": (
        "{% set l = ['x'] %}{% for i in range(40) %}{% set _ = l.extend(l) %}{% endfor %}",
        "a list would be 1,048,576 long",
    ),
    "a huge width filter": ("{{ 'x' | center(1000000000) }}", "is too large"),
    "a huge width method": ("{{ 'x'.ljust(1000000000) }}", "is too large"),
    "a huge printf width": ("{{ '%0999999999d' % 1 }}", "is too large"),
    "a huge format width": ("{{ '{:>999999999}'.format(1) }}", "is too large"),
    "a width from the arguments": ("{{ '{:>{}}'.format(1, 999999999) }}", "is too large"),
    "a power too large": ("{{ 10 ** 100000 }}", "a power too large"),
    "a squared replace": (
        "{% set a = 'x' * 100000 %}{{ a | replace('', a) }}",
        "a replace would be",
    ),
    "a squared join": (
        "{% set a = 'x' * 100000 %}{{ range(100000) | map('string') | join(a) }}",
        "a join would be",
    ),
    "a generator of huge strings": (
        "{% set a = 'x' * 100000 %}{{ range(1000) | map('replace', '', '') "
        "| map('center', 100000) | list | length }}",
        "a sequence would be",
    ),
    "lorem ipsum without end": ("{{ lipsum(n=100000) }}", "lipsum is limited"),
    "output without end": (
        "{% for i in range(100000) %}{{ 'y' * 100 }}\n{% endfor %}",
        "the output is longer than 1,000,000 characters",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_a_hostile_template_is_refused_with_a_clear_error(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    template, expected = ATTACKS[name]
    assert expected.lower() in refused(tmp_path, template).lower()
    assert not (tmp_path / MARKER).exists()  # the shell command never ran


def test_rendering_time_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(template_sandbox, "RENDER_SECONDS", 0.05)
    slow = "{% for i in range(100000) %}{{ 'a b ' * 5000 | wordcount }}{% endfor %}"
    assert "rendering takes longer than 0.05 s" in refused(tmp_path, slow)


def test_too_many_messages_are_refused(tmp_path: Path) -> None:
    lines = "{% for i in range(1500) %}{{ 'line ' * 60 }}\n{% endfor %}"
    assert "render a post as 250 messages (at most 50)" in refused(tmp_path, lines)


def test_a_link_out_of_the_templates_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "header.md.j2").symlink_to("/etc/passwd")
    with pytest.raises(TemplateError, match="links outside the templates folder"):
        Renderer(RenderOptions(template_dir=folder))


def test_an_include_of_a_link_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "secret.j2").symlink_to("/etc/hostname")
    (folder / "header.md.j2").write_text("{% include 'secret.j2' %}")
    renderer = Renderer(RenderOptions(template_dir=folder))
    with pytest.raises(TemplateError, match="links outside the templates folder"):
        renderer.post_messages(briefing())


def test_a_link_inside_the_folder_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "mine.j2").write_text("MY HEADER")
    (folder / "header.md.j2").symlink_to(folder / "mine.j2")
    messages = Renderer(RenderOptions(template_dir=folder)).post_messages(briefing())
    assert messages[0].content == "MY HEADER"


def test_a_huge_template_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "header.md.j2").write_text("x" * 200_000)
    with pytest.raises(TemplateError, match="larger than 100,000 bytes"):
        Renderer(RenderOptions(template_dir=folder))


def test_what_a_template_may_do_still_works(tmp_path: Path) -> None:
    """Lists of its own, filters, macros, loops, formats: a template author's ordinary tools."""
    header = (
        "{% set facts = [] %}{% set _ = facts.append(article.title | upper) %}"
        "{% macro shout(s) %}{{ s ~ '!' }}{% endmacro %}"
        "{% for q in sections | map(attribute='name') %}{% set _ = facts.append(q) %}{% endfor %}"
        "{{ shout(facts | join(', ')) }} {{ '{:,}'.format(1234567) }} {{ '%05d' % 42 }}"
        " {{ headings.quotes }} {{ 'ab' * 3 }}"
    )
    messages = renderer_with(tmp_path, header).post_messages(briefing())
    assert messages[0].content == (
        "REPORT, frontline, forces, policy, quotes! 1,234,567 00042 Key quotes ababab"
    )


def test_a_template_cannot_change_what_later_renders_see(tmp_path: Path) -> None:
    header = "{% set _ = headings.update({'quotes': 'HACKED'}) %}"
    assert "unsafe" in refused(tmp_path, header) or "update" in refused(tmp_path, header)


CLI_ATTACKS = {
    # issue 10's attacks through the real CLI: (the header template, what the one line says)
    "shell": (
        "{{ cycler.__init__.__globals__.os.popen('touch " + MARKER + "').read() }}",
        "header.md.j2, line 1: access to attribute '__init__' of 'type' object is unsafe.",
    ),
    "file read": (
        "{{ lipsum.__globals__['__builtins__']['open']('/etc/hostname').read() }}",
        "header.md.j2, line 1: access to attribute '__globals__' of 'function' object is unsafe.",
    ),
    "a link to /etc/passwd": (None, "header.md.j2 links outside the templates folder"),
    "100 MB": (
        "{{ ('x'*1000 ~ '\\n')*100000 }}",
        "header.md.j2, line 1: a repetition would be 100,100,000 long (at most 1,000,000)",
    ),
    "a range of 10**12": (
        "{% for i in range(10**12) %}{% endfor %}",
        "header.md.j2, line 1: Range too big.",
    ),
}


@pytest.mark.parametrize("name", list(CLI_ATTACKS))
def test_the_cli_refuses_a_hostile_template_with_one_line_and_exit_2(
    tmp_path: Path, name: str
) -> None:
    template, expected = CLI_ATTACKS[name]
    folder = tmp_path / "templates"
    folder.mkdir()
    if template is None:
        (folder / "header.md.j2").symlink_to("/etc/passwd")
    else:
        (folder / "header.md.j2").write_text(template)
    (tmp_path / "article.txt").write_text(
        "The brigade said on Monday that it had advanced two kilometres near the river.\n"
    )
    cfg = tmp_path / "sitrep.toml"
    cfg.write_text(
        "[render]\ntemplates = 'templates'\n[sources]\nfiles = ['article.txt']\n"
        "[store]\nurl = 'sqlite:///" + str(tmp_path / "s.db") + "'\n"
    )
    started = time.monotonic()
    proc = subprocess.run(
        [SITREP, "dry-run", "--config", str(cfg), "--command", "/briefing"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=dict(os.environ),  # the suite's own gazetteer cache (conftest)
    )
    assert time.monotonic() - started < 60  # refused, not worked through
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("sitrep: ") and expected in line, line
    assert not (tmp_path / MARKER).exists()  # the shell command never ran
