"""`python -m pipeline fetch` against a real HTTP server on 127.0.0.1 (tests/httpserver.py).

No mocks: requests talks to a ThreadingHTTPServer with scripted routes. Timeouts, retries
and the size limit are made small through fetch_sources' arguments so every test is fast.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import time
from pathlib import Path

import pytest

from httpserver import BIG_BYTES, GZIP_TEXT, LAST_MODIFIED, PLAN, SJIS
from pipeline.errors import ConfigError
from pipeline.fetch import LOCK_NAME, FetchError, fetch_sources

FAST = {"timeout": (1.0, 0.3), "tries": 2, "backoff": 0.01, "max_bytes": 1000}
HTML_PAGE = "an HTML page (its first tag is <!DOCTYPE html>, <html>, <head> or <body>), not the text file"
GOOD = "前回の正しい原文\n～H25 みやぎ\n".encode("utf-8")


def write_manifest(raw: Path, *entries: dict[str, str]) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    lines = []
    for entry in entries:
        lines.append("[[source]]")
        lines += [f'{key} = "{value}"' for key, value in entry.items()]
        lines.append("")
    (raw / "sources.toml").write_text("\n".join(lines), encoding="utf-8")


def fetch(raw: Path, **options):
    lines: list[str] = []
    outcomes = fetch_sources(raw, log=lines.append, **{**FAST, **options})
    return outcomes, lines


def lock_of(raw: Path) -> dict:
    return json.loads((raw / LOCK_NAME).read_text(encoding="utf-8"))["files"]


def test_200_writes_the_file_and_a_deterministic_lock(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes() == PLAN
    digest = hashlib.sha256(PLAN).hexdigest()
    assert lock_of(raw)["plan.txt"] == {
        "url": server.url("/plan.txt"), "sha256": digest, "bytes": len(PLAN),
        "etag": server.etag, "last_modified": LAST_MODIFIED,
        "content_type": "text/plain; charset=utf-8", "encoding": "utf-8",
    }
    text = (raw / LOCK_NAME).read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert f"fetch: plan.txt: 200 OK, {len(PLAN)} bytes, utf-8, sha256 {digest[:12]}…" in lines
    assert not list(raw.glob(".*.part"))


def test_second_run_is_conditional_and_304_keeps_the_file(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    fetch(raw)
    stat, lock_text = (raw / "plan.txt").stat(), (raw / LOCK_NAME).read_text(encoding="utf-8")
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["not-modified"]
    last = server.seen("/plan.txt")[-1]
    assert last.headers.get("If-None-Match") == server.etag
    assert last.headers.get("If-Modified-Since") == LAST_MODIFIED
    assert "fetch: plan.txt: 304 not modified" in lines
    assert (raw / "plan.txt").read_bytes() == PLAN
    assert (raw / "plan.txt").stat().st_mtime_ns == stat.st_mtime_ns
    assert (raw / LOCK_NAME).read_text(encoding="utf-8") == lock_text


def test_new_version_on_the_server_replaces_the_file(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    fetch(raw)
    server.plan, server.etag = PLAN + "追記\n".encode("utf-8"), '"plan-v2"'
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes() == server.plan
    assert lock_of(raw)["plan.txt"]["etag"] == '"plan-v2"'


def test_a_locally_changed_raw_file_is_fetched_unconditionally(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    fetch(raw)
    (raw / "plan.txt").write_bytes(b"edited by hand\n")
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert "If-None-Match" not in server.seen("/plan.txt")[-1].headers
    assert (raw / "plan.txt").read_bytes() == PLAN


@pytest.mark.parametrize("path, reason", [
    ("/missing.txt", "HTTP 404 Not Found"),
    ("/loop-a", "too many redirects"),
    ("/slow.txt", "read timeout of 0.3 s (after 2 tries)"),
    ("/big.txt", f"larger than the size limit of 1000 bytes (Content-Length {BIG_BYTES} bytes)"),
    ("/big-stream.txt", "larger than the size limit of 1000 bytes (stopped after"),
    ("/page.html", "content type text/html"),
    ("/binary.bin", "not text in any encoding tried (UTF-8: byte"),
    ("/gzip-cut.txt", "the gzip stream stops before its end (the download was cut short); "
                      "nothing stored"),
    ("/gzip-crc.txt", "the gzip stream is corrupt (Error -3 while decompressing data: incorrect "
                      "data check)"),
])
def test_a_failed_fetch_names_url_and_reason_and_keeps_the_good_file(tmp_path, server, path, reason):
    raw = tmp_path / "raw"
    url = server.url(path)
    write_manifest(raw, {"file": "plan.txt", "url": url})
    (raw / "plan.txt").write_bytes(GOOD)
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["failed"]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0].startswith(f"error: {url}: "), lines
    assert reason in errors[0]
    assert "\n" not in errors[0]
    assert (raw / "plan.txt").read_bytes() == GOOD
    assert not list(raw.glob(".*.part"))


def test_a_folder_where_the_file_or_the_lock_goes_is_named_not_the_temporary_file(tmp_path,
                                                                                 server):
    """A folder of the file's name: `error: …: IsADirectoryError: [Errno 21] Is a directory:
    '…/raw/.plan.txt.fvy34fln.part' -> '…/raw/plan.txt'`, a file that exists only while it is
    written; of the lock's: `…/raw: fetch failed: IsADirectoryError: …`. Now the line names
    the file in the raw folder, and says what it is."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    (raw / "plan.txt").mkdir()
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["failed"]
    assert [line for line in lines if line.startswith("error: ")] == [
        f"error: {raw / 'plan.txt'}: cannot be written (Is a directory); nothing stored"]
    (raw / "plan.txt").rmdir()
    (raw / LOCK_NAME).mkdir()
    with pytest.raises(FetchError) as error:
        fetch(raw)
    assert str(error.value) == f"{raw / LOCK_NAME}: cannot be read (Is a directory)"
    assert not (raw / "plan.txt").exists() and not list(raw.glob(".*.part"))   # (read first)


def test_a_gzip_download_is_stored_as_its_text(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/gzip.txt")})
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes() == GZIP_TEXT
    assert lock_of(raw)["plan.txt"]["bytes"] == len(GZIP_TEXT)


@pytest.mark.parametrize("path", ["/deflate.txt", "/deflate-raw.txt"])
def test_a_deflate_download_is_stored_as_its_text_with_or_without_zlib_s_header(tmp_path, server,
                                                                                path):
    """`Content-Encoding: deflate` sent as a raw deflate stream (no zlib header), as some
    servers do and browsers take, was refused as corrupt once the stream was checked."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url(path)})
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes() == GZIP_TEXT


def test_a_text_after_many_html_comments_is_read_at_once(tmp_path, server):
    """The check for an HTML page skipped leading comments with a regex that took exponential
    time: sixty empty comments before a text hung the fetch (28 took minutes)."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/comments.txt")})
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes().endswith(PLAN)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 whose port nobody listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/plan.txt"


def test_a_refused_connection_is_retried_then_reported_in_one_line(tmp_path, server):
    raw = tmp_path / "raw"
    url = closed_port_url()
    write_manifest(raw, {"file": "plan.txt", "url": url})
    (raw / "plan.txt").write_bytes(GOOD)
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["failed"]
    error = next(line for line in lines if line.startswith("error: "))
    assert error.startswith(f"error: {url}: connection failed: ")
    assert "refused" in error and error.endswith("(after 2 tries)")
    assert "HTTPConnectionPool" not in error
    assert (raw / "plan.txt").read_bytes() == GOOD


def test_a_failure_keeps_the_lock_entry_of_the_last_good_download(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    fetch(raw)
    before = lock_of(raw)
    server.etag = '"plan-v2"'  # a new version, refused below by the size limit
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")},
                   {"file": "other.txt", "url": server.url("/missing.txt")})
    fetch(raw, max_bytes=3)
    assert lock_of(raw) == before
    assert (raw / "plan.txt").read_bytes() == PLAN


def test_a_stop_right_after_a_replacement_leaves_a_lock_describing_the_new_file(tmp_path, server):
    """Ctrl-C raised while the "200 OK" line was printed (after the replace, before the lock
    entry was recorded) once left the lock describing the file the replace had removed."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    fetch(raw)
    server.plan, server.etag = PLAN + "追記\n".encode("utf-8"), '"plan-v2"'

    def stopped_while_printing(line: str) -> None:
        if "200 OK" in line:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        fetch_sources(raw, log=stopped_while_printing, **FAST)
    assert (raw / "plan.txt").read_bytes() == server.plan
    assert lock_of(raw)["plan.txt"]["sha256"] == hashlib.sha256(server.plan).hexdigest()
    assert lock_of(raw)["plan.txt"]["etag"] == '"plan-v2"'


def test_500_then_200_succeeds_after_a_retry(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "flaky.txt", "url": server.url("/flaky.txt")})
    outcomes, _ = fetch(raw, tries=3)
    assert [o.status for o in outcomes] == ["fetched"]
    assert server.hits("/flaky.txt") == 2
    assert (raw / "flaky.txt").read_bytes() == PLAN


def test_cp932_body_is_accepted_and_stored_unchanged(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "sjis.txt", "url": server.url("/sjis.txt")})
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "sjis.txt").read_bytes() == SJIS
    assert lock_of(raw)["sjis.txt"]["encoding"] == "cp932"


def test_a_redirect_to_a_200_is_followed(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/moved.txt")})
    outcomes, _ = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched"]
    assert (raw / "plan.txt").read_bytes() == PLAN
    assert lock_of(raw)["plan.txt"]["url"] == server.url("/moved.txt")  # as in the manifest


def test_an_entry_without_url_is_a_local_file(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "local.txt", "title": "手元のファイル"})
    (raw / "local.txt").write_bytes(GOOD)
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["local"]
    assert "fetch: local.txt: local file, not fetched" in lines
    assert server.seen() == []
    assert (raw / "local.txt").read_bytes() == GOOD
    assert not (raw / LOCK_NAME).exists()


def test_a_manifest_file_name_outside_the_raw_folder_is_refused(tmp_path, server):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "../escape.txt", "url": server.url("/plan.txt")})
    with pytest.raises(ConfigError, match=r"entry 1 \(\.\./escape.txt\): file: '\.\./escape.txt' is not a "
                                          "file name in the raw folder"):
        fetch(raw)                  # the manifest is refused before anything is fetched
    assert not (tmp_path / "escape.txt").exists()


def test_cli_tries_every_source_and_exits_1_with_one_line_per_failure(tmp_path, server, run_cli):
    raw = tmp_path / "raw"
    missing, html = server.url("/missing.txt"), server.url("/page.html")
    write_manifest(raw, {"file": "a.txt", "url": missing}, {"file": "b.txt", "url": html},
                   {"file": "c.txt", "url": server.url("/plan.txt")}, {"file": "d.txt"})
    result = run_cli("fetch", "--raw-dir", raw)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert f"error: {missing}: HTTP 404 Not Found" in lines
    assert any(line.startswith(f"error: {html}: content type text/html") for line in lines)
    assert "fetch: d.txt: local file, not fetched" in lines
    assert (raw / "c.txt").read_bytes() == PLAN
    assert sorted(lock_of(raw)) == ["c.txt"]


def test_cli_exits_0_when_every_source_is_fetched(tmp_path, server, run_cli):
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")})
    result = run_cli("fetch", "--raw-dir", raw)
    assert result.returncode == 0, result.stderr
    assert "fetch: 1 fetched, 0 not modified, 0 local, 0 failed" in result.stderr.splitlines()


def test_cli_without_manifest_is_one_error_line(tmp_path, run_cli):
    (tmp_path / "raw").mkdir()
    result = run_cli("fetch", "--raw-dir", tmp_path / "raw")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"error: {tmp_path / 'raw'}: no sources.toml: nothing to fetch"]


def test_a_library_error_on_one_source_fails_that_source_and_the_lock_keeps_the_others(
        tmp_path, server):
    """A redirect to `http://[::1/x` (requests raises ValueError) once ended the whole run
    before the lock was written, which then described plan.txt as it was before."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": "plan.txt", "url": server.url("/plan.txt")},
                   {"file": "b.txt", "url": server.url("/bad-location.txt")})
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["fetched", "failed"]
    assert lock_of(raw)["plan.txt"]["sha256"] == hashlib.sha256(PLAN).hexdigest()
    assert "b.txt" not in lock_of(raw) and not (raw / "b.txt").exists()
    assert [line for line in lines if line.startswith("error:")] == [
        f"error: {server.url('/bad-location.txt')}: ValueError: Invalid IPv6 URL"]


