"""OUT safety: a publish never replaces a folder it did not write, and cleans up after killed
runs. Runs `pipeline.cli.main` in-process (a refusal happens before anything is built)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from pipeline.cli import main
from pipeline.leftovers import wait_for_removals
from pipeline.outfolder import GENERATOR, GENERATOR_KEY, OWN_FILES

ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


def raw_dir(folder: Path, source_text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.txt").write_text(source_text, encoding="utf-8")
    return folder


def run(capsys, *args) -> tuple[int, list[str], str]:
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--no-cache", *map(str, args)])
    stderr = capsys.readouterr().err
    assert "Traceback" not in stderr
    return status, [line for line in stderr.splitlines() if line.startswith("error:")], stderr


@contextmanager
def mounted(folder: Path) -> Iterator[Path]:
    """A file system of 1 MB mounted on folder (made) while the test runs; the test is skipped
    where nothing can be mounted."""
    folder.mkdir()
    if shutil.which("mount") is None or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
            capture_output=True).returncode != 0:
        pytest.skip("cannot mount a file system here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)])


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture(scope="module")
def publication(tmp_path_factory, source_text) -> Path:
    """One publication of the real source, copied by the tests that publish again."""
    base = tmp_path_factory.mktemp("outfolder")
    out = base / "out"
    assert main(["--config", str(ROOT / "pipeline.toml"), "publish", "--no-cache",
                 "--raw-dir", str(raw_dir(base / "raw", source_text)), "--out-dir", str(out)]) == 0
    return out


def test_a_publication_is_marked_as_written_by_the_pipeline(publication):
    package = json.loads((publication / "datapackage.json").read_text(encoding="utf-8"))
    assert package[GENERATOR_KEY] == GENERATOR


def test_a_folder_of_documents_is_refused_and_kept(tmp_path, source_text, capsys):
    documents = tmp_path / "Documents" / "plan"
    documents.mkdir(parents=True)
    (documents / "notes.docx").write_bytes(b"PK\x03\x04 my notes")
    (documents / "budget.xlsx").write_bytes(b"PK\x03\x04 my budget")
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text),
                            "--out-dir", documents)
    assert status == 1 and len(errors) == 1
    assert str(documents) in errors[0]
    assert "not a publication of this pipeline (it holds budget.xlsx, notes.docx)" in errors[0]
    assert snapshot(documents) == {"notes.docx": b"PK\x03\x04 my notes",
                                   "budget.xlsx": b"PK\x03\x04 my budget"}
    assert sorted(p.name for p in documents.parent.iterdir()) == ["plan"]   # no lock, no staging


def test_the_working_directory_is_refused(tmp_path, source_text, capsys, monkeypatch):
    work = tmp_path / "work"
    raw = raw_dir(work / "raw", source_text)
    (work / "thesis.tex").write_text("my thesis", encoding="utf-8")
    monkeypatch.chdir(work)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", ".")
    assert status == 1 and len(errors) == 1
    assert "contains the raw folder" in errors[0]
    assert (work / "thesis.tex").read_text(encoding="utf-8") == "my thesis"
    assert (raw / "plan.txt").exists()


@pytest.mark.parametrize("out", [".", ".."])
def test_an_empty_working_directory_or_one_above_it_is_refused(tmp_path, source_text, capsys,
                                                               monkeypatch, out):
    """Even empty (or a publication): replacing it would leave the shell in a removed folder."""
    raw = raw_dir(tmp_path / "raw", source_text)
    work = tmp_path / "published" / "work"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and len(errors) == 1
    assert "the output folder is (or holds) the working directory" in errors[0]
    assert work.is_dir() and list(work.iterdir()) == []


@pytest.mark.parametrize("where,message", [
    ("raw", "is (inside) the raw folder"),
    ("raw/out", "is (inside) the raw folder"),
    ("..", "contains the raw folder"),
])
def test_out_overlapping_raw_is_refused(tmp_path, source_text, capsys, where, message):
    raw = raw_dir(tmp_path / "data" / "raw", source_text)
    before = snapshot(tmp_path)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", raw.parent / where)
    assert status == 1 and len(errors) == 1 and message in errors[0]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where,message", [
    ("published", "is (inside) the output folder"),
    ("published/.cache", "is (inside) the output folder"),
    ("raw", "is (inside) the raw folder"),
])
def test_a_cache_inside_out_or_raw_is_refused(tmp_path, source_text, capsys, where, message):
    """Inside OUT, the cache's entries (pickles among them) were once published as files
    someone else put there; inside the raw folder, named as files that are not read."""
    raw = raw_dir(tmp_path / "raw", source_text)
    before = snapshot(tmp_path)
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--raw-dir", str(raw),
                   "--out-dir", str(tmp_path / "published"), "--cache-dir", str(tmp_path / where)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert status == 1 and errors == [
        f"error: {tmp_path / where}: the cache folder {message} "
        f"{tmp_path / where.partition('/')[0]}: choose another --cache-dir"]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("cache", ["a-file", "a-file/cache"])
def test_a_cache_that_is_no_folder_is_said_and_the_publish_goes_on_without(
        tmp_path, source_text, capsys, cache):
    """A --cache-dir that is a file (or under one) made every cache entry fail to write, in
    silence. A cache only saves time: the publish says it goes on without, and publishes."""
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish", "--raw-dir",
                   str(raw_dir(tmp_path / "raw", source_text)), "--out-dir",
                   str(tmp_path / "published"), "--cache-dir", str(tmp_path / cache)])
    lines = capsys.readouterr().err.splitlines()
    assert status == 0 and (tmp_path / "published" / "initiatives.csv").is_file()
    assert f"cache: {tmp_path / cache} is no folder ({tmp_path / 'a-file'} is a file): publishing " \
           "without the cache (every document extracted afresh)" in lines
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "not a folder"


def test_an_existing_file_is_refused(tmp_path, source_text, capsys):
    target = tmp_path / "published"
    target.write_text("not a folder", encoding="utf-8")
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text),
                            "--out-dir", target)
    assert status == 1 and len(errors) == 1
    assert errors[0] == f"error: {target}: exists and is not a folder; refusing to replace it: " \
                        "choose a new or empty folder as --out-dir"
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_an_out_dir_under_a_file_is_refused_by_its_name(tmp_path, source_text, capsys):
    blocking = tmp_path / "afile"
    blocking.write_text("not a folder", encoding="utf-8")
    target = blocking / "published"
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text),
                            "--out-dir", target)
    assert status == 1
    assert errors == [f"error: {target}: cannot be made: {blocking} is a file, not a folder: "
                      "choose another --out-dir"]
    assert blocking.read_text(encoding="utf-8") == "not a folder"


def test_an_unmarked_datapackage_is_not_enough(tmp_path, source_text, capsys, publication):
    """A folder holding someone else's datapackage.json is not ours."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "datapackage.json").write_text(json.dumps(
        {"name": "budget", "resources": [{"name": "initiatives", "path": "initiatives.csv"}]}),
        encoding="utf-8")
    (out / "initiatives.csv").write_text("id\n1\n", encoding="utf-8")
    before = snapshot(out)
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 1 and "not a publication of this pipeline" in errors[0]
    assert snapshot(out) == before


