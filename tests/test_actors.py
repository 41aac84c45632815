"""The briefing's top-level actors: every named leader, official and commander, from the people
index, also where the policy extractor keeps none of their sentences."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cli_run import clean_env

from briefings import Briefing, build_article, distill

ARTICLE = """Siege at the river

Gen. Piotr Halas, the commander of the northern group, inspected the trenches at dawn.

The water rose over the ford by noon, and the boats stayed on the bank.

"We hold this bank," said Sgt. Ivo Tamm, a machine-gunner.

Weeks after Tomas Brell had declared the port his, the shelling resumed.

Lena Marsh, an analyst at the Centre for Conflict Studies, said the river helps the defenders.
"""


def test_every_named_leader_official_and_commander_is_an_actor() -> None:
    briefing = distill(build_article(ARTICLE))
    by_name = {a.name: a for a in briefing.actors}
    assert list(by_name) == ["Piotr Halas", "Tomas Brell"]
    halas = by_name["Piotr Halas"]
    assert halas.kind == "commander"
    assert halas.role == "commander of the northern group"
    assert briefing.article.sentence_paragraphs[halas.sentences[0]] == 1
    assert by_name["Tomas Brell"].kind == "leader"
    # a soldier (Ivo Tamm) and an analyst (Lena Marsh) are never actors, wherever they speak


def test_a_leader_named_only_as_history_is_no_actor() -> None:
    briefing = distill(
        build_article("Refugees returned to the valley when Tomas Brell was overthrown in 2011.")
    )
    assert briefing.actors == ()


def test_actors_survive_the_store_round_trip() -> None:
    briefing = distill(build_article(ARTICLE))
    again = Briefing.from_json(json.loads(json.dumps(briefing.to_json())))
    assert again.actors == briefing.actors


def test_cli_json_carries_the_actors(tmp_path: Path) -> None:
    path = tmp_path / "siege.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    sitrep = Path(sys.executable).with_name("sitrep")
    run = subprocess.run(
        [str(sitrep), "distill", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=clean_env(),
    )
    assert run.returncode == 0, run.stderr
    actors = json.loads(run.stdout)["actors"]
    assert [(a["name"], a["kind"], a["role"]) for a in actors] == [
        ("Piotr Halas", "commander", "commander of the northern group"),
        ("Tomas Brell", "leader", None),
    ]