@pytest.mark.parametrize("name", ["sources.toml", "sources.lock.json"])
def test_a_manifest_entry_naming_the_folders_own_files_is_refused(tmp_path, server, name):
    """Fetch once wrote the plan's text over sources.toml itself."""
    raw = tmp_path / "raw"
    write_manifest(raw, {"file": name, "url": server.url("/plan.txt")})
    manifest = (raw / "sources.toml").read_bytes()
    with pytest.raises(ConfigError, match=f"file: '{name}' is the folder's own {name}, not a source"):
        fetch(raw)
    assert (raw / "sources.toml").read_bytes() == manifest and server.hits("/plan.txt") == 0


def test_a_download_that_trickles_past_ten_read_timeouts_stops(tmp_path, server):
    """A byte every 0.1 s never trips the read timeout (0.3 s here): the whole download is
    limited to ten of them (3 s here; 300 s by default). It once ran for as long as it trickled
    (a read waiting on the socket went on after the limit) and said "stopped after 0 bytes"."""
    raw = tmp_path / "raw"
    url = server.url("/trickle.txt")
    write_manifest(raw, {"file": "plan.txt", "url": url})
    started = time.monotonic()
    outcomes, lines = fetch(raw)
    elapsed = time.monotonic() - started
    assert [o.status for o in outcomes] == ["failed"] and not (raw / "plan.txt").exists()
    assert 3 <= elapsed < 4
    (line,) = [line for line in lines if line.startswith("error:")]
    received = re.fullmatch(rf"error: {re.escape(url)}: too slow: not downloaded within 3 s "
                            r"\(stopped after (\d+) bytes\)", line)
    assert received and 20 <= int(received[1]) <= 31, line