def test_an_edition_from_before_the_mark_is_ours(tmp_path, source_text, capsys, publication):
    """The weekly workflow restores the previous edition, written before the mark existed:
    its layout (initiatives table, site manifest, catalogue) says it is ours."""
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    del package[GENERATOR_KEY]
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    changed = source_text + "\n"                           # a new edition is written
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", changed), "--out-dir", out)
    assert status == 0, errors
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))[GENERATOR_KEY] == GENERATOR
    (out / "site-manifest.json").unlink()               # no longer the layout of an edition
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    del package[GENERATOR_KEY]
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw2", source_text), "--out-dir", out)
    assert status == 1 and "not a publication of this pipeline" in errors[0]


def damage_version(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    package["version"] = 5
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def damage_changelog(out: Path) -> None:
    (out / "CHANGELOG.md").write_bytes(b"# CHANGELOG\n\x82\xa0\xff\n")


def changelog_a_folder(out: Path) -> None:
    (out / "CHANGELOG.md").unlink()
    (out / "CHANGELOG.md").mkdir()


@pytest.mark.parametrize("damage,file,message", [
    (damage_version, "datapackage.json", "version 5 is not numbers joined by dots"),
    (damage_changelog, "CHANGELOG.md", "cannot be read as UTF-8 text"),
    (changelog_a_folder, "CHANGELOG.md", "cannot be read as UTF-8 text"),
])
def test_a_damaged_previous_edition_is_named_and_kept(tmp_path, source_text, capsys, publication,
                                                      damage, file, message):
    """Each once failed the publish with a line naming the raw folder and a Python error
    (`tables stage failed: AttributeError: 'int' object has no attribute 'split'`)."""
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    damage(out)
    before = snapshot(out)
    changed = source_text + "\n"                           # a new edition is due
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", changed), "--out-dir", out)
    assert status == 1 and len(errors) == 1
    assert errors[0].startswith(f"error: {out / file}: {message}"), errors
    assert snapshot(out) == before


def test_a_descriptor_nested_beyond_the_parsers_depth_is_no_publication(tmp_path, source_text,
                                                                        capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "datapackage.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 1 and "not a publication of this pipeline" in errors[0], errors


def test_an_empty_folder_and_our_own_publication_are_replaced(tmp_path, source_text, capsys, publication):
    raw = raw_dir(tmp_path / "raw", source_text)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "--raw-dir", raw, "--out-dir", empty)[0] == 0
    assert (empty / "initiatives.csv").exists()
    source = json.loads((publication / "datapackage.json").read_text(encoding="utf-8"))["sources"]
    republished = tmp_path / "again"
    shutil.copytree(publication, republished)
    (republished / "initiatives.csv").write_text("stale", encoding="utf-8")
    assert run(capsys, "--raw-dir", raw, "--out-dir", republished)[0] == 0
    assert (republished / "initiatives.csv").read_bytes() == (publication / "initiatives.csv").read_bytes()
    assert json.loads((republished / "datapackage.json").read_text(encoding="utf-8"))["sources"] == source


def test_a_symlink_inside_out_is_never_followed_when_replacing(tmp_path, source_text, capsys, publication):
    """A link someone put into OUT is kept as the link it is (publish did not write it); what it
    points to is neither read nor touched."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me", encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    (out / "link").symlink_to(outside, target_is_directory=True)
    (out / "initiatives.csv").write_text("stale", encoding="utf-8")      # forces a real swap
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 0, errors
    assert (outside / "precious.txt").read_text(encoding="utf-8") == "keep me"
    assert (out / "link").is_symlink() and (out / "link").readlink() == outside
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]


def test_leftovers_of_killed_runs_are_removed_and_reported(tmp_path, source_text, capsys, publication):
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    pid = dead_pid()
    staging = tmp_path / f".out.staging-{pid}"
    shutil.copytree(publication, staging)
    lock = tmp_path / ".out.lock"
    lock.write_text(str(pid), encoding="utf-8")
    mine = tmp_path / f".out.staging-{os.getppid()}"
    mine.mkdir()
    status, _, stderr = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 0
    assert not staging.exists() and mine.exists()      # a live process's folder stays
    assert f"cleanup: removed .out.staging-{pid} (left by process {pid}, which is gone)" in stderr
    assert f"cleanup: took over .out.lock, left by process {pid}, which is gone" in stderr
    assert not lock.exists()
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".out.staging-{os.getppid()}", "out", "raw"]


def test_the_replaced_edition_is_removed_after_the_publish_without_delaying_it(
        tmp_path, source_text, capsys, publication):
    """The previous edition is renamed out of the way at the swap and deleted by a detached
    process; a removal cut short (its process killed) is finished by the next run."""
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    (out / "initiatives.csv").write_text("stale", encoding="utf-8")     # so a new edition is swapped in
    pid = dead_pid()
    cut_short = tmp_path / f".out.retired-{pid}-1"
    (cut_short / "plans").mkdir(parents=True)
    (cut_short / "plans" / "initiatives.csv").write_text("half removed", encoding="utf-8")
    status, _, stderr = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 0 and "publish: " in stderr
    assert f"cleanup: removed .out.retired-{pid}-1 (left by process {pid}, which is gone)" in stderr
    assert (out / "initiatives.csv").read_text(encoding="utf-8").startswith("plan_id,")
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]


def test_a_leftover_that_cannot_be_removed_is_said_and_stays_where_it_is(
        tmp_path, source_text, capsys, publication, monkeypatch):
    """The log said `cleanup: removed` while a file in it could not be deleted, and each run
    renamed it to a leftover of its own."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    pid = dead_pid()
    leftover = tmp_path / f".out.retired-{pid}-1"
    (leftover / "drafts").mkdir(parents=True)
    (leftover / "drafts" / "a.txt").write_text("下書き", encoding="utf-8")
    unlink = os.unlink

    def refused(path, *args, **kwargs):
        if os.path.basename(path) == "a.txt":
            raise PermissionError(13, "Permission denied")
        return unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refused)
    raw = raw_dir(tmp_path / "raw", source_text)
    for _ in range(2):
        status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
        assert (status, errors) == (0, [])
        assert (f"cleanup: could not remove .out.retired-{pid}-1 (left by process {pid}, which "
                f"is gone): {leftover / 'drafts' / 'a.txt'}: Permission denied; it stays beside "
                "out: remove it yourself") in stderr
        assert "cleanup: removed" not in stderr
        wait_for_removals()
        assert sorted(p.name for p in tmp_path.iterdir()) == [leftover.name, "out", "raw"]


