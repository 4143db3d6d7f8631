"""Editions: reproducible output, versions only on content change, change reports, one run at a time."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from pipeline.errors import PipelineError
from pipeline.lock import publish_lock
from pipeline.publish_edition import created_timestamp
from test_settings import denied

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "raw" / "miyagi-ict-plan-2014-2016-field2.txt"


def publish(raw: Path, out: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | env
    return subprocess.run([sys.executable, "-m", "pipeline", "publish", "--raw-dir", str(raw),
                           "--out-dir", str(out)], cwd=ROOT, env=environment, text=True,
                          capture_output=True, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def raw_dir(tmp_path: Path, text: str) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir(exist_ok=True)
    (raw / "plan.txt").write_text(text, encoding="utf-8")
    return raw


def forget_inputs(out: Path, *newer: str) -> None:
    """Drop the fingerprint of the inputs (and the `newer` keys) from a publication, as one
    from older code lacks them."""
    path = out / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    for key in ("pipeline_inputs", *newer):
        del package[key]
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


def test_same_sources_same_code_give_byte_identical_files(tmp_path, source_text):
    raw = raw_dir(tmp_path, source_text)
    first = publish(raw, tmp_path / "a", SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="1")
    second = publish(raw, tmp_path / "b", SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="2")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert len(a) > 40 and a == b
    package = json.loads(a["datapackage.json"])
    assert package["created"] == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize("epoch", ["99999999999999", "²", "-1", "1.7e9", "1" * 5000])
def test_a_source_date_epoch_that_is_no_unix_time_is_one_error(monkeypatch, epoch):
    """`99999999999999` (the year 3170843) and `²` (a digit to str.isdigit) once failed the
    tables stage with a ValueError; `-1` and `1.7e9` silently gave the clock's time; 5,000
    digits are more than int() converts (a ValueError of its own)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    with pytest.raises(PipelineError) as error:
        created_timestamp()
    assert str(error.value) == (f"SOURCE_DATE_EPOCH={epoch!r} is no Unix time (whole seconds "
                                "since 1970-01-01 UTC, at most 253402300799: the end of the year 9999)")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")
    assert created_timestamp() == "9999-12-31T23:59:59Z"