@pytest.mark.parametrize("path, reason", [
    ("/login.txt", HTML_PAGE),
    ("/error-comment.txt", HTML_PAGE),          # a comment before <!DOCTYPE html>
    ("/error-xml.txt", HTML_PAGE),              # a BOM and an XML declaration before <html>
    ("/error-head.txt", HTML_PAGE),             # no <html>: <head> first
    ("/ascii.pdf", "a PDF file (it begins with %PDF-), not the text file"),
])
def test_an_html_page_or_a_pdf_whatever_its_type_is_refused(tmp_path, server, path, reason):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_bytes(GOOD)
    write_manifest(raw, {"file": "plan.txt", "url": server.url(path)})
    outcomes, lines = fetch(raw)
    assert [o.status for o in outcomes] == ["failed"] and (raw / "plan.txt").read_bytes() == GOOD
    assert f"error: {server.url(path)}: {reason}" in lines
    assert not (raw / LOCK_NAME).exists()


@pytest.mark.parametrize("first", [1, 2, 3])
def test_a_raw_deflate_stream_whose_first_read_is_one_byte_is_read(first):
    """Whether a deflate stream has zlib's header is read from its first two bytes: a first
    socket read of one byte (a legal chunk) made it refused as corrupt."""
    import zlib
    from pipeline.fetch import _Inflater
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    stream = raw.compress(GZIP_TEXT) + raw.flush()
    inflater = _Inflater("deflate", "http://example.jp/plan.txt")
    text = inflater.inflate(stream[:first], 1 << 20) + inflater.inflate(stream[first:], 1 << 20)
    inflater.check_end()
    assert text == GZIP_TEXT
