"""What the processes of a publish hold: freed memory goes back to the system, and the
validation process loads only what validating needs (they run beside the linked-data workers,
and all of them together must stay under the benchmark's memory target)."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

import pytest

from pipeline.heap import collector_paused, frozen_heap, release_free_memory, releasing_memory

HEAVY = ("pandas", "pyarrow", "numpy", "rdflib", "pyoxigraph", "pyshacl", "jinja2", "sqlite_utils")


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and glibc's heap")
def test_freed_texts_go_back_to_the_system():
    texts = [bytes(1000) + index.to_bytes(4, "little") for index in range(100_000)]   # ~100 MB
    pinned = bytes(2000) + b"x"         # allocated after them: the heap's top stays in use
    del texts
    kept = resident_mb()
    release_free_memory()
    assert resident_mb() < kept - 50, "glibc kept the freed pages below the pinned one"
    assert pinned.endswith(b"x")


def test_records_kept_in_a_frozen_heap_join_it_before_the_collector_resumes():
    """The publish's records live as long as its frozen heap: the collector's first collection
    after a paused stage must not walk them all (they would all be in its youngest generation)."""
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        before = gc.get_freeze_count()
        with collector_paused(keep=True):
            records = [{"ids": [index]} for index in range(10_000)]    # tracked by the collector
            assert not gc.isenabled()
        assert gc.isenabled()
        kept = gc.get_freeze_count()
        assert kept >= before + 2 * len(records)    # each dict and its list
        with collector_paused():        # not kept: left to the collector
            transient = [{"ids": [index]} for index in range(10_000)]
        assert gc.get_freeze_count() == kept and len(transient) == 10_000
    assert gc.get_freeze_count() == 0   # the outermost frozen heap unfreezes all
    with collector_paused(keep=True):   # no frozen heap around: nothing frozen for good
        records = [{"ids": [index]} for index in range(100)]
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_releasing_task_returns_its_result():
    @releasing_memory
    def task(value):
        return [value] * 3

    assert task(7) == [7, 7, 7]
    assert task.__name__ == "task"      # pickled by name for the worker processes


def test_the_validation_process_loads_no_exporter_library():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, json, pipeline.validate; "
         f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"],
        capture_output=True, text=True, check=True).stdout
    assert json.loads(loaded) == []


def test_writing_the_database_loads_no_dataframe_library(tmp_path):
    """The process that writes the databases builds SQLite with the sqlite3 module alone:
    pandas and numpy (which sqlite-utils imported, 0.2 CPU s and some 45 MB) are loaded only by
    the Parquet files' pyarrow, if at all."""
    script = (
        "import sys, json; from pathlib import Path; "
        "from pipeline.export.sqlite import write_sqlite; from pipeline.schema import load_schemas; "
        "write_sqlite(Path(sys.argv[1]), {}, load_schemas(), {'name': 'x'}); "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    loaded = subprocess.run([sys.executable, "-c", script, str(tmp_path / "x.sqlite")],
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(loaded) == [] and (tmp_path / "x.sqlite").stat().st_size > 0