def test_a_publish_without_content_change_changes_nothing(tmp_path, source_text):
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    before = snapshot(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = publish(raw, out)            # no SOURCE_DATE_EPOCH: the clock has moved on
    assert again.returncode == 0, again.stderr
    assert "publish: no change" in again.stderr
    assert snapshot(out) == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == mtimes
    assert json.loads(before["changes.json"])["initial"] is True


def test_a_scheduled_run_over_the_same_inputs_builds_nothing(tmp_path, source_text):
    """Same source bytes, code and settings as the published edition: `no change` at once,
    without extracting; a changed setting or source byte builds again."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    inputs = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["pipeline_inputs"]
    assert inputs.startswith("sha256:") and len(inputs) == 71
    wrong = publish(raw, out, SOURCE_DATE_EPOCH="abc")      # said even when nothing changed
    assert wrong.returncode == 1 and wrong.stderr.splitlines()[-1].startswith(
        "error: SOURCE_DATE_EPOCH='abc' is no Unix time")
    again = publish(raw, out)
    assert again.returncode == 0, again.stderr
    assert "extract:" not in again.stderr and "rdf:" not in again.stderr
    assert (f"publish: no change; {out} left as it was (version 1.0.0: the same sources, code and "
            "settings as the published edition)") in again.stderr.splitlines()
    (out / "terms.csv").write_bytes(b"cut")                  # a listed file no longer as published
    assert "extract:" in publish(raw, out).stderr
    (raw / "plan.txt").write_text(source_text + "\n", encoding="utf-8")     # one byte more
    rebuilt = publish(raw, out)
    assert "extract:" in rebuilt.stderr and rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["pipeline_inputs"] != inputs


def test_a_run_over_inputs_that_gave_warnings_says_them_again(tmp_path, source_text):
    """Silence means everything in the source is in the tables: the edition states what its
    extraction warned of (each file by its name), a run over the same inputs says it again as
    the first run did with its `no change`, without extracting, and --strict refuses it on
    every run."""
    lines = source_text.split("\n")
    assert lines[81].startswith("担当\t")                              # of initiative 2-1-2
    raw, out = raw_dir(tmp_path, "\n".join(lines[:81] + lines[82:])), tmp_path / "out"
    first = publish(raw, out)
    assert first.returncode == 0, first.stderr
    incomplete = "initiative 2-1-2 「総合情報ネットワークの運用」 is incomplete (no 担当); left out"
    assert f"warning: {raw / 'plan.txt'}:72: {incomplete}" in first.stderr.splitlines()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["pipeline_warnings"] == [f"plan.txt:72: {incomplete}"]
    before = snapshot(out)
    again = publish(raw, out)
    assert again.returncode == 0, again.stderr
    # said as the first run said it, the file by its path as given (it was by its name alone)
    assert "extract:" not in again.stderr and \
        f"warning: {raw / 'plan.txt'}:72: {incomplete}" in again.stderr.splitlines()
    assert "publish: no change" in again.stderr and snapshot(out) == before
    strict = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--strict", "--raw-dir",
                             str(raw), "--out-dir", str(out)], cwd=ROOT, text=True,
                            capture_output=True, timeout=300)
    assert strict.returncode == 1 and "--strict" in strict.stderr and snapshot(out) == before


def test_a_content_change_is_a_new_version_with_a_change_report(tmp_path, source_text):
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    changed = (source_text.replace("38.25%", "40.5%")
               .replace("14 インターネット公売の実施", "14 インターネット公売の拡充"))
    cut = changed[: changed.index("5\t市町村職員への研修機会の提供")]     # 2-3-5 removed
    raw_dir(tmp_path, cut)
    result = publish(raw, out)
    assert result.returncode == 0, result.stderr
    assert "version 1.0.1, content changed" in result.stderr
    assert json.loads((out / "datapackage.json").read_text())["version"] == "1.0.1"
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert (changes["version"], changes["previous_version"]) == ("1.0.1", "1.0.0")
    assert "described" not in changes          # (the text's new bytes: its records say it)
    # keys start with the plan (plan.txt has no manifest entry: plan `plan`)
    assert changes["plans"] == ["plan"]
    initiatives = changes["tables"]["initiatives"]
    assert initiatives["removed"] == ["plan/2-3-5"] and initiatives["added"] == []
    assert {"key": "plan/2-2-14", "column": "title", "old": "インターネット公売の実施",
            "new": "インターネット公売の拡充"} in initiatives["changed"]
    indicator_changes = {(c["key"], c["column"]): (c["old"], c["new"])
                         for c in changes["tables"]["indicators"]["changed"]}
    assert indicator_changes[("plan/2-2-5/1", "baseline_value")] == (38.25, 40.5)
    assert indicator_changes[("plan/2-2-5/1", "baseline_text")] == ("38.25%", "40.5%")
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.index("## 1.0.1") < changelog.index("## 1.0.0")
    assert "- 変更のあった計画 (plans changed): plan" in changelog
    assert "- initiatives plan/2-3-5: 削除 (removed)" in changelog
    assert "- indicators plan/2-2-5/1 baseline_value: 38.25 → 40.5" in changelog
    assert 'owl:versionInfo "1.0.1"' in (out / "catalog.ttl").read_text(encoding="utf-8")


def test_a_new_description_is_a_new_version_that_says_what_changed(tmp_path, source_text):
    """The same records under another title (pipeline.toml) or another plan title (sources.toml):
    the files changed but the version did not, and the change report said nothing (it was
    carried over from the edition before, a fresh-eyes review found; a licence changed so kept
    the old one in changes.json)."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    settings = tmp_path / "pipeline.toml"
    settings.write_text((ROOT / "pipeline.toml").read_text(encoding="utf-8"), encoding="utf-8")

    def again(**env) -> dict:
        done = subprocess.run([sys.executable, "-m", "pipeline", "--config", str(settings),
                               "publish", "--raw-dir", str(raw), "--out-dir", str(out)],
                              cwd=ROOT, text=True, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return json.loads((out / "changes.json").read_text(encoding="utf-8"))

    assert again()["initial"] is True
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace('title = "みやぎICT推進プラン 取組・指標データ"',
                                     'title = "みやぎICT推進プラン 取組・指標"'), encoding="utf-8")
    changes = again()
    assert (changes["version"], changes["tables"]) == ("1.0.1", {})
    assert changes["described"] == ["title: みやぎICT推進プラン 取組・指標データ → みやぎICT推進プラン 取組・指標"]
    assert "plans" not in changes                           # every plan's description
    assert json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["version"] == "1.0.1"
    (raw / "sources.toml").write_text('[[source]]\nfile = "plan.txt"\nplan_title = "第2分野"\n',
                                      encoding="utf-8")
    changes = again()
    assert changes["version"] == "1.0.2" and changes["plans"] == ["plan"]
    assert "sources plan.txt plan_title: (空) → 第2分野" in changes["described"]
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "- 説明の変更 (description changed): sources plan.txt plan_title: (空) → 第2分野" in changelog
    assert changelog.index("## 1.0.2") < changelog.index("## 1.0.1") < changelog.index("## 1.0.0")
    (raw / "plan.txt").write_text(source_text.replace("\n", "\r\n"), encoding="utf-8")
    changes = again()                                   # the same records from other bytes
    assert (changes["version"], changes["tables"], changes["plans"]) == ("1.0.3", {}, ["plan"])
    assert changes["described"][0].startswith("sources plan.txt: its text changed, not its records")


def test_a_change_at_the_end_of_a_long_value_is_shown_where_it_is(tmp_path, source_text):
    """A source's page moved, its URL changing at its end: changes.json states the attribution
    whole, before and after; CHANGELOG.md the part that differs, with a few characters either
    side. Both were cut at 77 characters, the same `…` on either side of the arrow."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    page = "https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html"
    entry = ('[[source]]\nfile = "plan.txt"\ntitle = "みやぎICT推進プラン(2014～2016) 分野2 '
             '行政の情報化"\npublisher = "宮城県"\npage = "{}"\n')
    (raw / "sources.toml").write_text(entry.format(page), encoding="utf-8")
    assert publish(raw, out).returncode == 0
    (raw / "sources.toml").write_text(entry.format(page.replace("2014.", "2014-2016.")),
                                      encoding="utf-8")
    assert publish(raw, out).returncode == 0
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    credit = "出典：宮城県「みやぎICT推進プラン(2014～2016) 分野2 行政の情報化」（{}）を加工して作成"
    assert changes["described"][0] == \
        f"attribution: {credit.format(page)} → {credit.format(page.replace('2014.', '2014-2016.'))}"
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert ("- 説明の変更 (description changed): attribution: …oho/indexictplan2014.html）"
            "を加工して作成 → …oho/indexictplan2014-2016.html）を加工して作成\n") in changelog


def test_an_edition_is_never_dated_before_the_one_it_follows(tmp_path, source_text):
    """SOURCE_DATE_EPOCH older than the published edition's date (a checkout of an older
    commit): the new edition was dated 2023 above one of 2026 in CHANGELOG.md, a plan's
    `modified` moving back in time (a fresh-eyes review)."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out, SOURCE_DATE_EPOCH="1770000000").returncode == 0     # 2026-02-02
    raw_dir(tmp_path, source_text.replace("38.25%", "40.5%"))
    assert publish(raw, out, SOURCE_DATE_EPOCH="1700000000").returncode == 0     # 2023-11-14
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert (package["version"], package["created"]) == ("1.0.1", "2026-02-02T02:40:00Z")
    changelog = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 1.0.1 (2026-02-02)" in changelog and "## 1.0.0 (2026-02-02)" in changelog


