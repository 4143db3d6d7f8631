"""`python -m pipeline linkcheck` against a real HTTP server on 127.0.0.1 (tests/httpserver.py).

The published folder is a tiny one written here (initiatives, sites, references); the check
must never change it, and writes its report beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import time
from pathlib import Path

import pytest

from httpserver import ScriptedServer
from pipeline.linkcheck import LinkcheckError, check_links

P = "plan-a"  # the plan of the rows below (one row of plan-b cites a URL of plan-a's 2-1-1)
FAST = {"timeout": (1.0, 1.0), "delay": 0.0}
RESULT_KEYS = {"url", "status", "ok", "final_url", "redirected", "error", "where", "checked_by"}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    def cell(value: str) -> str:
        return f'"{value}"' if any(c in value for c in ',"\r\n') else value
    lines = [",".join(map(cell, row)) for row in [header, *rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def publish_tiny(out: Path, server: ScriptedServer) -> Path:
    out.mkdir(parents=True)
    u = server.url
    write_csv(out / "initiatives.csv", ["plan_id", "id", "title", "urls"], [
        [P, "2-1-1", "ハイパーウェブ", f"{u('/plan.txt')};{u('/missing.txt')}"],
        [P, "2-1-2", "移転", u("/moved.txt")],
        [P, "2-1-3", "URLなし", ""],
        [P, "2-1-4", "同じURL", u("/plan.txt")],
        ["plan-b", "2-1-1", "別の計画の同じ番号", u("/plan.txt")],
    ])
    write_csv(out / "sites.csv", ["plan_id", "id", "name", "url"], [
        [P, "2-site-1", "HEADお断り", u("/head-405.txt")],
        [P, "2-site-2", "手書き", "www.example.jp/typo"],
    ])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "cited_id", "label", "url"], [
        [P, "2-1-1", "1", "", "ループ", u("/loop-a")],
        [P, "2-1-2", "1", "2-1-1", "ハイパーウェブ", ""],
    ])
    return out


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_report_statuses_redirects_and_where(tmp_path, server):
    out = publish_tiny(tmp_path / "published", server)
    before = snapshot(out)
    lines: list[str] = []
    results, report = check_links(out, tmp_path / "report.json", log=lines.append, **FAST)
    assert snapshot(out) == before
    document = json.loads(report.read_text(encoding="utf-8"))
    by_url = {r["url"]: r for r in document["results"]}
    assert all(set(r) == RESULT_KEYS for r in document["results"])
    u = server.url

    plan = by_url[u("/plan.txt")]
    assert (plan["status"], plan["ok"], plan["checked_by"], plan["redirected"]) == (200, True, "HEAD", False)
    assert plan["final_url"] == u("/plan.txt") and plan["error"] is None
    assert plan["where"] == ["initiatives:plan-a/2-1-1", "initiatives:plan-a/2-1-4",
                             "initiatives:plan-b/2-1-1"]  # the plan too: 2-1-1 of each

    missing = by_url[u("/missing.txt")]
    assert (missing["status"], missing["ok"], missing["checked_by"]) == (404, False, "HEAD")
    assert missing["error"] == "HTTP 404 Not Found"
    assert missing["where"] == ["initiatives:plan-a/2-1-1"]

    moved = by_url[u("/moved.txt")]
    assert (moved["status"], moved["ok"], moved["redirected"]) == (200, True, True)
    assert moved["final_url"] == u("/plan.txt")

    head = by_url[u("/head-405.txt")]
    assert (head["status"], head["ok"], head["checked_by"]) == (200, True, "GET")
    assert head["where"] == ["sites:plan-a/2-site-1"]
    assert [s.method for s in server.seen("/head-405.txt")] == ["HEAD", "GET"]

    loop = by_url[u("/loop-a")]
    assert loop["ok"] is False and "too many redirects" in loop["error"]
    assert loop["where"] == ["references:plan-a/2-1-1/1"]
    assert all(s.method == "HEAD" for s in server.seen("/loop-a"))  # a loop is not retried with GET

    typo = by_url["www.example.jp/typo"]  # reported exactly as published, never "fixed"
    assert (typo["status"], typo["ok"], typo["checked_by"]) == (None, False, None)
    assert "not an http(s) URL" in typo["error"]

    assert len(by_url) == 6
    assert document["summary"] == {"urls": 6, "ok": 3, "broken": 3}
    assert lines[-1].startswith("linkcheck: 6 URLs, 3 ok, 3 broken")
    assert [r.url for r in results] == sorted(by_url)


def test_default_report_is_beside_the_published_folder_never_inside(tmp_path, server):
    out = publish_tiny(tmp_path / "published", server)
    _, report = check_links(out, log=lambda line: None, **FAST)
    assert report == tmp_path / "linkcheck.json" and report.is_file()
    assert not (out / "linkcheck.json").exists()
    with pytest.raises(LinkcheckError, match="inside the published folder"):
        check_links(out, out / "linkcheck.json", log=lambda line: None, **FAST)


def test_per_host_politeness_spaces_requests_to_one_host(tmp_path, server):
    out = tmp_path / "published"
    out.mkdir()
    urls = [server.url(p) for p in ("/plan.txt", "/missing.txt", "/page.html")]
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"], [[P, "2-1-1", ";".join(urls)]])
    write_csv(out / "sites.csv", ["plan_id", "id", "url"], [])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "url"], [])
    started = time.monotonic()
    check_links(out, tmp_path / "report.json", log=lambda line: None, timeout=(1.0, 1.0),
                delay=0.2, workers=4)
    assert time.monotonic() - started >= 0.4
    times = sorted(s.time for s in server.seen())
    assert len(times) == 3
    assert all(later - earlier >= 0.15 for earlier, later in zip(times, times[1:]))


def test_an_unreachable_host_is_tried_with_head_then_get(tmp_path, server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/gone"
    out = tmp_path / "published"
    out.mkdir()
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"], [[P, "2-1-1", url]])
    write_csv(out / "sites.csv", ["plan_id", "id", "url"], [])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "url"], [])
    results, _ = check_links(out, tmp_path / "report.json", log=lambda line: None, **FAST)
    [result] = results
    assert (result.status, result.ok, result.checked_by) == (None, False, "GET")
    assert result.error.startswith("connection failed: ") and "refused" in result.error


def test_a_missing_table_is_one_error(tmp_path, run_cli):
    out = tmp_path / "published"
    out.mkdir()
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"], [])
    result = run_cli("linkcheck", "--out-dir", out)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        f"error: {out}: no sites.csv in the published folder: publish first"]


def test_a_folder_or_report_that_goes_round_a_loop_of_links_is_one_error(tmp_path, run_cli):
    """Once `linkcheck failed: RuntimeError: Symlink loop from …`, naming no option."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    result = run_cli("linkcheck", "--out-dir", loop)
    assert (result.returncode, result.stderr) == (
        1, f"error: {loop}: cannot be followed: it goes round a loop of symbolic links: choose "
           "another --out-dir\n")
    out = tmp_path / "published"
    out.mkdir()
    result = run_cli("linkcheck", "--out-dir", out, "--report", loop / "report.json")
    assert (result.returncode, result.stderr) == (
        1, f"error: {loop / 'report.json'}: cannot be followed: it goes round a loop of symbolic "
           "links: choose another --report\n")


