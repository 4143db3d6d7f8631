"""A publish stopped from outside (Ctrl-C, SIGTERM from a CI job's timeout or `kill`, SIGKILL)
leaves the previous publication byte for byte as it was, and no process behind: every worker
and the validation process die with it, so that whoever waits for the run's output (a pipe, a
CI log) sees it end. A fuzzing helper once found three processes left running after a SIGTERM,
holding the caller's stdout for ever."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from pipeline.forked import fork_cores

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pipeline.toml"        # with the URIs' documents: the workers run longest


def listing(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def processes_naming(folder: Path) -> list[str]:
    """The command lines of the running processes that name `folder` (the publish's workers
    are forks of it; the validation process names the staging folder beside OUT)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if entry.name.isdigit() and str(folder) in command:
            found.append(command)
    return found


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(raw, out, cache): 40 documents published once."""
    base = tmp_path_factory.mktemp("interrupt")
    raw, out, cache = base / "raw", base / "out", base / "cache"
    write_corpus(raw, 40)
    result = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(CONFIG), "publish",
                             "--cache-dir", str(cache), "--raw-dir", str(raw), "--out-dir", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return raw, out, cache


@pytest.mark.parametrize("signum,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143),
                                           (signal.SIGKILL, -9)])
def test_a_republish_stopped_midway_leaves_the_publication_and_no_process(published, signum, status):
    raw, out, cache = published
    before = listing(out)
    first = sorted(raw.glob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    # a change no run made before (else the plan's graph and pages come from the cache)
    first.write_text(text.replace("運用", f"運用{signum.name}", 1), encoding="utf-8")
    try:
        run = subprocess.Popen([sys.executable, "-m", "pipeline", "--config", str(CONFIG),
                                "publish", "--cache-dir", str(cache), "--raw-dir", str(raw),
                                "--out-dir", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        lines = []
        for line in run.stderr:             # stopped once the workers and the validation run
            lines.append(line)
            if line.startswith("extract:"):
                time.sleep(2.5)
                break
        run.send_signal(signum)
        # returns only when every process holding the pipes (a worker left behind) has ended
        stdout, stderr = run.communicate(timeout=120)
    finally:
        first.write_text(text, encoding="utf-8")
    stderr = "".join(lines) + stderr
    assert run.returncode == status, stderr[-2000:]
    assert "Traceback" not in stderr
    if signum != signal.SIGKILL:
        assert stderr.splitlines()[-1] == "error: interrupted; the previous publication is unchanged"
    assert listing(out) == before
    for _ in range(50):                     # the kernel ends them as their parent ends
        if not processes_naming(out.parent):
            break
        time.sleep(0.1)
    assert processes_naming(out.parent) == []
    if signum != signal.SIGKILL:            # (after a SIGKILL the next publish clears them)
        assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []


LEFT_ALONE = """
import os, sys, time
from pathlib import Path
from pipeline.rdf.stream import worker_pool
from pipeline.validate import BackgroundValidation
validation = BackgroundValidation(Path(sys.argv[1]))     # waits for a descriptor on its stdin
with worker_pool(2) as pool:                             # forked after it: they hold that pipe
    workers = list(pool.submit(os.getpid).result() for _ in range(4))
    print(validation.process.pid, *set(workers), flush=True)
    time.sleep(120)
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (OSError, IndexError):
        return False
    return state != "Z"                     # a zombie has ended (its parent, init, reaps it)