def test_a_read_only_folder_kept_in_out_leaves_no_replaced_edition_behind(
        tmp_path, source_text, capsys, publication, monkeypatch):
    """Its copy in the replaced edition could not be emptied (its files are deleted from a
    folder its owner may not write: not as root, so the test refuses as the kernel would),
    and each publish left a retired folder behind."""
    import subprocess as processes
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / "drafts").mkdir()
    (out / "drafts" / "a.txt").write_text("下書き", encoding="utf-8")
    (out / "drafts").chmod(0o555)
    unlink, popen = os.unlink, processes.Popen

    def as_its_owner(path, *, dir_fd=None):
        folder = os.fstat(dir_fd) if dir_fd is not None else os.stat(os.path.dirname(path))
        if not folder.st_mode & 0o200:
            raise PermissionError(13, "Permission denied")
        return unlink(path, dir_fd=dir_fd)

    def no_removal_process(command, *args, **kwargs):     # (removed here, as_its_owner)
        if command[1] == "-c":
            raise OSError(11, "Resource temporarily unavailable")
        return popen(command, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", as_its_owner)
    monkeypatch.setattr(processes, "Popen", no_removal_process)
    raw = raw_dir(tmp_path / "raw", source_text)
    for edited in ("宮城県内の公共機関", "みやぎ県内の公共機関"):
        (raw / "plan.txt").write_text(source_text.replace("県内の公共機関", edited), encoding="utf-8")
        status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
        assert (status, errors) == (0, []) and "content changed" in stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]
        assert (out / "drafts" / "a.txt").read_text(encoding="utf-8") == "下書き"
        assert (out / "drafts").stat().st_mode & 0o777 == 0o555