def test_cli_exits_0_with_broken_links_unless_fail_on_broken(tmp_path, server, run_cli):
    out = tmp_path / "published"
    out.mkdir()
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"],
              [[P, "2-1-1", f"{server.url('/plan.txt')};{server.url('/missing.txt')}"]])
    write_csv(out / "sites.csv", ["plan_id", "id", "url"], [])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "url"], [])
    report = tmp_path / "checks" / "links.json"
    options = ["linkcheck", "--out-dir", out, "--report", report, "--delay", "0", "--timeout", "2"]
    result = run_cli(*options)
    assert result.returncode == 0, result.stderr
    assert f"linkcheck: 2 URLs, 1 ok, 1 broken (report: {report})" in result.stderr.splitlines()
    assert json.loads(report.read_text(encoding="utf-8"))["summary"]["broken"] == 1
    result = run_cli(*options, "--fail-on-broken")
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_the_report_replaces_only_an_earlier_report(tmp_path, server):
    out = publish_tiny(tmp_path / "published", server)
    report = tmp_path / "report.json"
    check_links(out, report, log=lambda line: None, **FAST)
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["report"] == "linkcheck"      # the marker that lets the next run replace it
    check_links(out, report, log=lambda line: None, **FAST)
    del document["report"]                        # a report written before the marker
    report.write_text(json.dumps(document), encoding="utf-8")
    check_links(out, report, log=lambda line: None, **FAST)
    assert json.loads(report.read_text(encoding="utf-8"))["report"] == "linkcheck"