def test_the_validation_process_and_the_workers_die_with_a_killed_publish(tmp_path):
    """Deterministic, whatever the timing: a process holding a validation process and forked
    workers is killed; each of them ends (before, the validation waited for ever on a pipe the
    orphaned workers held, and the workers on their parent)."""
    if fork_cores() < 2:
        pytest.skip("one core: a publish forks no workers")
    parent = subprocess.Popen([sys.executable, "-c", LEFT_ALONE, str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(pids) >= 2 and all(alive(pid) for pid in pids)
    parent.kill()
    parent.wait()
    for _ in range(100):
        if not any(alive(pid) for pid in pids):
            break
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []


@pytest.mark.parametrize("after", ["the old edition's rename", "the new edition's rename"])
def test_a_stop_during_the_swap_never_leaves_out_missing_nor_says_it_is_unchanged(
        published, monkeypatch, capfd, after):
    """Ctrl-C right after one of the swap's two renames (a group's Ctrl-C 6 to 20 ms after
    `validate:` hit both): OUT was missing until the next publish (after the first), or the new
    edition was in place while the run said the previous one was unchanged (after the second).
    Once the swap has begun the publish completes, and says the stop came too late."""
    raw, out, cache = published
    first = sorted(raw.glob("*.txt"))[1]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("運用", "運用swap" + after[4:7], 1), encoding="utf-8")
    renamed, rename = [], Path.rename
    swap = {"the old edition's rename": f".{out.name}.previous-",
            "the new edition's rename": f".{out.name}.staging-"}

    def interrupted_rename(path, target):
        moved = rename(path, target)
        names = (Path(target).name, Path(path).name)
        if names[0].startswith(swap["the old edition's rename"]) or \
                names[1].startswith(swap["the new edition's rename"]):
            renamed.append(target)
            if any(name.startswith(swap[after]) for name in names):
                os.kill(os.getpid(), signal.SIGINT)     # raised (before) right after it
        return moved

    monkeypatch.setattr(Path, "rename", interrupted_rename)
    status = republish_in_process(published, monkeypatch, first, text)
    stderr = capfd.readouterr().err
    assert renamed and out.is_dir()             # (before, missing after the first rename)
    assert status == 0, stderr[-2000:]
    assert stderr.splitlines()[-1] == ("publish: SIGINT came once the new edition was being "
                                      "swapped in: too late to stop it")
    assert (out / "datapackage.json").is_file()
    assert not [p.name for p in out.parent.iterdir() if ".previous-" in p.name]


def test_a_stop_once_the_swap_is_done_never_says_the_publication_is_unchanged(
        published, monkeypatch, capfd):
    """Ctrl-C once the new edition was in place and the swap's handlers were put back, as the
    publish returned (a kill campaign's SIGINT 0 to 80 ms after `validate:`): it was raised
    there, and the run said `error: interrupted; the previous publication is unchanged`, exit
    130, or, in the command's last lines, printed a traceback (exit -2) over a new edition.
    From the swap on, the publish's outcome is settled: a stop is too late."""
    from pipeline import publish as publishing
    raw, out, cache = published
    first = sorted(raw.glob("*.txt"))[3]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("運用", "運用settled", 1), encoding="utf-8")
    swapped = publishing.LateStops.__exit__

    def then_a_stop(late, *exc):
        swapped(late, *exc)
        os.kill(os.getpid(), signal.SIGINT)     # (the command's own handlers back in place)
        time.sleep(0.1)

    monkeypatch.setattr(publishing.LateStops, "__exit__", then_a_stop)
    status = republish_in_process(published, monkeypatch, first, text)
    stderr = capfd.readouterr().err
    assert status == 0, stderr[-2000:]
    assert "error:" not in stderr
    assert re.search(rf"^publish: {re.escape(str(out))} \(version [.\d]+, content changed\)$",
                     stderr, re.MULTILINE)


def test_a_stop_as_the_swap_begins_is_said_to_be_too_late(published, monkeypatch, capfd):
    """Ctrl-C right as the swap's hold began (after the outcome was settled, before the swap's
    own handlers took stops): the command's handler noted it and nothing said so, the run
    ending `content changed`, exit 0, as if no stop had come."""
    from pipeline import publish as publishing
    raw, out, cache = published
    first = sorted(raw.glob("*.txt"))[3]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("運用", "運用held", 1), encoding="utf-8")
    settled = publishing.settle

    def then_a_stop():
        settled()
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.1)

    monkeypatch.setattr(publishing, "settle", then_a_stop)
    status = republish_in_process(published, monkeypatch, first, text)
    stderr = capfd.readouterr().err
    assert status == 0, stderr[-2000:]
    assert "publish: SIGINT came once the new edition was being swapped in: too late to stop it" \
        in stderr


def republish_in_process(published, monkeypatch, changed: Path, text: str) -> int:
    """Publish again in this process; then the patches undone and the changed document's
    `text` put back."""
    from pipeline.cli import main
    raw, out, cache = published
    try:
        return main(["--config", str(CONFIG), "publish", "--cache-dir", str(cache), "--raw-dir",
                     str(raw), "--out-dir", str(out)])
    finally:
        monkeypatch.undo()
        changed.write_text(text, encoding="utf-8")