def test_a_run_killed_between_its_renames_gets_its_publication_back(tmp_path, source_text, capsys, publication):
    pid = dead_pid()
    previous = tmp_path / f".out.previous-{pid}"
    shutil.copytree(publication, previous)
    out = tmp_path / "out"
    status, _, stderr = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text), "--out-dir", out)
    assert status == 0
    assert f"cleanup: out restored from .out.previous-{pid}" in stderr
    assert "publish: no change" in stderr          # the restored edition was the same
    assert not previous.exists()


def test_a_run_killed_between_its_renames_gets_its_publication_back_into_an_empty_out(
        tmp_path, source_text, capsys, publication):
    """OUT made again, empty, after the kill (a deploy script's `mkdir -p`): the last
    publication, with the file someone else put into it, was removed as a leftover."""
    pid = dead_pid()
    previous = tmp_path / f".out.previous-{pid}"
    shutil.copytree(publication, previous, symlinks=True)
    (previous / "NOTES.txt").write_text("議事録", encoding="utf-8")
    shutil.copytree(publication, tmp_path / f".out.staging-{pid}", symlinks=True)
    out = tmp_path / "out"
    out.mkdir()
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert (status, errors) == (0, [])
    assert f"cleanup: out restored from .out.previous-{pid} (left by process {pid}, which is " \
        "gone)" in stderr
    assert f"publish: kept 1 file(s) and folder(s) in {out} that publish did not write: " \
        "NOTES.txt" in stderr
    assert (out / "NOTES.txt").read_text(encoding="utf-8") == "議事録"
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "raw"]


def test_a_publication_left_by_a_killed_run_that_cannot_be_put_back_stops_the_publish(
        tmp_path, source_text, capsys, publication, monkeypatch):
    """Never removed: the publish stops, naming it, and it stays as it was."""
    pid = dead_pid()
    previous = tmp_path / f".out.previous-{pid}"
    shutil.copytree(publication, previous, symlinks=True)
    (previous / "NOTES.txt").write_text("議事録", encoding="utf-8")
    before = snapshot(previous)
    out = tmp_path / "out"
    rename = Path.rename

    def refused(path, target):
        if Path(target) == out:
            raise PermissionError(13, "Permission denied")
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", refused)
    status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text),
                            "--out-dir", out)
    assert (status, errors) == (1, [
        f"error: {previous}: is the last publication (left by process {pid}, which is gone) "
        f"and could not be put back as {out} (Permission denied): rename it to out yourself, "
        "and publish again"])
    assert snapshot(previous) == before and not out.exists()


@pytest.mark.parametrize("when", ["before the swap", "after the swap"])
def test_a_folder_beside_out_made_read_only_during_the_swap_is_said_as_it_ended(
        tmp_path, source_text, capsys, publication, monkeypatch, when):
    """The folder holding OUT made read-only as the new edition was swapped in (a kill
    campaign's `chattr +i`): the lock could not be removed, and its error took the place of
    the publish's. Before the swap it hid why nothing was published; after it, a published
    edition was said to have failed (`publish failed: PermissionError: … .out.lock`, exit 1).
    The lock is left for the next run to take over."""
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    before = snapshot(out)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    rename, unlink, read_only = Path.rename, Path.unlink, []

    def refused_in(folder: Path, path: Path, *names) -> None:
        if read_only and Path(path).parent == folder:
            raise PermissionError(1, "Operation not permitted", *map(str, names))

    def renamed(path, target):
        if when == "before the swap" and Path(target).name.startswith(".out.previous-"):
            read_only.append(True)
        refused_in(tmp_path, target, path, target)
        moved = rename(path, target)
        if when == "after the swap" and Path(target) == out:
            read_only.append(True)
        return moved

    def unlinked(path, missing_ok=False):
        refused_in(tmp_path, path, path)
        return unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "rename", renamed)
    monkeypatch.setattr(Path, "unlink", unlinked)
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    monkeypatch.undo()
    if when == "before the swap":
        assert (status, errors) == (1, [
            f"error: {out}: swap stage failed: Operation not permitted; nothing was published"])
        assert snapshot(out) == before
    else:
        assert (status, errors) == (0, [])
        assert f"publish: {out} (version 1.0.1, content changed)\n" in stderr
    assert (tmp_path / ".out.lock").exists()
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert (status, errors) == (0, [])
    assert not (tmp_path / ".out.lock").exists()


def test_a_publication_the_swap_cannot_put_back_is_named_where_it_is(
        tmp_path, source_text, capsys, publication, monkeypatch):
    """The new edition could not take the old one's place, nor the old one be put back (the
    folder beside OUT made read-only between the swap's two renames): the publish said
    `swap stage failed: …; nothing was published` while OUT was missing, its publication
    moved aside under another name."""
    out = tmp_path / "out"
    shutil.copytree(publication, out)
    before = snapshot(out)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    rename = Path.rename

    def refused(path, target):
        if Path(target) == out:
            raise PermissionError(13, "Permission denied", str(path), str(target))
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", refused)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    monkeypatch.undo()
    previous = tmp_path / f".out.previous-{os.getpid()}"
    assert (status, errors) == (1, [
        f"error: {previous}: is the last publication (moved aside for the new edition, which could "
        f"not take its place: Permission denied) and could not be put back as {out} (Permission "
        "denied): rename it to out yourself, and publish again"])
    assert not out.exists() and snapshot(previous) == before


