"""Work done in a forked process beside the caller (pipeline/forked.py): what each step
returns comes back in order; an error comes back as the pipeline's own, one line naming where;
a process that dies is reported, never waited for."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from pipeline.errors import PipelineError
from pipeline.forked import Forked

inherited = {"rows": [{"id": "2-1-1"}, {"id": "2-1-2"}]}      # set before the fork


def steps(table: str, mark: str):
    yield [row["id"] + mark for row in inherited[table]]     # read from the parent's memory
    yield os.getpid()


def failing(kind: str):
    yield "first"
    if kind == "pipeline":
        raise PipelineError("initiatives row 3 column summary: too long", "excel/initiatives.xlsx")
    if kind == "full disk":                 # (a write's error names no file)
        with open("/dev/full", "wb") as out:
            out.write(b"x")
    raise ValueError("bad value")


def dying():
    os.kill(os.getpid(), signal.SIGKILL)
    yield "never"


def test_each_step_comes_back_in_order_from_another_process():
    with Forked(steps, "rows", "!") as side:
        assert side.next() == ["2-1-1!", "2-1-2!"]
        assert side.next() != os.getpid()


@pytest.mark.parametrize("kind, message", [
    ("pipeline", "excel/initiatives.xlsx: initiatives row 3 column summary: too long"),
    ("other", "out: ValueError: bad value"),
    ("full disk", "/dev/full: OSError: [Errno 28] No space left on device")])
def test_an_error_comes_back_as_one_line(kind, message):
    with Forked(failing, kind, where="out") as side:
        assert side.next() == "first"
        with pytest.raises(PipelineError) as raised:
            side.next()
    assert str(raised.value) == message


def test_a_process_that_died_is_reported():
    with Forked(dying, where="out") as side:
        with pytest.raises(PipelineError, match="out: a writing process stopped unexpectedly "
                                                r"\(exit code -9\)"):
            side.next()


def sleeping(seconds: float):
    import time
    time.sleep(seconds)
    yield "woke"


def test_the_process_dies_with_its_caller_and_leaves_ctrl_c_to_it(tmp_path):
    """It holds the caller's descriptors (the publish lock's among them): killed with the
    caller, never left running; Ctrl-C is the caller's to handle (no traceback of its own)."""
    import subprocess
    import sys
    import textwrap
    import time
    script = tmp_path / "caller.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, time
        sys.path.insert(0, {str(__import__("pathlib").Path(__file__).parent)!r})
        from test_forked import sleeping
        from pipeline.forked import Forked
        side = Forked(sleeping, 30)
        print(side.process.pid, flush=True)
        time.sleep(30)
        """), encoding="utf-8")
    caller = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    child = int(caller.stdout.readline())
    os.kill(child, signal.SIGINT)               # ignored by the child
    time.sleep(0.3)
    assert running(child)
    caller.kill()
    caller.wait()
    for _ in range(50):
        if not running(child):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the forked process outlived its caller")
    assert "Traceback" not in caller.stderr.read()


def test_without_a_fork_the_steps_run_in_the_caller(monkeypatch):
    monkeypatch.setattr("pipeline.forked.fork_cores", lambda: 1)
    with Forked(steps, "rows", "?") as side:
        assert side.process is None
        assert side.next() == ["2-1-1?", "2-1-2?"]
        assert side.next() == os.getpid()


def running(pid: int) -> bool:
    """A process that exists and has not ended (a zombie left for init to reap has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def test_a_child_stopped_as_soon_as_it_is_forked_neither_raises_nor_runs_the_callers_code(
        tmp_path):
    """A SIGTERM sent right after the fork (a close() at once: the catalogue's check failing
    while its files are being written, a broken worker pool) reached the child while it still
    had the caller's handler, which raises (the CLI's): a traceback from the interpreter's
    after-fork code, or, once in CI, a child unwinding into the publish and running it on as a
    second copy. Held until the child has its own handlers, it just ends the child."""
    import subprocess
    import sys
    import textwrap
    script = tmp_path / "caller.py"
    script.write_text(textwrap.dedent(f"""
        import multiprocessing, os, signal, sys
        sys.path.insert(0, {str(Path(__file__).parent.parent)!r})
        from pipeline.forked import Forked, process_pool

        def raising(signum, frame):
            raise KeyboardInterrupt("SIGTERM")     # as the CLI's handler does

        def steps():
            yield 1

        signal.signal(signal.SIGTERM, raising)
        caller = os.getpid()
        try:
            for _ in range(1000):
                Forked(steps).close()
            for _ in range(100):
                pool = process_pool(2)
                pool.submit(os.getpid)
                for child in multiprocessing.active_children():
                    child.terminate()
                pool.shutdown()
        except BaseException:
            if os.getpid() != caller:
                print("a child ran the caller's code", file=sys.stderr)
                os._exit(0)
            raise
        print("done")
        """), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300)
    assert (run.returncode, run.stdout, run.stderr) == (0, "done\n", "")


def _write_to_full_disk(_):
    with open("/dev/full", "wb") as out:
        out.write(b"x")


def test_a_pool_workers_write_error_comes_back_naming_its_file():
    """A write's OSError names no file (a full disk); sent back from a pool's worker it lost
    the traceback in which publish finds the file, so the error named the new edition only.
    It now comes back with the file it was writing."""
    from pipeline.forked import process_pool
    from pipeline.errors import failed_file
    with process_pool(2) as pool:
        with pytest.raises(OSError) as raised:
            list(pool.map(_write_to_full_disk, [1]))
    assert (raised.value.errno, failed_file(raised.value)) == (28, "/dev/full")