def test_a_publication_keeps_the_date_it_was_first_issued(tmp_path, source_text):
    """datapackage.json `issued`: a first edition's date is its own; an edition with the same
    content keeps it with its version and date, a new edition carries it on while `created`
    moves; a publication from before `issued` was stated takes the earliest first date of its
    plans' editions (the catalogue's issued once moved with every edition)."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"

    def published() -> tuple:
        package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        return package["version"], package["issued"], package["created"]

    assert publish(raw, out, SOURCE_DATE_EPOCH="1700000000").returncode == 0
    assert published() == ("1.0.0", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z")
    forget_inputs(out)                      # other code, the same content: files updated
    assert publish(raw, out, SOURCE_DATE_EPOCH="1750000000").returncode == 0
    assert published() == ("1.0.0", "2023-11-14T22:13:20Z", "2023-11-14T22:13:20Z")
    raw_dir(tmp_path, source_text.replace("38.25%", "40.5%"))
    assert publish(raw, out, SOURCE_DATE_EPOCH="1800000000").returncode == 0
    assert published() == ("1.0.1", "2023-11-14T22:13:20Z", "2027-01-15T08:00:00Z")
    forget_inputs(out, "issued")            # written before `issued` was stated
    raw_dir(tmp_path, source_text.replace("38.25%", "41%"))
    assert publish(raw, out, SOURCE_DATE_EPOCH="1900000000").returncode == 0
    assert published() == ("1.0.2", "2023-11-14T22:13:20Z", "2030-03-17T17:46:40Z")
    catalog = Graph().parse(out / "catalog.ttl")
    catalogue = next(catalog.subjects(RDF.type, DCAT.Catalog))
    assert (catalog.value(catalogue, DCTERMS.issued), catalog.value(catalogue, DCTERMS.modified)) \
        == (Literal("2023-11-14T22:13:20Z", datatype=XSD.dateTime),
            Literal("2030-03-17T17:46:40Z", datatype=XSD.dateTime))


def test_a_publication_from_before_issued_was_stated_takes_its_earliest_first_date():
    from pipeline.versions import first_issued

    editions = {"a": {"version": "1.0.1", "issued": "2025-06-01T00:00:00Z",
                      "modified": "2025-06-01T00:00:00Z"},
                "b": {"version": "1.0.3", "issued": "2025-04-01T00:00:00Z",
                      "modified": "2026-03-01T00:00:00Z"}}
    package = {"created": "2026-03-01T00:00:00Z", "plan_editions": editions}
    assert first_issued(package) == "2025-04-01T00:00:00Z"
    assert first_issued({**package, "issued": "2024-01-01T00:00:00Z"}) == "2024-01-01T00:00:00Z"
    assert first_issued({**package, "issued": "damaged"}) == "2025-04-01T00:00:00Z"
    assert first_issued({"created": "2026-03-01T00:00:00Z"}) == "2026-03-01T00:00:00Z"
    assert first_issued({}) == ""


def test_an_edition_from_before_plan_ids_notes_that_identifiers_changed(tmp_path, source_text):
    """A publication written before records carried plan_id (keys were the bare ids): the next
    edition compares content by the plan of each record's source file and says that only the
    identifiers changed."""
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    forget_inputs(out, "plan_digests")        # an old edition: made by other code
    for table in out.glob("*.json"):
        document = json.loads(table.read_text(encoding="utf-8"))
        if isinstance(document, dict) and "records" in document:
            for record in document["records"]:
                record.pop("plan_id", None)
                record.pop("to_plan_id", None)
            table.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = publish(raw, out)
    assert result.returncode == 0, result.stderr
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert (changes["version"], changes["tables"]) == ("1.0.1", {})
    assert changes["identifiers"].startswith("識別子の変更 (identifiers changed, content unchanged)")
    assert "BASE/plan/{plan_id}/initiative/{id}" in (out / "CHANGELOG.md").read_text(encoding="utf-8")


def test_a_second_concurrent_publish_is_refused(tmp_path, source_text):
    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    before = snapshot(out)
    with publish_lock(out.resolve()):
        refused = publish(raw, out)
    assert refused.returncode == 1
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert f"another publish into out is running (pid {os.getpid()})" in lines[0]
    assert snapshot(out) == before
    assert not (tmp_path / ".out.lock").exists()
    assert publish(raw, out).returncode == 0          # the lock is free again


def test_an_output_folder_beside_which_no_lock_can_be_written_is_named(tmp_path, monkeypatch):
    """A folder the user may not write (`--out-dir /var/www/data`): once `publish failed:
    PermissionError: … '/var/www/.data.lock'`, naming the raw folder first."""
    import pipeline.lock

    monkeypatch.setattr(pipeline.lock, "open", denied, raising=False)
    with pytest.raises(PipelineError) as error:
        with publish_lock(tmp_path / "out"):
            pass
    assert str(error.value) == (f"{tmp_path / '.out.lock'}: cannot write beside the output folder: "
                                "Permission denied (a publish writes its lock, its staging "
                                "folder and the new edition there)")


def test_a_validation_failure_lists_the_findings_and_publishes_nothing(tmp_path, source_text, monkeypatch, capsys):
    """If a written table breaks its schema (here: a status outside 新/継続 slipped into the
    CSV), frictionless stops the publish and the previous publication stays as it was."""
    from pipeline import publish as publishing
    from pipeline.cli import main

    raw, out = raw_dir(tmp_path, source_text), tmp_path / "out"
    assert publish(raw, out).returncode == 0
    forget_inputs(out)                        # so that the same inputs are built again
    before = snapshot(out)
    write = publishing.write_tables_package

    def write_then_corrupt(publication, rows, config, staging, *args, **kwargs):
        package = write(publication, rows, config, staging, *args, **kwargs)
        csv = staging / "initiatives.csv"
        csv.write_text(csv.read_text(encoding="utf-8").replace(",新,", ",新規,", 1), encoding="utf-8")
        return package

    monkeypatch.setattr(publishing, "write_tables_package", write_then_corrupt)
    monkeypatch.chdir(ROOT)
    status = main(["publish", "--raw-dir", str(raw), "--out-dir", str(out)])
    stderr = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "frictionless found" in errors[0] and "nothing was published" in errors[0]
    assert any("initiatives" in line and "status" in line and "constraint-error" in line
               for line in stderr.splitlines() if line.startswith("  "))
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".out.staging-*"))


def test_each_plan_keeps_the_edition_in_which_its_records_last_changed():
    """versions.plan_editions: a changed or new plan takes the new edition's version and date
    (keeping its first date), an unchanged one keeps its own, and an unchanged plan of a
    publication from before plan editions keeps what that publication stated."""
    from pipeline.versions import PlanEdition, Previous, plan_editions

    previous = Previous("1.0.3", "2026-03-01T00:00:00Z", {}, None, None, plan_editions={
        "a": PlanEdition("1.0.1", "2025-04-01T00:00:00Z", "2025-06-01T00:00:00Z"),
        "b": PlanEdition("1.0.3", "2025-04-01T00:00:00Z", "2026-03-01T00:00:00Z")})
    now = "2026-12-02T00:00:00Z"
    editions = plan_editions(["a", "b", "c", "old"], {"b", "c"}, "1.0.4", now, previous)
    assert editions == {
        "a": {"version": "1.0.1", "issued": "2025-04-01T00:00:00Z", "modified": "2025-06-01T00:00:00Z"},
        "b": {"version": "1.0.4", "issued": "2025-04-01T00:00:00Z", "modified": now},
        "c": {"version": "1.0.4", "issued": now, "modified": now},
        "old": {"version": "1.0.3", "issued": "2026-03-01T00:00:00Z",
                "modified": "2026-03-01T00:00:00Z"}}
    # every plan changed (a first edition, identifiers changed): all take the new edition
    assert plan_editions(["a"], None, "1.0.4", now, previous)["a"] == \
        {"version": "1.0.4", "issued": "2025-04-01T00:00:00Z", "modified": now}
    assert plan_editions(["a"], set(), "1.0.0", now, None)["a"] == \
        {"version": "1.0.0", "issued": now, "modified": now}


def test_a_plan_whose_text_alone_changed_beside_another_plans_records_is_said_so():
    """Plan A's records changed, plan B's text only (re-saved): B is listed with the line that
    says why. A plan was once listed as changed with no line for it (its text's line dropped
    with A's)."""
    from pipeline.versions import described_changes
    published = {"title": "t", "sources": [{"file": "a.txt", "sha256": "1"},
                                           {"file": "b.txt", "sha256": "2"}]}
    head = {"title": "t", "sources": [{"file": "a.txt", "sha256": "9"},
                                      {"file": "b.txt", "sha256": "8"}]}
    described = described_changes(published, head, {"a.txt": "A", "b.txt": "B"})
    assert described.beside({"A"}) == (
        ['sources b.txt: its text changed, not its records (sha256 8)'], {"B"})
    assert described.beside({"A", "B"}) == ([], set())


def test_a_key_left_out_of_a_sources_entry_is_a_change_of_its_own():
    """A manifest's `page` taken out of an entry: only the keys the new entry has were
    compared, so the page's removal had no line (the attribution's alone said something
    changed)."""
    from pipeline.versions import described_changes
    page = "https://www.pref.miyagi.jp/soshiki/jyoho/ict-plan.html"
    published = {"title": "t", "sources": [{"file": "a.txt", "title": "A", "path": page,
                                            "page": page}]}
    head = {"title": "t", "sources": [{"file": "a.txt", "title": "A"}]}
    found = described_changes(published, head, {"a.txt": "A"})
    assert (found.lines, found.plans) == ([f"sources a.txt path: {page} → (空)",
                                           f"sources a.txt page: {page} → (空)"], {"A"})


def test_an_attribution_changed_by_sources_entries_concerns_their_plans_alone():
    """The attribution credits every source: a source's entry retitled, added or removed
    changes it for that source's plan alone (it once made every plan changed); changed with
    no entry changed (its wording) or beside a setting of the publication, every plan's."""
    from pipeline.versions import described_changes
    a, b, c = ({"file": f"{p.lower()}.txt", "title": p, "plan_id": p} for p in "ABC")
    plan_of = {"a.txt": "A", "b.txt": "B", "c.txt": "C"}
    published = {"title": "t", "attribution": "出典：A、B", "sources": [a, b]}
    retitled = {"title": "t", "attribution": "出典：A、B2", "sources": [a, {**b, "title": "B2"}]}
    found = described_changes(published, retitled, plan_of)
    assert (found.lines, found.plans) == (["attribution: 出典：A、B → 出典：A、B2",
                                           "sources b.txt title: B → B2"], {"B"})
    added = {"title": "t", "attribution": "出典：A、B、C", "sources": [a, b, c]}
    assert described_changes(published, added, plan_of).plans == {"C"}
    removed = {"title": "t", "attribution": "出典：A", "sources": [a]}
    assert described_changes(published, removed, plan_of).plans == {"B"}
    reworded = {**published, "attribution": "出典：A、Bを加工して作成"}
    assert described_changes(published, reworded, plan_of).plans is None
    assert described_changes(published, {**retitled, "title": "t2"}, plan_of).plans is None


def test_a_record_changed_at_the_end_of_a_long_value_is_shown_where_it_is():
    """A summary whose last sentence changed: CHANGELOG.md shows the part that differs, 20
    characters either side (both sides were its first 77 characters and `…`)."""
    from pipeline.versions import changelog_entry
    old = ("県内の公共機関（県や市町村等）を結ぶネットワークであり，電気通信事業者が提供するサービス"
           "（イーサーネット網サービス）により構築し運用する。また，庁内LANを運用する。")
    change = {"key": "plan/2-1-1", "column": "summary", "old": old,
              "new": old.replace("LANを運用", "LANを更新")}
    table = {"added": [], "removed": [], "changed": [change], "provenance_changed": []}
    entry = changelog_entry({"version": "1.0.1", "created": "2026-12-04T00:00:00Z",
                             "tables": {"initiatives": table}})
    assert len(old) > 80 and entry.splitlines()[2] == (
        "- initiatives plan/2-1-1 summary: …により構築し運用する。また，庁内LANを運用する。"
        " → …により構築し運用する。また，庁内LANを更新する。")


def test_a_column_the_schema_added_is_named_once_not_as_a_change_of_every_record():
    """The edition after indicators gained baseline_period_start/_end listed one change per
    indicator and column, `(空) → 2014-03-31` (24,000 lines at N = 1000); the change report now
    names the columns added and removed once, with the records that have a value in them, and
    those records' plans are the plans changed."""
    from pipeline.schema import load_schemas
    from pipeline.versions import changed_plans, changelog_entry, diff_tables
    schema = load_schemas()["indicators"]
    new = [{f["name"]: None for f in schema["fields"]} | {
        "plan_id": plan, "initiative_id": "2-2-5", "seq": 1, "baseline_value": 38.25,
        "baseline_period_start": start} for plan, start in (("a", "2012-03-31"), ("b", None))]
    old = [{k: v for k, v in record.items() if not k.startswith("baseline_period")}
           | {"remark": "x"} for record in new]
    old[1]["baseline_value"] = 40
    tables = diff_tables({"indicators": old}, {"indicators": new}, {"indicators": schema})
    entry = tables["indicators"]
    assert (entry["columns_added"], entry["columns_removed"], entry["filled"]) == (
        ["baseline_period_start", "baseline_period_end"], ["remark"], ["a/2-2-5/1"])
    assert entry["changed"] == [{"key": "b/2-2-5/1", "column": "baseline_value", "old": 40,
                                 "new": 38.25}]
    assert changed_plans(tables) == ["a", "b"]
    lines = changelog_entry({"version": "1.0.1", "created": "2026-12-05T00:00:00Z",
                             "tables": tables}).splitlines()
    assert lines[2:5] == [
        "- indicators: 列の追加 (columns added): baseline_period_start, baseline_period_end "
        "(a value in 1 record(s))",
        "- indicators: 列の削除 (columns removed): remark",
        "- indicators b/2-2-5/1 baseline_value: 40 → 38.25"]