def test_a_foreign_exception_in_a_stage_is_one_line_naming_input_and_stage(tmp_path, source_text, capsys,
                                                                          publication, monkeypatch):
    from pipeline import publish_portal

    def broken(*args, **kwargs):
        raise ValueError("boom\nsecond line of a library's message")

    out = tmp_path / "out"
    shutil.copytree(publication, out)
    (out / "initiatives.csv").write_text("stale", encoding="utf-8")
    before = snapshot(out)
    raw = raw_dir(tmp_path / "raw", source_text)
    monkeypatch.setattr(publish_portal, "write_site", broken)
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and errors == [f"error: {raw}: site stage failed: ValueError: boom; "
                                      "nothing was published"]
    assert snapshot(out) == before and not list(tmp_path.glob(".out.staging-*"))


def test_a_file_over_the_file_size_limit_is_named(tmp_path, source_text, capsys, publication):
    """`ulimit -f`: `error: raw: csv-json stage failed: OSError: [Errno 27] File too large`,
    naming the raw folder and no file. Here the limit lets every file but the plan's graph
    through."""
    import resource
    plan = next((publication / "plans").iterdir()).name
    graph = publication / "plans" / plan / "graph.nt"
    assert graph.stat().st_size > 400_000 > max(
        p.stat().st_size for p in publication.rglob("*") if p.is_file() and p.name != "graph.nt")
    out, raw = tmp_path / "out", raw_dir(tmp_path / "raw", source_text)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, limits[1]))
    try:
        status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
    assert (status, errors) == (1, [
        f"error: {out / 'plans' / plan / 'graph.nt'} (new edition, not published): rdf.ntriples "
        "stage failed: File too large; nothing was published"])
    assert not out.exists() and not list(tmp_path.glob(".out.staging-*"))


def test_a_full_disk_beside_out_is_one_line_naming_the_lock(tmp_path, source_text, capsys):
    """The lock was written outside its guard: `error: raw: publish failed: OSError: [Errno
    28] No space left on device`."""
    with mounted(tmp_path / "disk") as disk:
        with open(disk / "fill", "wb", buffering=0) as fill, pytest.raises(OSError):
            while True:
                fill.write(b"\0" * 4096)
        status, errors, _ = run(capsys, "--raw-dir", raw_dir(tmp_path / "raw", source_text),
                                "--out-dir", disk / "out")
        assert (status, errors) == (1, [
            f"error: {disk / '.out.lock'}: cannot write beside the output folder: No space left "
            "on device (a publish writes its lock, its staging folder and the new edition there)"])
        assert sorted(p.name for p in disk.iterdir()) == ["fill"]


@pytest.mark.parametrize("option", ["--out-dir", "--raw-dir", "--cache-dir"])
def test_a_folder_in_a_loop_of_links_is_named(tmp_path, source_text, capsys, option):
    """Was `error: data/raw: publish failed: RuntimeError: Symlink loop from '…/loop1'`,
    naming the raw folder whichever folder went round the loop."""
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    folders = {"--out-dir": tmp_path / "out", "--raw-dir": raw_dir(tmp_path / "raw", source_text),
               option: tmp_path / "loop1"}
    status = main(["--config", str(ROOT / "pipeline.toml"), "publish",
                   *[str(part) for pair in folders.items() for part in pair]])
    stderr = capsys.readouterr().err
    assert (status, [line for line in stderr.splitlines() if line.startswith("error:")]) == (1, [
        f"error: {tmp_path / 'loop1'}: cannot be followed: it goes round a loop of symbolic "
        f"links: choose another {option}"])


def test_when_the_portal_fails_the_tables_findings_come_first(tmp_path, source_text, capsys,
                                                            monkeypatch):
    """The tables are validated while the portal and catalogue are written: when one of those
    fails too, the validation's findings (about the tables, the likelier cause) are the error;
    when the tables are valid, the portal's own error is."""
    from pipeline import publish_portal
    from pipeline.errors import PipelineError, ValidationFailed
    from pipeline.validate import BackgroundValidation

    def broken(*args, **kwargs):
        raise PipelineError("template: broken", tmp_path / "templates")

    def invalid(self):
        raise ValidationFailed("frictionless found 1 problem(s); nothing was published",
                               ["initiatives, row 2: type-error"], self.folder / "datapackage.json")

    out, raw = tmp_path / "out", raw_dir(tmp_path / "raw", source_text)
    monkeypatch.setattr(publish_portal, "write_site", broken)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and errors == [f"error: {tmp_path / 'templates'}: template: broken"]
    monkeypatch.setattr(BackgroundValidation, "result", invalid)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and errors[0] == f"error: {out / 'datapackage.json'} (new edition, not " \
        "published): frictionless found 1 problem(s); nothing was published"
    assert not out.exists() or not any(out.iterdir())


