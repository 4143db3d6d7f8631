"""Download the raw sources that the manifest (sources.toml) gives a `url` for.

`python -m pipeline fetch` fetches every `[[source]]` with a `url` into `<raw-dir>/<file>`.
A download replaces the raw file only after every check has passed, by writing a temporary
file in the same folder and renaming it over the old one (os.replace), so a failed or
interrupted fetch always leaves the last good raw file as it was.

Checks, in order: HTTP status 200 (after at most MAX_REDIRECTS redirects; connection errors,
timeouts and 5xx are retried with exponential backoff), content type (text/* or
application/octet-stream, never text/html), size (streamed and aborted past the limit),
encoding (the same strict UTF-8/UTF-16/CP932/EUC-JP decoding as `publish`, `pipeline.sources.decode`)
and kind (an HTML page or a PDF, whatever its content type, is refused).
A gzip or deflate Content-Encoding is undone with zlib, and refused unless its stream reaches
its end with nothing after it (a cut stream would otherwise be a shorter text). The bytes are
stored exactly as served, but for that.

`<raw-dir>/sources.lock.json` records per file the url, sha256, bytes, ETag, Last-Modified,
content type and encoding of the last good download. The next run sends If-None-Match /
If-Modified-Since from it, as long as the raw file on disk is still the one the lock
describes; a 304 keeps the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests
import urllib3

from .console import say
from .errors import PipelineError, describe
from .parsing import json_document
from .sources import LOCK_NAME, MANIFEST_NAME, decode, load_manifest

LOCK_VERSION = 1
USER_AGENT = "plan-opendata-pipeline/0.1 (fetch)"
DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds; read is per socket read
DEFAULT_TRIES = 3
DEFAULT_BACKOFF = 1.0  # seconds before the 2nd try; doubled before each further try
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
DOWNLOAD_READS = 10             # a whole body may take ten read timeouts (300 s), no more
                                # (not the headers: requests cannot bound their reading)
# a page whose first tag, after a BOM, whitespace, comments and an XML declaration, is html's
# (read by _first_tag in one pass: a regex repeating `<!--.*?-->` took exponential time)
HTML_TAG = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s/>]", re.IGNORECASE)
LEADING_SPACE = re.compile(r"[\s\ufeff]*")
PDF_START = re.compile(r"[\s\ufeff]*%PDF-")  # a PDF all in ASCII decodes as text
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"
ZLIB_HEADER = 2          # bytes: whether a deflate stream has zlib's is read from them
INFLATE_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
REFUSED_TYPES = {"text/html", "application/xhtml+xml"}
ACCEPTED_TYPES = {"application/octet-stream"}  # and every text/* except text/html


class FetchError(PipelineError):
    """A source could not be downloaded or the download failed a check; `path` is the URL."""


@dataclass(frozen=True)
class FetchOutcome:
    """What happened to one manifest entry: fetched, not-modified, local or failed."""

    file: str
    url: str
    status: str
    error: FetchError | None = None


def fetch_sources(raw_dir: Path, *, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                  tries: int = DEFAULT_TRIES, backoff: float = DEFAULT_BACKOFF,
                  max_bytes: int = DEFAULT_MAX_BYTES, max_redirects: int = MAX_REDIRECTS,
                  log: Callable[[str], None] | None = None) -> list[FetchOutcome]:
    """Fetch every manifest entry with a url into raw_dir; update the lock file.

    Progress and one `error: <url>: <reason>` line per failure go to `log` (stderr by
    default). A failure does not stop the other sources; the caller decides the exit status
    from the outcomes. A missing or invalid manifest raises (ConfigError / FetchError).
    """
    log = log or say
    if not raw_dir.is_dir():
        raise FetchError("raw folder does not exist", raw_dir)
    if not (raw_dir / MANIFEST_NAME).exists():
        raise FetchError(f"no {MANIFEST_NAME}: nothing to fetch", raw_dir)
    manifest = load_manifest(raw_dir)
    lock_path = raw_dir / LOCK_NAME
    lock = _read_lock(lock_path)
    outcomes: list[FetchOutcome] = []
    try:
        with requests.Session() as session:
            session.max_redirects = max_redirects
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept-Encoding"] = ACCEPT_ENCODING
            for name, meta in manifest.items():
                if not meta.url:
                    log(f"fetch: {name}: local file, not fetched")
                    outcomes.append(FetchOutcome(name, "", "local"))
                    continue
                try:
                    status = _fetch_one(session, raw_dir, name, meta.url, lock,
                                        timeout=timeout, tries=tries, backoff=backoff,
                                        max_bytes=max_bytes, max_redirects=max_redirects, log=log)
                except Exception as error:      # a library's limit on odd input too: this source
                    failure = error if isinstance(error, FetchError) else \
                        FetchError(describe(error), meta.url)
                    log(f"error: {failure}")
                    outcomes.append(FetchOutcome(name, meta.url, "failed", failure))
                    continue
                outcomes.append(FetchOutcome(name, meta.url, status))
    finally:        # also when interrupted: the lock describes every file replaced so far
        with_url = {name for name, meta in manifest.items() if meta.url}
        _write_lock(lock_path, {name: entry for name, entry in lock.items() if name in with_url})
    counts = {key: sum(o.status == key for o in outcomes)
              for key in ("fetched", "not-modified", "local", "failed")}
    log("fetch: " + ", ".join(f"{n} {key.replace('-', ' ')}" for key, n in counts.items()))
    return outcomes


def _fetch_one(session: requests.Session, raw_dir: Path, name: str, url: str,
               lock: dict[str, dict], *, timeout, tries, backoff, max_bytes, max_redirects,
               log) -> str:
    """Fetch one source; its lock entry is recorded in `lock` as soon as the file is replaced,
    before anything a stop could interrupt (the lock is written however the run ends)."""
    locked = lock.get(name)
    if Path(name).name != name or name in (".", "..", LOCK_NAME, MANIFEST_NAME):
        raise FetchError(f"manifest file name {name!r} is not a plain file name in the raw folder", url)
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchError("not an http(s) URL", url)
    target = raw_dir / name
    local = _sha256_of(target) if target.is_file() else None     # the raw file as it is now
    headers = {}
    if locked and locked.get("url") == url and local == locked.get("sha256"):
        if locked.get("etag"):
            headers["If-None-Match"] = locked["etag"]
        if locked.get("last_modified"):
            headers["If-Modified-Since"] = locked["last_modified"]
    response = _get(session, url, headers, timeout=timeout, tries=tries, backoff=backoff,
                    max_redirects=max_redirects)
    with response:
        if response.status_code == 304:
            if not headers:
                raise FetchError("HTTP 304 Not Modified to an unconditional request", url)
            entry = dict(locked)
            for key, header in (("etag", "ETag"), ("last_modified", "Last-Modified")):
                if response.headers.get(header):
                    entry[key] = response.headers[header]
            lock[name] = entry
            log(f"fetch: {name}: 304 not modified")
            return "not-modified"
        if response.status_code != 200:
            raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".rstrip(), url)
        content_type = response.headers.get("Content-Type", "")
        _check_type(content_type, url)
        data = _read_limited(response, url, max_bytes, timeout)
    try:
        text, encoding = decode(data, Path(name))
    except PipelineError as error:
        raise FetchError(error.message, url) from None
    if HTML_TAG.match(text, _first_tag(text)):     # a login or error page served as text/plain
        raise FetchError("an HTML page (its first tag is <!DOCTYPE html>, <html>, <head> or "
                         "<body>), not the text file", url)
    if PDF_START.match(text):
        raise FetchError("a PDF file (it begins with %PDF-), not the text file", url)
    digest = hashlib.sha256(data).hexdigest()
    unchanged = local == digest
    entry = {
        "url": url,
        "sha256": digest,
        "bytes": len(data),
        "etag": response.headers.get("ETag"),
        "last_modified": response.headers.get("Last-Modified"),
        "content_type": content_type or None,
        "encoding": encoding,
    }
    if not unchanged:
        _replace_atomically(target, data)
    lock[name] = entry                  # at once: the lock describes the file as it now is
    note = " (content unchanged)" if unchanged else ""
    log(f"fetch: {name}: 200 OK, {len(data)} bytes, {encoding}, sha256 {digest[:12]}…{note}")
    return "fetched"


def _get(session: requests.Session, url: str, headers: dict, *, timeout, tries, backoff,
         max_redirects) -> requests.Response:
    """GET with retries on connection errors, timeouts and 5xx; redirects followed."""
    tries = max(1, tries)
    for attempt in range(1, tries + 1):
        last = attempt == tries
        try:
            response = session.get(url, headers=headers, timeout=timeout, stream=True,
                                   allow_redirects=True)
        except requests.TooManyRedirects:
            raise FetchError(f"too many redirects (more than {max_redirects}; a redirect loop?)",
                             url) from None
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"TLS error: {describe_exception(exc)}", url) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            if last:
                raise FetchError(f"{network_reason(exc, timeout)} (after {tries} tries)",
                                 url) from None
        except requests.RequestException as exc:  # invalid URL, bad redirect target, ...
            raise FetchError(describe_exception(exc), url) from None
        else:
            if response.status_code < 500:
                return response
            response.close()
            if last:
                raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".rstrip()
                                 + f" (after {tries} tries)", url)
        time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _check_type(content_type: str, url: str) -> None:
    media = content_type.split(";", 1)[0].strip().lower()
    if not media:
        return  # no Content-Type: treated as application/octet-stream (RFC 9110 8.3)
    if media in REFUSED_TYPES:
        raise FetchError(f"content type {media} (a web page, not the text file)", url)
    if not (media.startswith("text/") or media in ACCEPTED_TYPES):
        raise FetchError(f"content type {media} (expected text/* or application/octet-stream)", url)


def _read_limited(response: requests.Response, url: str, max_bytes: int, timeout) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"larger than the size limit of {_size(max_bytes)} "
                         f"(Content-Length {int(declared)} bytes)", url)
    chunks, total, received = [], 0, 0
    limit = DOWNLOAD_READS * timeout[1]         # a whole download, however slowly it trickles
    expired = threading.Event()

    def expire() -> None:               # wakes a read waiting on the socket (urllib3 2.3+);
        expired.set()                   # else the read ends within its read timeout
        try:
            response.raw.shutdown()
        except Exception:               # (an older urllib3, or the socket already gone)
            pass
    watchdog = threading.Timer(limit, expire)
    watchdog.daemon = True
    watchdog.start()
    too_slow = f"too slow: not downloaded within {limit:g} s (stopped after {{}} bytes)"
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = None if coding in ("", "identity") else _Inflater(coding, url)
    try:
        while True:         # read1: what one socket read brings, so the watchdog is heard
            block = response.raw.read1(CHUNK, decode_content=False)  # as sent
            received += len(block)
            if expired.is_set():        # (an empty block too: never a cut file taken as whole)
                raise FetchError(too_slow.format(received), url)
            if not block:
                break
            chunk = inflater.inflate(block, max_bytes + 1 - total) if inflater else block
            total += len(chunk)
            if total > max_bytes:
                raise FetchError(f"larger than the size limit of {_size(max_bytes)} "
                                 f"(stopped after {total} bytes)", url)
            chunks.append(chunk)
        if inflater:
            inflater.check_end()
    except FetchError:
        raise
    except Exception as exc:
        if expired.is_set():
            raise FetchError(too_slow.format(received), url) from None
        if isinstance(exc, (requests.RequestException, urllib3.exceptions.HTTPError)):
            raise FetchError(f"download interrupted: {network_reason(exc, timeout)}",
                             url) from None
        raise
    finally:
        watchdog.cancel()
    return b"".join(chunks)


def _first_tag(text: str) -> int:
    """Where a text's first tag may begin: after a BOM, whitespace, comments (`<!-- … -->`) and
    an XML declaration (`<?xml … ?>`)."""
    at = 0
    while True:
        at = LEADING_SPACE.match(text, at).end()
        if text.startswith("<!--", at):
            opening, closing = "<!--", "-->"
        elif text[at:at + 5].lower() == "<?xml":
            opening, closing = "<?xml", ">"
        else:
            return at
        close = text.find(closing, at + len(opening))
        if close < 0:
            return at
        at = close + len(closing)


class _Inflater:
    """The body's Content-Encoding undone with zlib, checked: urllib3's decoder takes a gzip
    stream cut short, or one whose CRC is wrong, as whole (it checks neither)."""

    def __init__(self, coding: str, url: str):
        if coding not in INFLATE_WBITS:
            raise FetchError(f"content encoding {coding} (expected gzip, deflate or none)", url)
        self.coding, self.url, self.wbits = coding, url, INFLATE_WBITS[coding]
        self.zobj = zlib.decompressobj(self.wbits)
        self.head: bytes | None = b""     # the first bytes, until zlib's header may be read

    def inflate(self, block: bytes, room: int) -> bytes:
        """The text in `block`, at most `room` bytes (the caller stops past its size limit)."""
        first = self.head is not None
        if first:
            self.head += block
            if len(self.head) < ZLIB_HEADER:
                return b""
            block, self.head = self.head, None
        try:
            text = self._first(block, room) if first else self.zobj.decompress(block, room)
            while self.zobj.eof and self.zobj.unused_data and len(text) < room:  # next member
                rest, self.zobj = self.zobj.unused_data, zlib.decompressobj(self.wbits)
                text += self.zobj.decompress(rest, room - len(text))
        except zlib.error as exc:
            raise FetchError(f"the {self.coding} stream is corrupt ({exc}); nothing stored",
                             self.url) from None
        return text

    def _first(self, block: bytes, room: int) -> bytes:
        """The first block (ZLIB_HEADER bytes at least): a `deflate` stream without zlib's
        header (raw deflate, which servers send and browsers take) is read as such."""
        try:
            return self.zobj.decompress(block, room)
        except zlib.error:
            if self.coding != "deflate":
                raise
            self.wbits = -zlib.MAX_WBITS
            self.zobj = zlib.decompressobj(self.wbits)
            return self.zobj.decompress(block, room)

    def check_end(self) -> None:
        if self.head is not None or not self.zobj.eof:     # (fewer bytes than a header: none)
            # the Content-Length matched, but the stream was cut
            raise FetchError(f"the {self.coding} stream stops before its end (the download "
                             "was cut short); nothing stored", self.url)


def _replace_atomically(target: Path, data: bytes) -> None:
    """Write data to a temp file beside target, fsync, then rename it over target; a
    FetchError naming target (never the temp file) when it cannot be (a folder of its name,
    a read-only raw folder, a full disk)."""
    temp = None
    try:
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o644
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException as error:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise FetchError(f"cannot be written ({error.strerror or describe(error)}); nothing "
                             "stored", target) from None
        raise


def _read_lock(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    try:
        files = json_document(path.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError) as exc:     # (not JSON, not UTF-8, too deep; no object)
        raise FetchError(f"invalid lock file ({exc}); delete it to fetch everything again", path) from None
    except OSError as error:                        # (a folder of its name, unreadable)
        raise FetchError(f"cannot be read ({error.strerror or describe(error)})", path) from None
    return {name: entry for name, entry in files.items() if isinstance(entry, dict)}


def _write_lock(path: Path, files: dict[str, dict]) -> None:
    text = json.dumps({"version": LOCK_VERSION, "files": files}, ensure_ascii=False,
                      sort_keys=True, indent=2) + "\n"
    if not path.exists() and not files:
        return
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    _replace_atomically(path, text.encode("utf-8"))


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def network_reason(exc: Exception, timeout) -> str:
    """One line saying why a request got no answer (connect or read timeout, refused …)."""
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"connection timed out (connect timeout {connect:g} s)"
    if isinstance(exc, requests.exceptions.ReadTimeout) or "timed out" in str(exc).lower():
        return f"no data within the read timeout of {read:g} s"
    return f"connection failed: {describe_exception(exc)}"


def describe_exception(exc: Exception) -> str:
    """One line, at most 200 characters, of a requests exception's message.

    A connection error's message is urllib3's "HTTPConnectionPool(...): Max retries exceeded
    ... (Caused by ...)"; only the innermost reason, without the connection's repr, is kept.
    """
    inner = exc.args[0] if exc.args else None
    reason = getattr(inner, "reason", None) or exc
    text = " ".join(str(reason).split()) or type(exc).__name__
    text = re.sub(r"^(<[^>]*>|\w+\(host=[^)]*\)):\s*", "", text)
    return text if len(text) <= 200 else text[:199] + "…"



def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n % (1024 * 1024) == 0 else f"{n} bytes"
