"""`make bench`: publish synthetic corpora of N documents and print throughput, peak memory
and stage times beside the floor (the time to import the libraries), and the real source's
publish time against the floor. Results also go to a JSON file so commits can be compared.

    python -m benchmarks.run [--sizes 10 100 1000] [--output benchmarks/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from .corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
FLOOR_COMMAND = [sys.executable, "-c", "import pandas, rdflib, frictionless, pyshacl"]
STAGES = ("read", "extract", "tables", "csv-json", "rdf", "sqlite", "parquet", "site", "catalogue",
          "validate", "swap")
DATABASE_STAGES = ("sqlite", "parquet")


def wall(command: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def publish_once(raw: Path, out: Path, cache: Path | None = None) -> dict:
    """One publish in a fresh process; adds the peak RSS of its largest process and the peak
    memory of the publish with all its worker processes together (proportional set size, so
    pages that forked workers share are counted once), both in MB, and the CPU seconds (user +
    system) of the publish and all its worker processes."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = [sys.executable, "-m", "benchmarks.run_one", str(raw), str(out)]
    if cache:
        command.append(str(cache))
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = MemorySampler(process.pid)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.stop()
    if process.returncode != 0:
        raise SystemExit(f"benchmark publish failed: {stderr.strip().splitlines()[-1:]}")
    figures = json.loads(stdout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures["peak_rss_mb"] = max(before.ru_maxrss, after.ru_maxrss) / 1024
    figures["cpu_seconds"] = _cpu(after) - _cpu(before)
    figures["peak_total_pss_mb"] = sampler.peak_kb / 1024
    return figures


class MemorySampler(threading.Thread):
    """Every 0.25 s, the summed PSS of a process and all its descendants (Linux /proc; reading
    it walks the page tables, so more often would slow the measured publish)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self.done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.peak_kb = max(self.peak_kb, sum(map(_pss_kb, _tree(self.pid))))

    def stop(self) -> None:
        self.done.set()
        self.join()


def _cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def _tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(sizes: list[int], work: Path) -> dict:
    floor = wall(FLOOR_COMMAND)
    real = min(wall([sys.executable, "-m", "pipeline", "publish", "--no-cache",
                     "--out-dir", str(work / "real" / str(i))], repeat=1) for i in range(3))
    results = {"floor_seconds": floor, "real_source_publish_seconds": real, "runs": []}
    print(f"floor (import pandas, rdflib, frictionless, pyshacl): {floor:.2f} s")
    print(f"real source, `python -m pipeline publish`: {real:.2f} s = {real / floor:.1f} x floor")
    print(f"{'N':>6} {'MB':>6} {'total s':>8} {'docs/s':>7} {'init/s':>8} {'triples/s':>10} {'CPU s':>7} {'RSS MB':>7} {'PSS MB':>7}  "
          + " ".join(f"{s:>9}" for s in STAGES) + "   (stage seconds)")
    for size in sizes:
        raw, out = work / f"raw-{size}", work / f"out-{size}"
        write_corpus(raw, size)
        figures = publish_once(raw, out)
        seconds = figures["seconds"]
        row = {"n": size, **figures, "docs_per_s": size / seconds,
               "initiatives_per_s": figures["initiatives"] / seconds,
               "triples_per_s": figures["triples"] / seconds}
        results["runs"].append(row)
        print(f"{size:>6} {figures['bytes'] / 1e6:>6.1f} {seconds:>8.2f} {row['docs_per_s']:>7.1f} "
              f"{row['initiatives_per_s']:>8.0f} {row['triples_per_s']:>10.0f} {figures['cpu_seconds']:>7.1f} {figures['peak_rss_mb']:>7.0f} {figures['peak_total_pss_mb']:>7.0f}  "
              + " ".join(f"{figures['stages'].get(s, 0):>9.2f}" for s in STAGES))
        shutil.rmtree(out, ignore_errors=True)
    for row in results["runs"]:
        databases = sum(row["stages"].get(stage, 0) for stage in DATABASE_STAGES)
        print(f"N={row['n']}: the publish waited {databases:.2f} s for SQLite and Parquet = "
              f"{100 * databases / row['seconds']:.1f} % of the publish (both are written by the "
              "workbooks' process, after the workbooks, while the tables, the linked data and the "
              "portal's plan pages are written)")
    largest = max(sizes)
    results["incremental"] = incremental(work / f"raw-{largest}", work, largest)
    again = results["incremental"]
    first = next(row["seconds"] for row in results["runs"] if row["n"] == largest)
    print(f"incremental (N={largest}, one plan's document changed, cache warm): "
          f"{again['seconds']:.2f} s total = {100 * again['seconds'] / first:.0f} % of the first "
          f"publish, {again['cpu_seconds']:.1f} CPU s; stages: "
          + ", ".join(f"{stage} {again['stages'].get(stage, 0):.2f}" for stage in STAGES))
    print(f"unchanged (N={largest}, same sources, code and settings): "
          f"{results['incremental']['unchanged_seconds']:.2f} s to say no change")
    results["initiative_page"] = page = initiative_page(work / "incremental")
    print(f"one initiative page (N={largest}): {page['cpu_seconds_per_page'] * 1e6:.0f} µs CPU "
          f"(best of 3 × {page['pages']:,} pages); all {page['initiatives']:,} ≈ "
          f"{page['cpu_seconds_per_page'] * page['initiatives']:.1f} CPU s, shared by the site's workers")
    if len(sizes) > 1 and min(sizes) * 10 <= largest:
        by_n = {r["n"]: r["seconds"] for r in results["runs"]}
        small = max(n for n in sizes if n * 10 <= largest)
        ratio = by_n[largest] / by_n[small]
        results["linearity"] = {"from": small, "to": largest, "time_ratio": ratio}
        print(f"time N={largest} / N={small}: {ratio:.1f} (linear would be {largest / small:.0f})")
    return results


def incremental(raw: Path, work: Path, size: int) -> dict:
    """A republish after one plan's file changed (cache warm), then a scheduled run over the
    same sources, code and settings (which must say no change). The first publish's 2.4 GB (at
    N = 1000) are written back to disk before the republish, as a scheduled run finds the last
    edition (else the kernel's write-back of them slows the republish's own writes)."""
    cache, out = work / "cache", work / "incremental"
    publish_once(raw, out, cache)                      # warm the cache
    os.sync()
    first = sorted(raw.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("運用", "運営"), encoding="utf-8")
    figures = publish_once(raw, out, cache)
    again = publish_once(raw, out, cache)
    if not again.get("unchanged"):
        raise SystemExit("benchmark: a run over unchanged inputs rebuilt the publication")
    return {"n": size, "seconds": figures["seconds"], "cpu_seconds": figures["cpu_seconds"],
            "stages": figures["stages"], "extract_seconds": figures["stages"]["extract"],
            "unchanged_seconds": again["seconds"]}


def initiative_page(out: Path) -> dict:
    """The CPU cost of one initiative page of the publication in out (benchmarks/pages.py)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.pages", str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"benchmark pages failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        results = run(args.sizes, Path(work))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    results.update({"commit": commit, "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}})
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {args.output}")


if __name__ == "__main__":
    main()