def test_a_database_failing_while_the_portal_is_drawn_fails_the_publish(
        tmp_path, source_text, capsys, publication, monkeypatch):
    """The portal's plan pages are drawn while the other process writes the databases, which
    the pages about the whole publication list: when the database fails meanwhile, its error
    is the publish's, no portal is finished and the published edition stays as it was."""
    from pipeline.errors import PipelineError
    from pipeline.export import package as packaging

    def failing(path, *args):
        raise PipelineError("cannot write the SQLite database: database or disk is full", path)

    out = tmp_path / "out"
    shutil.copytree(publication, out)
    before = snapshot(out)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "県内の公共団体"))
    monkeypatch.setattr(packaging, "write_sqlite", failing)     # in the forked process too
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and errors == [
        f"error: {out / 'miyagi-ict-plan.sqlite'} (new edition, not published): cannot write "
        "the SQLite database: database or disk is full"]
    assert "export:" in stderr and "databases:" not in stderr and "\nsite:" not in stderr
    assert snapshot(out) == before and not list(tmp_path.glob(".out.staging-*"))


def test_a_foreign_exception_in_extraction_names_the_file(tmp_path, source_text, capsys, monkeypatch):
    import pipeline.extract as extraction

    def broken(rows, path):
        raise IndexError("list index out of range")

    monkeypatch.setattr(extraction, "split_blocks", broken)
    raw = raw_dir(tmp_path / "raw", source_text)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert status == 1
    assert errors == [f"error: {raw / 'plan.txt'}: extraction failed: IndexError: list index out of range"]


def test_an_error_about_a_staged_file_names_it_as_published_not_the_removed_staging(
        tmp_path, source_text, capsys, monkeypatch):
    from pipeline import publish_portal
    from pipeline.errors import ValidationFailed

    def violated(catalog, path, cache=None):     # (a forked process writes its files meanwhile)
        raise ValidationFailed("the DCAT catalogue violates DCAT-AP 3.0.1 (1 finding(s))",
                               ["Violation: <catalog>: dcterms:publisher: Less than 1 values"], path)

    out, raw = tmp_path / "out", raw_dir(tmp_path / "raw", source_text)
    assert run(capsys, "--raw-dir", raw, "--out-dir", out)[0] == 0
    before = snapshot(out)
    (raw / "plan.txt").write_text(source_text.replace("県内の公共機関", "県内の公共団体"), encoding="utf-8")
    monkeypatch.setattr(publish_portal, "check_catalog", violated)
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1 and ".staging-" not in stderr
    assert errors == [f"error: {out / 'catalog.ttl'} (new edition, not published): the DCAT catalogue "
                      "violates DCAT-AP 3.0.1 (1 finding(s))"]
    assert snapshot(out) == before                  # the published edition, byte for byte


def test_a_failed_republish_with_a_cache_leaves_the_linked_files_as_published(
        tmp_path, source_text, capsys, monkeypatch):
    """With a cache, the new edition's unchanged pages and slices are hard links to the files
    of the published one: a republish that fails after they were linked leaves the published
    edition byte for byte as it was (the staging folder's links are removed, never written)."""
    from pipeline import publish_portal
    from pipeline.errors import ValidationFailed

    def violated(catalog, path, cache=None):
        raise ValidationFailed("the DCAT catalogue violates DCAT-AP 3.0.1 (1 finding(s))", [], path)

    from test_plans import MIYAGI, write_two_plans

    out, cache, raw = tmp_path / "out", tmp_path / "cache", tmp_path / "raw"
    write_two_plans(raw, source_text, source_text)
    publish = ["--config", str(ROOT / "pipeline.toml"), "publish", "--raw-dir", str(raw),
               "--out-dir", str(out), "--cache-dir", str(cache)]
    assert main(publish) == 0
    before = snapshot(out)
    page, piece = out / f"initiatives/{MIYAGI}/2-2-5.html", out / f"plans/{MIYAGI}/initiatives.csv"
    assert page.stat().st_nlink == piece.stat().st_nlink == 2    # kept by the cache as links
    (raw / "fukushima.txt").write_text(source_text.replace("県内の公共機関", "福島県内の公共機関"),
                                       encoding="utf-8")
    monkeypatch.setattr(publish_portal, "check_catalog", violated)
    assert main(publish) == 1
    assert "violates DCAT-AP" in capsys.readouterr().err
    assert snapshot(out) == before
    wait_for_removals()
    assert page.stat().st_nlink == piece.stat().st_nlink == 2    # the staging's links removed


# --- files publish did not write -------------------------------------------------------------