def program(folder: Path, *lines: str) -> subprocess.CompletedProcess:
    """Run a Python program of `lines` (after `import os, signal, sys` and the project on the
    path) from folder; its status and stderr tell what a user would see."""
    script = folder / "program.py"
    script.write_text("\n".join(["import os, signal, sys", f"sys.path.insert(0, {str(ROOT)!r})",
                                 *lines]) + "\n", encoding="utf-8")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, cwd=folder)


def test_a_signal_once_the_command_has_finished_leaves_its_exit_status(tmp_path):
    """The program's last tenth of a second (the interpreter exiting): Ctrl-C or SIGTERM there
    ended a completed publish with status 130/143, which says nothing was published."""
    run = program(tmp_path,
                  "import pipeline.cli as cli",
                  "cli.run = lambda args: 0                 # the command done, its status settled",
                  "sys.argv = ['pipeline', 'validate']",
                  "status = cli.entry()",
                  "os.kill(os.getpid(), signal.SIGINT)",
                  "os.kill(os.getpid(), signal.SIGTERM)",
                  "sys.exit(status)")
    assert (run.returncode, run.stderr) == (0, "")


def test_a_signal_as_the_command_returns_leaves_its_exit_status(tmp_path):
    """Ctrl-C as the command's handlers were being put back, its work done (between its return
    and the interpreter's last tenth of a second): the interrupt escaped the command, printing
    a traceback (`KeyboardInterrupt`, exit -2)."""
    run = program(tmp_path,
                  "import pipeline.cli as cli",
                  "cli.run = lambda args: 0                 # the command done, its status settled",
                  "def restore(previous, first=cli.restore):",
                  "    os.kill(os.getpid(), signal.SIGINT)",
                  "    first(previous)",
                  "cli.restore = restore",
                  "sys.argv = ['pipeline', 'validate']",
                  "sys.exit(cli.entry())")
    assert (run.returncode, run.stderr) == (0, "")


def test_a_signal_while_a_failed_command_says_why_leaves_its_error_line(tmp_path):
    """Ctrl-C as a failed command printed its error line: the interrupt escaped it, printing a
    traceback (`KeyboardInterrupt`, exit 130) instead of the one line and exit 1."""
    run = program(tmp_path,
                  "import pipeline.cli as cli",
                  "from pipeline.errors import PipelineError",
                  "def failed(args):",
                  "    raise PipelineError('boom', 'data/raw')",
                  "cli.run = failed",
                  "def say(line, first=cli.say):",
                  "    os.kill(os.getpid(), signal.SIGINT)",
                  "    first(line)",
                  "cli.say = say",
                  "sys.argv = ['pipeline', 'validate']",
                  "sys.exit(cli.entry())")
    assert (run.returncode, run.stderr) == (1, "error: data/raw: boom\n")


@pytest.mark.parametrize("module,imported", [("pipeline", "cli"), ("pipeline.serve", "arguments")])
@pytest.mark.parametrize("signum,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_the_program_starts_is_one_line(tmp_path, module, imported, signum,
                                                       status):
    """Ctrl-C while the program imported its modules (0.2 s after `python -m pipeline
    publish`) printed a traceback ending in `KeyboardInterrupt` (a fresh-eyes review found it),
    as it did in `python -m pipeline.serve`. The signal is sent here as the program imports
    one of its first modules."""
    run = program(tmp_path,
                  "import builtins, runpy",
                  "real = builtins.__import__",
                  "def importing(name, *args, **kwargs):",
                  f"    if name == {imported!r}:",
                  f"        os.kill(os.getpid(), {int(signum)})",
                  "    return real(name, *args, **kwargs)",
                  "builtins.__import__ = importing",
                  "sys.argv = ['program']",
                  f"runpy.run_module({module!r}, run_name='__main__')")
    assert (run.returncode, run.stderr) == (
        status, "error: interrupted before the command began; nothing was done\n")
    assert [path.name for path in tmp_path.iterdir()] == ["program.py"]


