"""The benchmark runs (at N = 10) so it cannot rot; its figures are printed, not asserted."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_at_n_10_publishes_the_synthetic_corpus(tmp_path, capsys):
    output = tmp_path / "results.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks.run", "--sizes", "10", "--output", str(output)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    with capsys.disabled():
        print("\n" + done.stdout)
    results = json.loads(output.read_text())
    (run,) = results["runs"]
    assert run["n"] == run["documents"] == 10
    assert run["initiatives"] > 200 and run["triples"] > 10_000
    assert set(run["stages"]) >= {"read", "extract", "validate", "csv-json", "rdf", "catalogue"}
    assert results["floor_seconds"] > 0 and results["real_source_publish_seconds"] > 0
    assert results["incremental"]["n"] == 10
    # CPU of the publish with its workers: at least the main process's share of the wall time
    assert run["cpu_seconds"] > 0.3 * run["seconds"] and results["incremental"]["cpu_seconds"] > 0
    assert results["incremental"]["unchanged_seconds"] < results["incremental"]["seconds"]
    page = results["initiative_page"]       # every initiative of the N = 10 publication
    assert page["pages"] == page["initiatives"] == run["initiatives"]
    assert 0 < page["cpu_seconds_per_page"] < 0.1
    # a realistic corpus: plans of 3 to 6 fields each, every plan numbering its fields from 1
    assert 2 <= run["plans"] <= 4


def test_the_before_after_comparison_runs_both_commits_by_turns():
    """benchmarks/ab.py (the README's interleaved pairs): two commits (here HEAD twice) publish
    their own copy of one corpus, then republish by turns; no worktree is left behind."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.ab", "HEAD", "HEAD", "--size", "4",
                           "--pairs", "2"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert [line.split()[:2] for line in lines[1:]] == [
        ["A", "first"], ["B", "first"], ["A", "republish"], ["B", "republish"],
        ["A", "republish"], ["B", "republish"], ["A", "mean"], ["B", "mean"]]
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=ROOT, capture_output=True,
                               text=True).stdout
    assert "ab-" not in worktrees
