"""Check the URLs cited by a published folder and write a report; the data are never changed.

`python -m pipeline linkcheck` reads the published tables (initiatives.csv `urls`, joined
with `;`, sites.csv `url`, references.csv `url`) with the csv module and checks every unique
URL: HEAD first, GET (streamed, body not read) when HEAD fails or answers 403/405/501.
Redirects are followed hop by hop (at most MAX_REDIRECTS) and the final URL is recorded.

Politeness: one job per host runs that host's URLs one after another, so at most one request
is in flight per host, and every request (redirect hops included) waits until `delay`
seconds have passed since the previous request to the same host ended. At most `workers`
hosts are checked at the same time.

The report (JSON) goes beside the published folder, never into it, so a check cannot alter
the publication, and it replaces only an earlier report (a regular file holding the marker
`"report": "linkcheck"`, or the shape of the reports written before the marker): never another
file, a link or a device. URLs are reported exactly as published, typos and stray whitespace
included: never "fixed".
"""

from __future__ import annotations

import csv
import json
import math
import os
import stat
import tempfile
import threading
import time
import unicodedata
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import requests

from .console import say
from .errors import PipelineError, resolved
from .fetch import describe_exception

REPORT_NAME = "linkcheck.json"
REPORT_MARKER = ("report", "linkcheck")  # the key and value that say "a linkcheck report"
EARLIER_REPORT_KEYS = {"checked_at", "published", "settings", "summary", "results"}  # before it
USER_AGENT = "plan-opendata-pipeline/0.1 (linkcheck)"
DEFAULT_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds
DEFAULT_WORKERS = 4
DEFAULT_DELAY = 1.0  # seconds between two requests to the same host
MAX_REDIRECTS = 10
GET_AFTER_HEAD = {403, 405, 501}
# (table file, key columns joined with "/" (the primary key, as changes.json joins it), url
# column, multi-valued with ";")
URL_COLUMNS = (
    ("initiatives.csv", ("plan_id", "id"), "urls", True),
    ("sites.csv", ("plan_id", "id"), "url", False),
    ("references.csv", ("plan_id", "from_id", "seq"), "url", False),
)


class LinkcheckError(PipelineError):
    """The published folder cannot be read, or the report cannot be written."""


@dataclass
class LinkResult:
    """The outcome for one unique URL; `where` lists the `table:key` cells citing it
    (`initiatives:<plan_id>/2-1-1`)."""

    url: str
    where: list[str] = field(default_factory=list)
    status: int | None = None
    ok: bool = False
    final_url: str | None = None
    redirected: bool = False
    error: str | None = None
    checked_by: str | None = None


def collect_urls(out_dir: Path) -> dict[str, list[str]]:
    """Every URL cited by the published tables -> the `table:key` entries citing it."""
    if not out_dir.is_dir():
        raise LinkcheckError("published folder does not exist: publish first", out_dir)
    cited: dict[str, list[str]] = defaultdict(list)
    for name, id_columns, column, multi in URL_COLUMNS:
        path = out_dir / name
        if not path.is_file():
            raise LinkcheckError(f"no {name} in the published folder: publish first", out_dir)
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = [c for c in (*id_columns, column) if c not in (reader.fieldnames or [])]
                if missing:
                    raise LinkcheckError(f"no column {', '.join(missing)}", path)
                for row in reader:
                    cell = row[column] or ""
                    urls = cell.split(";") if multi else [cell]
                    where = f"{path.stem}:" + "/".join(row[c] or "" for c in id_columns)
                    for url in urls:  # as published: whitespace in the cell is part of it
                        if url.strip() and where not in cited[url]:
                            cited[url].append(where)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise LinkcheckError(f"cannot read: {exc}", path) from None
    return dict(cited)


class HostGate:
    """At most one request in flight per host, and `delay` seconds between two of them."""

    def __init__(self, delay: float):
        self.delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last_end: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            last = self._last_end.get(host)
            if last is not None:
                wait = last + self.delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            try:
                yield
            finally:
                self._last_end[host] = time.monotonic()


