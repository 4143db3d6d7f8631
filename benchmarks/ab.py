"""Republishes of two commits run by turns on the same machine: a before/after of a change.

    python -m benchmarks.ab BEFORE AFTER [--size 1000] [--pairs 5]

This machine's speed drifts by up to 2 × over hours (README, "Performance"), so a change is
measured in pairs run by turns within minutes. Each commit is checked out in a temporary
worktree (run with this project's environment: `python -m` takes the worktree's `pipeline`),
publishes its own copy of one synthetic corpus once (a first publish, empty cache), and then,
pair after pair, one plan's document changes by one word and each commit republishes it. Prints
every run (the `publish()` seconds, the whole command's and the CPU seconds of all its
processes) and the means.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .corpus import write_corpus
from .run import ROOT, FLOOR_COMMAND, wall

WORDS = ("運用", "運営")       # toggled in the first document: one plan changes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--size", type=int, default=1000, help="documents in the corpus")
    parser.add_argument("--pairs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ab-") as work:
        work = Path(work)
        write_corpus(work / "corpus", args.size)
        commits = {"A": args.before, "B": args.after}
        trees = {label: checkout(work, label, commit) for label, commit in commits.items()}
        try:
            print(f"floor {wall(FLOOR_COMMAND, repeat=1):.2f} s; A = {args.before}, "
                  f"B = {args.after}, N = {args.size}")
            runs = {label: [] for label in commits}
            for label, tree in trees.items():
                shutil.copytree(work / "corpus", work / f"raw-{label}")
                first = publish(tree, work, label)
                print(f"{label} first publish {first['seconds']:.1f} s, "
                      f"{first['cpu_seconds']:.1f} CPU s")
            for _ in range(args.pairs):
                for label, tree in trees.items():
                    change_one_plan(work / f"raw-{label}")
                    run = publish(tree, work, label)
                    runs[label].append(run)
                    print(f"{label} republish {run['seconds']:.2f} s (command "
                          f"{run['command_seconds']:.2f} s, {run['cpu_seconds']:.1f} CPU s)")
            for label, done in runs.items():
                mean = {key: sum(run[key] for run in done) / len(done)
                        for key in ("seconds", "command_seconds", "cpu_seconds")}
                print(f"{label} mean of {len(done)}: {mean['seconds']:.2f} s (command "
                      f"{mean['command_seconds']:.2f} s, {mean['cpu_seconds']:.1f} CPU s)")
        finally:
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT,
                               capture_output=True)


def checkout(work: Path, label: str, commit: str) -> Path:
    tree = work / f"tree-{label}"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT,
                   check=True, capture_output=True)
    return tree


def change_one_plan(raw: Path) -> None:
    first = sorted(raw.glob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    old, new = WORDS if WORDS[0] in text else WORDS[::-1]
    first.write_text(text.replace(old, new, 1), encoding="utf-8")


def publish(tree: Path, work: Path, label: str) -> dict:
    """One publish of the label's corpus by the commit in tree (its out and cache folders kept
    from run to run)."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "benchmarks.run_one", str(work / f"raw-{label}"),
                           str(work / f"out-{label}"), str(work / f"cache-{label}")],
                          cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{label}: the publish failed: {done.stderr.strip().splitlines()[-1:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["command_seconds"] = time.perf_counter() - start
    figures["cpu_seconds"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return figures


if __name__ == "__main__":
    main()