@pytest.mark.parametrize("signum,status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_the_command_line_is_read_stops_the_publish(tmp_path, signum, status):
    """Ctrl-C or SIGTERM 30 ms after `python -m pipeline publish`, as main read its command
    line: the signals were ignored from main's start until its own handlers, so the stop was
    lost and the publish went on to replace the publication, exit 0 (a review found it)."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "plan.txt").write_bytes(
        (ROOT / "data" / "raw" / "miyagi-ict-plan-2014-2016-field2.txt").read_bytes())
    run = program(tmp_path,
                  "from pipeline.startup import stop_at_once_while_starting",
                  "stop_at_once_while_starting()            # as pipeline/__main__.py does",
                  "import pipeline.cli as cli",
                  "def parser(first=cli.parser):",
                  f"    os.kill(os.getpid(), {int(signum)})",
                  "    return first()",
                  "cli.parser = parser",
                  "sys.argv = ['pipeline', 'publish', '--raw-dir', 'raw', '--out-dir', 'out']",
                  "sys.exit(cli.entry())")
    assert (run.returncode, run.stderr) == (
        status, "error: interrupted before the command began; nothing was done\n")
    assert not (tmp_path / "out").exists()


def test_the_installed_command_starts_where_python_m_pipeline_does():
    """`plan-pipeline` (pyproject's script) runs pipeline.__main__'s entry, whose handlers
    cover the program's start, as `python -m pipeline` does."""
    import tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"plan-pipeline": "pipeline.__main__:entry"}


def test_a_second_signal_while_the_first_is_reported_is_ignored(tmp_path):
    """Three quick Ctrl-C: the second came while the first was being reported and printed
    a traceback (`Exception ignored in: <function Popen.__del__ …> … KeyboardInterrupt`) or
    ended the program with status 1 (a fresh-eyes review)."""
    run = program(tmp_path,
                  "import pipeline.cli as cli",
                  "def run(args):",
                  "    raise KeyboardInterrupt",
                  "def say(message, first=cli.say):",
                  "    os.kill(os.getpid(), signal.SIGINT)      # the second Ctrl-C",
                  "    os.kill(os.getpid(), signal.SIGTERM)",
                  "    first(message)",
                  "cli.run, cli.say = run, say",
                  "sys.argv = ['pipeline', 'publish']",
                  "sys.exit(cli.entry())")
    assert (run.returncode, run.stderr) == (
        130, "error: interrupted; the previous publication is unchanged\n")


def test_a_stop_a_finalizer_drops_still_stops_the_publish_before_its_swap(published, monkeypatch,
                                                                          capfd):
    """SIGTERM while a finalizer ran (a multiprocessing Connection's __del__ as the catalogue's
    writer process was let go, just before the swap: 11 times in 11 tries): Python printed
    `Exception ignored in … Traceback … Terminated`, dropped it, and the publish went on to
    replace the previous edition, exit 0."""
    from pipeline import publish_portal
    raw, out, cache = published
    before = listing(out)
    first = sorted(raw.glob("*.txt"))[2]
    text = first.read_text(encoding="utf-8")
    first.write_text(text.replace("運用", "運用finalizer", 1), encoding="utf-8")

    class LetGo:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)     # its handler raises inside __del__

    write = publish_portal._write_portal_metadata

    def then_a_finalizer(*args, **kwargs):
        write(*args, **kwargs)
        LetGo()

    monkeypatch.setattr(publish_portal, "_write_portal_metadata", then_a_finalizer)
    status = republish_in_process(published, monkeypatch, first, text)
    stderr = capfd.readouterr().err
    assert status == 143, stderr[-2000:]
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert stderr.splitlines()[-1] == "error: interrupted; the previous publication is unchanged"
    assert listing(out) == before


def test_a_stop_the_command_answered_is_forgotten_once_it_returns(tmp_path):
    """A publish in the same process after a command stopped by SIGTERM (a test, a notebook)
    was itself stopped at its swap by that old stop."""
    from pipeline import stops
    previous = stops.raise_on_stop()
    with pytest.raises(stops.Terminated):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)
    stops.restore(previous)
    stops.raise_if_stopped()                    # nothing to raise


def test_the_hook_of_exceptions_a_finalizer_drops_is_put_back_as_it_was():
    """It was set to Python's own, dropping the one of whoever ran the command (pytest's)."""
    import sys
    from pipeline import stops
    before = sys.unraisablehook
    stops.restore(stops.raise_on_stop())
    assert sys.unraisablehook is before
