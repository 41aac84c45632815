"""Issue 2's floors on the real articles, as ../shared/tools/score_distill.py counts them.

The scorer runs the installed ``sitrep distill --format json`` on every article in
../shared/articles and compares with the hand-made ../shared/gold files.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared"

FLOORS = {
    "--min-quote-f1": 0.95,
    "--min-speaker": 0.92,
    "--min-number-recall": 0.85,
    "--min-number-precision": 0.75,
    "--min-place-recall": 0.80,
    "--min-actor-recall": 0.80,
}


def test_scores_meet_the_floors(shared_articles: Path, gold_dir: Path) -> None:
    scorer = SHARED / "tools" / "score_distill.py"
    sitrep = shutil.which("sitrep", path=str(Path(sys.executable).parent))
    assert sitrep, "the sitrep console script is not installed beside this Python"
    args = [sys.executable, str(scorer), sitrep, str(shared_articles), str(gold_dir)]
    for flag, floor in FLOORS.items():
        args += [flag, str(floor)]
    run = subprocess.run([*args, "-v"], capture_output=True, text=True, timeout=300)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, f"below the floors: {summary}\n{run.stdout}"
    assert re.search(r"failures 0;", summary), summary