def check_links(out_dir: Path, report: Path | None = None, *,
                timeout: tuple[float, float] = DEFAULT_TIMEOUT, workers: int = DEFAULT_WORKERS,
                delay: float = DEFAULT_DELAY, max_redirects: int = MAX_REDIRECTS,
                log: Callable[[str], None] | None = None) -> tuple[list[LinkResult], Path]:
    """Check every URL of the published folder; write the report; return results and path."""
    log = log or say
    _check_options(timeout, delay)
    folder = resolved(out_dir, "--out-dir")
    report = default_report_path(out_dir) if report is None else report
    if resolved(report, "--report").is_relative_to(folder):
        raise LinkcheckError("the report must not be written inside the published folder", report)
    _refuse_foreign_report(report)  # before the checks: they can take long
    cited = collect_urls(out_dir)
    results = {url: LinkResult(url=url, where=where) for url, where in cited.items()}
    by_host: dict[str, list[LinkResult]] = defaultdict(list)
    for result in results.values():
        host, result.error = _host_to_check(result.url)
        if host:
            by_host[host].append(result)
    gate = HostGate(delay)
    with requests.Session() as session:
        session.headers["User-Agent"] = USER_AGENT

        def check_host(items: list[LinkResult]) -> None:
            for item in items:
                try:
                    _check(session, gate, item, timeout, max_redirects)
                except Exception as exc:  # never a traceback for one odd URL
                    item.ok, item.error = False, f"{type(exc).__name__}: {exc}"

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            for future in [pool.submit(check_host, items) for items in by_host.values()]:
                future.result()
    ordered = sorted(results.values(), key=lambda r: r.url)
    _write_report(report, out_dir, ordered, timeout=timeout, delay=delay)
    for result in ordered:
        if not result.ok:
            reason = result.error or f"HTTP {result.status}"
            log(f"linkcheck: broken: {_visible(result.url)}: {reason} "
                f"({', '.join(result.where)})")
    broken = sum(not r.ok for r in ordered)
    log(f"linkcheck: {len(ordered)} URLs, {len(ordered) - broken} ok, {broken} broken "
        f"(report: {report})")
    return ordered, report


def _check_options(timeout, delay) -> None:
    """A zero, negative or infinite timeout or delay would make every link "broken"."""
    for value in timeout if isinstance(timeout, tuple) else (timeout,):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise LinkcheckError(f"the timeout (--timeout) must be a positive number of seconds, "
                                 f"not {value:g}")
    if not (isinstance(delay, (int, float)) and math.isfinite(delay) and delay >= 0):
        raise LinkcheckError(f"the delay (--delay) must be 0 or a positive number of seconds, "
                             f"not {delay:g}")


def default_report_path(out_dir: Path) -> Path:
    """`<out-dir>/../linkcheck.json`: beside the published folder, never inside it."""
    return out_dir.resolve().parent / REPORT_NAME


def _host_to_check(url: str) -> tuple[str | None, str | None]:
    """(host, None) for a URL to check, else (None, why it is a broken link not checked)."""
    odd = next((ch for ch in url if ch.isspace() or not ch.isprintable()), None)
    if odd is not None:  # not in a URL (RFC 3986); requests would quietly trim or encode it
        name = unicodedata.name(odd, "a control character")
        return None, (f"whitespace or an invisible character in the URL (U+{ord(odd):04X} "
                      f"{name}); not checked")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # e.g. "Invalid IPv6 URL": one broken link, the run goes on
        return None, f"not a valid URL ({exc}); not checked"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None, "not an http(s) URL; not checked"
    return parts.hostname, None