def test_a_report_path_holding_anything_else_is_refused_before_any_check(tmp_path, server):
    out = publish_tiny(tmp_path / "published", server)
    manifest = tmp_path / "sources.toml"
    manifest.write_text('[[source]]\nfile = "plan.txt"\n', encoding="utf-8")
    package = tmp_path / "datapackage.json"
    package.write_text('{"name": "plan", "resources": []}\n', encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    report = tmp_path / "old.json"
    check_links(out, report, log=lambda line: None, **FAST)
    link = tmp_path / "link.json"
    link.symlink_to(report)
    requests_before = len(server.seen())
    for path in (manifest, package):
        with pytest.raises(LinkcheckError) as error:
            check_links(out, path, log=lambda line: None, **FAST)
        assert str(error.value) == (f"{path}: the report path holds a file that is not a "
                                    "linkcheck report; not replaced (give another --report)")
    for path in (fifo, folder, link):
        with pytest.raises(LinkcheckError) as error:
            check_links(out, path, log=lambda line: None, **FAST)
        assert str(error.value) == (f"{path}: the report path exists and is not a regular file; "
                                    "not replaced (give another --report)")
    assert manifest.read_text(encoding="utf-8") == '[[source]]\nfile = "plan.txt"\n'
    assert package.read_text(encoding="utf-8") == '{"name": "plan", "resources": []}\n'
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir() and link.is_symlink()
    assert len(server.seen()) == requests_before  # refused before a single request


def test_cli_refuses_to_overwrite_the_manifest_with_a_report(tmp_path, server, run_cli):
    out = publish_tiny(tmp_path / "published", server)
    manifest = tmp_path / "sources.toml"
    manifest.write_text('[[source]]\nfile = "plan.txt"\n', encoding="utf-8")
    result = run_cli("linkcheck", "--out-dir", out, "--report", manifest)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {manifest}: the report path holds a file that is not a linkcheck report; "
        "not replaced (give another --report)"]
    assert manifest.read_text(encoding="utf-8") == '[[source]]\nfile = "plan.txt"\n'


