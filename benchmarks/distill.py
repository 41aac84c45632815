"""Speed of distillation (issue 2, "Speed"): in process, and ``sitrep distill`` as a process.

In process: every article of ../shared/articles (the fixtures of tests/ when that folder is
absent) is read once, distilled once to warm up, then distilled in rounds for about two seconds;
prints articles per second and milliseconds per 1,000 words. As a process: ``sitrep distill
--format json`` on the longest article, several runs; prints the median wall time, the peak
memory of the child processes (``resource.getrusage``) and what the imports cost
(``python -X importtime``), since start-up dominates a short command.

Targets: <= 5 ms per 1,000 words in process; the whole command under 300 ms.
The last line is ``key=value`` pairs (CONTRACT.md, "Benchmarks").
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_ARTICLES = ROOT.parent / "shared" / "articles"
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
SUFFIXES = {".txt", ".md", ".html", ".htm"}
TARGET_MS_PER_1000_WORDS = 5.0
TARGET_CLI_MS = 300.0
ROUND_SECONDS = 2.0
CLI_RUNS = 7


def article_paths() -> list[Path]:
    for folder in (SHARED_ARTICLES, FIXTURES):
        paths = sorted(p for p in folder.glob("*") if p.suffix.lower() in SUFFIXES)
        if paths:
            return paths
    raise SystemExit("no articles found in ../shared/articles nor tests/fixtures/articles")


def sitrep_command() -> list[str]:
    script = Path(sys.executable).with_name("sitrep")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]


def in_process(paths: list[Path]) -> tuple[int, int, float, float]:
    """Articles, words, articles per second and ms per 1,000 words of ``distill`` alone."""
    from briefings import distill
    from briefings.ingest import read_article

    started = time.perf_counter()
    articles = [read_article(str(p)) for p in paths]
    ingest_s = time.perf_counter() - started
    words = sum(a.words for a in articles)
    print(f"read {len(articles)} articles, {words:,} words, in {ingest_s * 1000:.1f} ms")
    for article in articles:  # warm-up: caches, lazily built indexes, regex compilation
        distill(article)
    rounds = 0
    elapsed = 0.0
    per_article = [0.0] * len(articles)
    while elapsed < ROUND_SECONDS or rounds < 3:
        for i, article in enumerate(articles):
            t0 = time.perf_counter()
            distill(article)
            dt = time.perf_counter() - t0
            per_article[i] += dt
            elapsed += dt
        rounds += 1
    for path, article, total in zip(paths, articles, per_article, strict=True):
        ms = total / rounds * 1000
        print(f"  {path.name:<48} {article.words:>6,} words  {ms:8.2f} ms")
    articles_per_second = len(articles) * rounds / elapsed
    ms_per_1000 = elapsed / rounds / words * 1_000_000
    verdict = "ok" if ms_per_1000 <= TARGET_MS_PER_1000_WORDS else "OVER TARGET"
    print(
        f"in process: {rounds} rounds, {articles_per_second:.1f} articles/s, "
        f"{ms_per_1000:.2f} ms per 1,000 words (target <= {TARGET_MS_PER_1000_WORDS}: {verdict})"
    )
    return len(articles), words, articles_per_second, ms_per_1000


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (ms) and peak resident memory (MB) of one run of ``command``.

    ``os.wait4`` gives the resource usage of this child alone, so a first run that builds a
    cache does not count in the peak of the others.
    """
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = (time.perf_counter() - t0) * 1000
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")
            raise SystemExit(f"sitrep distill failed ({proc.returncode}): {message}")
    return wall, usage.ru_maxrss / 1024  # KiB on Linux


def whole_command(path: Path) -> tuple[float, float]:
    """Median wall time (ms) and peak memory (MB) of ``sitrep distill --format json PATH``."""
    command = [*sitrep_command(), "distill", "--format", "json", str(path)]
    print(f"whole command: {' '.join(command[-4:])}")
    env = {k: v for k, v in os.environ.items() if k != "SITREP_DEBUG"}
    cold_wall, cold_mb = run_once(command, env)
    print(f"  first run {cold_wall:.0f} ms, {cold_mb:.1f} MB (may build caches; not counted)")
    runs = [run_once(command, env) for _ in range(CLI_RUNS)]
    walls = [w for w, _ in runs]
    peak_mb = max(m for _, m in runs)
    children_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    wall = statistics.median(walls)
    verdict = "ok" if wall < TARGET_CLI_MS else "OVER TARGET"
    print(
        f"  {CLI_RUNS} runs: wall median {wall:.0f} ms (min {min(walls):.0f}, max "
        f"{max(walls):.0f}; target < {TARGET_CLI_MS:.0f}: {verdict}), peak memory {peak_mb:.1f} MB "
        f"(largest child of this script, first run included: {children_mb:.1f} MB)"
    )
    return wall, peak_mb


def import_costs(top: int = 10) -> float:
    """Print what importing the CLI costs, heaviest first; return the total in ms."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.cli"],
        capture_output=True,
        text=True,
        check=False,
    )
    rows: list[tuple[int, int, int, str]] = []  # self us, cumulative us, depth, module
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        if not own.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip()) - 1) // 2
        rows.append((int(own), int(cumulative), depth, name.strip()))
    total = sum(c for _, c, d, _ in rows if d == 0) / 1000
    print(f"imports of bot.cli: {total:.0f} ms in all")
    print("  heaviest packages (cumulative, up to three levels down):")
    for _, cumulative, depth, name in sorted(rows, key=lambda r: -r[1]):
        if depth <= 2 and cumulative >= 5000:
            print(f"    {cumulative / 1000:7.1f} ms  {'  ' * depth}{name}")
    print("  heaviest modules by their own import time:")
    for own, _, _, name in sorted(rows, reverse=True)[:top]:
        print(f"    {own / 1000:7.1f} ms  {name}")
    return total


def main() -> int:
    paths = article_paths()
    print(f"articles from {paths[0].parent}")
    count, words, per_second, ms_per_1000 = in_process(paths)
    longest = max(paths, key=lambda p: p.stat().st_size)
    wall, peak_mb = whole_command(longest)
    html_wall, html_mb = whole_command(FIXTURES / "liveblog.html")  # imports trafilatura
    imports_ms = import_costs()
    print(
        f"distill articles={count} words={words} articles_per_second={per_second:.1f} "
        f"ms_per_1000_words={ms_per_1000:.2f} cli_wall_ms={wall:.0f} cli_peak_mb={peak_mb:.1f} "
        f"import_ms={imports_ms:.0f} cli_html_wall_ms={html_wall:.0f} "
        f"cli_html_peak_mb={html_mb:.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