def _visible(text: str) -> str:
    """`text` on one line, with whitespace other than the space and invisible characters
    escaped (\\u3000, \\n), so a log line shows the URL as published."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def _check(session: requests.Session, gate: HostGate, result: LinkResult, timeout,
           max_redirects: int) -> None:
    outcome = _follow(session, gate, "HEAD", result.url, timeout, max_redirects)
    if outcome.failed or outcome.status in GET_AFTER_HEAD:
        outcome = _follow(session, gate, "GET", result.url, timeout, max_redirects)
    result.status, result.final_url, result.error = outcome.status, outcome.final_url, outcome.error
    result.redirected = outcome.hops > 0
    result.checked_by = outcome.method
    result.ok = outcome.error is None and outcome.status is not None and 200 <= outcome.status < 300


@dataclass
class _Outcome:
    method: str
    status: int | None = None
    final_url: str | None = None
    hops: int = 0
    error: str | None = None
    failed: bool = False  # no HTTP answer at all (connection error, timeout, invalid URL)


def _follow(session: requests.Session, gate: HostGate, method: str, url: str, timeout,
            max_redirects: int) -> _Outcome:
    """One HEAD or GET, following redirects hop by hop through the host gate."""
    outcome = _Outcome(method=method)
    current = url
    while True:
        try:
            with gate.slot(urlsplit(current).hostname or ""):
                response = session.request(method, current, timeout=timeout, stream=True,
                                           allow_redirects=False)
                response.close()  # the body is never read
        except requests.RequestException as exc:
            outcome.status, outcome.final_url = None, current
            outcome.error, outcome.failed = _reason(exc, timeout), True
            return outcome
        outcome.status, outcome.final_url = response.status_code, current
        target = session.get_redirect_target(response)
        if not target:
            if response.status_code >= 400:
                outcome.error = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
            return outcome
        if outcome.hops >= max_redirects:
            outcome.error = f"too many redirects (more than {max_redirects}; a redirect loop?)"
            return outcome
        outcome.hops += 1
        current = urljoin(current, target)
        if urlsplit(current).scheme.lower() not in ("http", "https"):
            outcome.final_url = current
            outcome.error = "redirect to a non-http(s) URL"
            return outcome


def _reason(exc: Exception, timeout) -> str:
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection timed out (connect timeout {connect:g} s)"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return f"no response within the read timeout of {read:g} s"
    if isinstance(exc, requests.exceptions.SSLError):
        prefix = "TLS error"
    elif isinstance(exc, requests.ConnectionError):
        prefix = "connection failed"
    else:
        prefix = type(exc).__name__
    return f"{prefix}: {describe_exception(exc)}"


def _write_report(path: Path, out_dir: Path, results: list[LinkResult], *, timeout, delay) -> None:
    broken = sum(not r.ok for r in results)
    document = {
        REPORT_MARKER[0]: REPORT_MARKER[1],
        "checked_at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "published": str(out_dir),
        "settings": {"timeout": list(timeout) if isinstance(timeout, tuple) else timeout,
                     "delay_per_host": delay},
        "summary": {"urls": len(results), "ok": len(results) - broken, "broken": broken},
        "results": [asdict(r) for r in results],
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    _refuse_foreign_report(path)  # again: the path may have changed during the checks
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temp, 0o644)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise LinkcheckError(f"cannot write the report: {exc.strerror or exc}", path) from None


def _refuse_foreign_report(path: Path) -> None:
    """Raise unless `path` is free or holds an earlier report: the tool replaces only what it
    wrote (never a manifest given by mistake, a symbolic link, a device or a folder)."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LinkcheckError(f"cannot use the report path: {exc.strerror or exc}", path) from None
    if not stat.S_ISREG(mode):
        raise LinkcheckError("the report path exists and is not a regular file; "
                             "not replaced (give another --report)", path)
    try:
        with path.open("rb") as handle:  # a report starts with "{": any other file is not read
            starts_as_report = handle.read(1) == b"{"
            handle.seek(0)
            document = json.load(handle) if starts_as_report else None
    except (OSError, ValueError, RecursionError):
        document = None
    if not _is_report(document):
        raise LinkcheckError("the report path holds a file that is not a linkcheck report; "
                             "not replaced (give another --report)", path)


def _is_report(document) -> bool:
    """A report of this tool: with the marker, or (written before it) exactly its keys."""
    if not isinstance(document, dict):
        return False
    if document.get(REPORT_MARKER[0]) == REPORT_MARKER[1]:
        return True
    return (set(document) == EARLIER_REPORT_KEYS and isinstance(document["results"], list)
            and isinstance(document["summary"], dict) and isinstance(document["settings"], dict))