def test_an_unparsable_url_is_a_broken_link_and_the_run_goes_on(tmp_path, server):
    out = tmp_path / "published"
    out.mkdir()
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"],
              [[P, "2-1-1", f"http://[::1/x;{server.url('/plan.txt')}"]])
    write_csv(out / "sites.csv", ["plan_id", "id", "url"], [[P, "2-site-1", "https://[2001:db8::1/y"]])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "url"], [])
    lines: list[str] = []
    results, _ = check_links(out, tmp_path / "report.json", log=lines.append, **FAST)
    by_url = {r.url: r for r in results}
    assert by_url[server.url("/plan.txt")].ok is True
    for url in ("http://[::1/x", "https://[2001:db8::1/y"):
        assert (by_url[url].ok, by_url[url].status, by_url[url].checked_by) == (False, None, None)
        assert by_url[url].error == "not a valid URL (Invalid IPv6 URL); not checked"
    assert "linkcheck: broken: http://[::1/x: not a valid URL (Invalid IPv6 URL); not checked " \
           "(initiatives:plan-a/2-1-1)" in lines
    assert lines[-1].startswith("linkcheck: 3 URLs, 1 ok, 2 broken")


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("options,message", [   # the timeout as the command line gives it
    ({"timeout": (0.0, 0.0)}, "the timeout (--timeout) must be a positive number of seconds, not 0"),
    ({"timeout": (-1.0, -1.0)}, "the timeout (--timeout) must be a positive number of seconds, not -1"),
    ({"timeout": (5.0, NAN)}, "the timeout (--timeout) must be a positive number of seconds, not nan"),
    ({"timeout": (5.0, INF)}, "the timeout (--timeout) must be a positive number of seconds, not inf"),
    ({"delay": -0.5}, "the delay (--delay) must be 0 or a positive number of seconds, not -0.5"),
    ({"delay": NAN}, "the delay (--delay) must be 0 or a positive number of seconds, not nan"),
    ({"delay": INF}, "the delay (--delay) must be 0 or a positive number of seconds, not inf"),
])
def test_a_timeout_or_delay_that_is_no_number_of_seconds_is_one_error(tmp_path, server, options,
                                                                      message):
    out = publish_tiny(tmp_path / "published", server)
    with pytest.raises(LinkcheckError) as error:
        check_links(out, tmp_path / "report.json", log=lambda line: None, **{**FAST, **options})
    assert str(error.value) == message
    assert server.seen() == [] and not (tmp_path / "report.json").exists()


def test_cli_timeout_nan_is_one_line_and_exit_1(tmp_path, server, run_cli):
    out = publish_tiny(tmp_path / "published", server)
    result = run_cli("linkcheck", "--out-dir", out, "--report", tmp_path / "report.json",
                     "--timeout", "nan")
    assert (result.returncode, result.stderr) == (
        1, "error: the timeout (--timeout) must be a positive number of seconds, not nan\n")
    assert server.seen() == []


def test_a_url_is_checked_and_reported_exactly_as_published_whitespace_included(tmp_path, server):
    out = tmp_path / "published"
    out.mkdir()
    ok = server.url("/plan.txt")
    write_csv(out / "initiatives.csv", ["plan_id", "id", "urls"], [[P, "2-1-1", f"{ok}\u3000;{ok}"],
                                                                   [P, "2-1-2", f" {ok}; ;"]])
    write_csv(out / "sites.csv", ["plan_id", "id", "url"], [[P, "2-site-1", server.url("/a b.txt")]])
    write_csv(out / "references.csv", ["plan_id", "from_id", "seq", "url"], [[P, "2-1-1", "1", f"{ok}\t"]])
    lines: list[str] = []
    results, report = check_links(out, tmp_path / "report.json", log=lines.append, **FAST)
    by_url = {r.url: r for r in results}
    assert sorted(by_url) == sorted([ok, f"{ok}\u3000", f" {ok}", server.url("/a b.txt"), f"{ok}\t"])
    assert (by_url[ok].ok, by_url[ok].where) == (True, ["initiatives:plan-a/2-1-1"])
    assert by_url[f"{ok}\u3000"].error == ("whitespace or an invisible character in the URL "
                                           "(U+3000 IDEOGRAPHIC SPACE); not checked")
    assert by_url[f" {ok}"].error.endswith("(U+0020 SPACE); not checked")
    assert by_url[server.url("/a b.txt")].error.endswith("(U+0020 SPACE); not checked")
    assert by_url[f"{ok}\t"].error.endswith("(U+0009 a control character); not checked")
    assert not any(r.ok or r.status for url, r in by_url.items() if url != ok)
    assert [s.path for s in server.seen()] == ["/plan.txt"]   # only the URL as published
    document = json.loads(report.read_text(encoding="utf-8"))
    assert {r["url"] for r in document["results"]} == set(by_url)
    assert (f"linkcheck: broken: {ok}\\u3000: whitespace or an invisible character in the URL "
            "(U+3000 IDEOGRAPHIC SPACE); not checked (initiatives:plan-a/2-1-1)") in lines
    assert f"linkcheck: broken: {ok}\\t: whitespace or an invisible character in the URL " \
           "(U+0009 a control character); not checked (references:plan-a/2-1-1/1)" in lines