def test_files_someone_else_put_into_out_are_kept_by_every_republish(
        tmp_path, source_text, capsys, publication):
    """Publish never deletes what it did not write: a file, a link, an empty folder and a file
    inside a folder of the portal put into OUT are in the new edition, as they were, and stay
    outside publish's own list of its files (so that they are kept the next time too)."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / "NOTES.txt").write_text("議事録の置き場所", encoding="utf-8")
    (out / "NOTES.link").symlink_to("NOTES.txt")
    (out / "mine" / "empty").mkdir(parents=True)
    (out / "initiatives" / "extra").mkdir()
    (out / "initiatives" / "extra" / "a.txt").write_bytes(b"\x00\x01")
    mine = {"NOTES.txt": "議事録の置き場所".encode("utf-8"), "initiatives/extra/a.txt": b"\x00\x01"}
    raw = raw_dir(tmp_path / "raw", source_text)
    for edited in ("宮城県内の公共機関", "みやぎ県内の公共機関"):
        (raw / "plan.txt").write_text(source_text.replace("県内の公共機関", edited),
                                      encoding="utf-8")
        status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
        assert (status, errors) == (0, [])
        assert "content changed" in stderr
        assert (f"publish: kept 4 file(s) and folder(s) in {out} that publish did not write: "
                "NOTES.link, NOTES.txt, initiatives/extra/ and 1 more") in stderr
        assert {name: (out / name).read_bytes() for name in mine} == mine
        assert os.readlink(out / "NOTES.link") == "NOTES.txt"
        assert (out / "mine" / "empty").is_dir()
        own = json.loads((out / OWN_FILES).read_text(encoding="utf-8"))["files"]
        assert "initiatives.csv" in own and not {"NOTES.txt", "NOTES.link"} & set(own)
        assert not [name for name in own if name.startswith(("mine/", "initiatives/extra/"))]


def test_a_kept_folder_keeps_its_permissions(tmp_path, source_text, capsys, publication):
    """A private folder stays private, a read-only one read-only (made afresh in the new
    edition, it had the default permissions)."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / "private" / "drafts").mkdir(parents=True)
    (out / "private" / "drafts" / "a.txt").write_text("下書き", encoding="utf-8")
    (out / "private").chmod(0o700)
    (out / "private" / "drafts").chmod(0o500)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    assert run(capsys, "--raw-dir", raw, "--out-dir", out)[:2] == (0, [])
    assert (out / "private" / "drafts" / "a.txt").read_text(encoding="utf-8") == "下書き"
    assert [(out / name).stat().st_mode & 0o777 for name in ("private", "private/drafts")] \
        == [0o700, 0o500]
    (out / "private" / "drafts").chmod(0o700)      # (for tmp_path's removal)


def test_a_file_system_mounted_in_out_fails_the_publish(tmp_path, source_text, capsys,
                                                         publication):
    """Its files cannot be linked into the new edition: they were copied, and deleted from the
    mounted file system with the old edition."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    with mounted(out / "archive") as archive:
        (archive / "2014.zip").write_bytes(b"PK")
        before = snapshot(out)
        raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
        status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
        wait_for_removals()
        assert (status, errors) == (1, [
            f"error: {archive}: is a mount point: the files on it cannot be kept in the new "
            "edition, and would be deleted with the old one; unmount it or move it out of the "
            "published folder, and publish again"])
        assert snapshot(out) == before


def test_files_put_into_out_during_the_swap_are_kept(tmp_path, source_text, capsys, publication,
                                                     monkeypatch):
    """Put there after publish looked for the files it did not write, before the old edition
    went (a report written at that moment, a note saved anew), they are in the new edition."""
    import pipeline.publish
    import pipeline.publish_edition
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / "mine").mkdir()
    (out / "mine" / "note.txt").write_text("古い", encoding="utf-8")
    same_files = pipeline.publish_edition.same_files

    def meanwhile(new: Path, old: Path) -> bool:
        (old / "report.json").write_text("{}", encoding="utf-8")
        (old / "later" / "sub").mkdir(parents=True)
        (old / "later" / "sub" / "a.txt").write_text("a", encoding="utf-8")
        (old / "mine" / "new.txt").write_text("新", encoding="utf-8")
        (old / "mine" / "saved.tmp").write_text("新しい", encoding="utf-8")
        (old / "mine" / "saved.tmp").replace(old / "mine" / "note.txt")
        return same_files(new, old)

    monkeypatch.setattr(pipeline.publish, "same_files", meanwhile)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    wait_for_removals()
    assert (status, errors) == (0, [])
    assert {name: (out / name).read_text(encoding="utf-8") for name in (
        "report.json", "later/sub/a.txt", "mine/new.txt", "mine/note.txt")} \
        == {"report.json": "{}", "later/sub/a.txt": "a", "mine/new.txt": "新",
            "mine/note.txt": "新しい"}
    assert "that publish did not write: later/, mine/" in stderr


def test_files_publish_wrote_and_no_longer_writes_are_removed(tmp_path, source_text, capsys):
    """The pages of a plan taken out of the raw folder are publish's own: they go."""
    from test_plans import FUKUSHIMA, write_two_plans
    out, raw = tmp_path / "out", tmp_path / "raw"
    write_two_plans(raw, source_text, source_text)
    assert run(capsys, "--raw-dir", raw, "--out-dir", out)[0] == 0
    assert (out / "initiatives" / FUKUSHIMA / "2-1-1.html").is_file()
    write_miyagi_alone(raw)
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert (status, errors) == (0, []), stderr
    assert "kept" not in stderr
    assert not (out / "initiatives" / FUKUSHIMA).exists()
    assert not (out / "plans" / FUKUSHIMA).exists()


def test_a_file_someone_else_put_where_the_new_edition_writes_one_fails_the_publish(
        tmp_path, source_text, capsys):
    """It would be replaced: the publish stops, naming it, and the publication stays as it was."""
    from test_plans import FUKUSHIMA, write_two_plans
    out, raw = tmp_path / "out", tmp_path / "raw"
    write_two_plans(raw, source_text, source_text)
    write_miyagi_alone(raw)
    assert run(capsys, "--raw-dir", raw, "--out-dir", out)[0] == 0
    page = out / "initiatives" / FUKUSHIMA / "2-1-1.html"
    page.parent.mkdir()
    page.write_text("<p>下書き</p>", encoding="utf-8")
    before = snapshot(out)
    write_two_plans(raw, source_text, source_text)
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1
    assert errors == [f"error: {page}: was not written by this pipeline, and the new edition has "
                      "a file of that name; move it out of the published folder and publish again"]
    assert snapshot(out) == before


def _damage(own: Path, how: str) -> None:
    good = own.read_text(encoding="utf-8")
    own.unlink()
    if how == "not JSON":
        own.write_text(good[:len(good) // 2], encoding="utf-8")
    elif how == "no list":
        own.write_text(json.dumps({"files": "initiatives.csv"}), encoding="utf-8")
    elif how == "a folder":
        own.mkdir()
    elif how == "a link":
        (own.parent.parent / "list.json").write_text(good, encoding="utf-8")
        own.symlink_to(own.parent.parent / "list.json")
    else:
        os.mkfifo(own)      # (reading it would wait for a writer for ever)


@pytest.mark.parametrize("how", ["not JSON", "no list", "a folder", "a link", "a FIFO"])
def test_a_damaged_list_of_publishs_files_fails_the_publish(tmp_path, source_text, capsys,
                                                            publication, how):
    """Taken as no list, it would have every file taken as publish's: the user's would go."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / "NOTES.txt").write_text("議事録", encoding="utf-8")
    _damage(out / OWN_FILES, how)
    before = snapshot(out)
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    status, errors, _ = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert status == 1
    assert errors == [f"error: {out / OWN_FILES}: is not the list of the files publish wrote that "
                      "it should be, so the files someone else put into the published folder "
                      "cannot be told apart and kept: put it back, or remove it to have every "
                      "file the new edition does not write kept"]
    assert snapshot(out) == before


def test_without_the_list_of_publishs_files_every_file_the_new_edition_does_not_write_is_kept(
        tmp_path, source_text, capsys, publication):
    """The list lost (a copy that skips dotfiles): the files someone else put into OUT were
    deleted with the old edition, silently. Only what the new edition writes again is taken as
    publish's; the rest is kept, and the line says why; the next publish has its list again."""
    out = tmp_path / "out"
    shutil.copytree(publication, out, symlinks=True)
    (out / OWN_FILES).unlink()
    (out / "NOTES.txt").write_text("mine", encoding="utf-8")
    (out / "reports").mkdir()
    (out / "reports" / "l.json").write_text("{}", encoding="utf-8")
    (out / "initiatives.csv").write_text("stale", encoding="utf-8")
    raw = raw_dir(tmp_path / "raw", source_text.replace("県内の公共機関", "宮城県内の公共機関"))
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert (status, errors) == (0, [])
    assert (f"publish: {out / OWN_FILES} (the list of the files publish wrote) was missing: kept "
            "2 file(s) and folder(s) the new edition does not write, as someone else's may be "
            "among them: NOTES.txt, reports/") in stderr
    assert (out / "NOTES.txt").read_text(encoding="utf-8") == "mine"
    assert (out / "reports" / "l.json").read_text(encoding="utf-8") == "{}"
    assert (out / "initiatives.csv").read_text(encoding="utf-8").startswith("plan_id,")
    assert "NOTES.txt" not in json.loads((out / OWN_FILES).read_text(encoding="utf-8"))["files"]
    (raw / "plan.txt").write_text(source_text, encoding="utf-8")
    status, errors, stderr = run(capsys, "--raw-dir", raw, "--out-dir", out)
    assert (status, errors) == (0, [])
    assert (f"publish: kept 2 file(s) and folder(s) in {out} that publish did not write: "
            "NOTES.txt, reports/") in stderr


def write_miyagi_alone(raw: Path) -> None:
    """The raw folder of write_two_plans without Fukushima's plan."""
    from test_plans import manifest, miyagi_entry
    (raw / "fukushima.txt").unlink()
    (raw / "sources.toml").write_text(manifest(miyagi_entry("miyagi.txt")), encoding="utf-8")


def test_only_a_failed_write_is_put_down_to_the_file_open_for_it(tmp_path):
    """A bug (ValueError) named the file its frame had open for writing, and a frame holding
    sys.stderr named `<stderr>`: guesses."""
    from pipeline.errors import failed_file

    def fails(error: BaseException, handle) -> BaseException:
        try:
            raise error
        except BaseException as raised:
            return raised

    with open(tmp_path / "table.csv", "w", encoding="utf-8") as handle:
        assert failed_file(fails(OSError(28, "No space left on device"), handle)) == \
            str(tmp_path / "table.csv")
        assert failed_file(fails(ValueError("a bug"), handle)) is None
    assert failed_file(fails(OSError(5, "Input/output error"), sys.stderr)) is None
