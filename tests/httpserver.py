"""A real, scripted HTTP server on 127.0.0.1 for the fetch and linkcheck tests (no mocks).

    with ScriptedServer() as server:
        server.url("/plan.txt")          # http://127.0.0.1:<port>/plan.txt
        server.hits("/flaky.txt")        # how many requests that path received
        server.seen("/plan.txt")[-1]     # the last request: method, path, headers, time

Routes (every one answers HEAD like GET, without the body, unless noted):

    /plan.txt         200 text/plain, ETag and Last-Modified; 304 when If-None-Match matches.
                      `server.plan` (bytes) and `server.etag` can be changed by a test.
    /missing.txt      404
    /flaky.txt        500 on the first request, 200 afterwards
    /slow.txt         waits SLOW_SECONDS before answering (longer than the tests' read timeout)
    /trickle.txt      200, a Content-Length of TRICKLE_BYTES, then a byte every 0.1 s (10 s at most)
    /big.txt          200 with a body of BIG_BYTES bytes and a Content-Length
    /big-stream.txt   the same body without Content-Length (read until the connection closes)
    /sjis.txt         200 text/plain; charset=Shift_JIS, "～H25 みやぎ" encoded as CP932
    /binary.bin       200 application/octet-stream, bytes that are neither UTF-8 nor CP932
    /page.html        200 text/html
    /login.txt        200 text/plain, an HTML login page
    /error-*.txt      200 text/plain or octet-stream, an HTML error page with a comment, an XML
                      declaration before it, or without <html>
    /ascii.pdf        200 application/octet-stream, a PDF all in ASCII (valid UTF-8)
    /gzip.txt         200 Content-Encoding: gzip, GZIP_TEXT compressed (a Content-Length)
    /gzip-cut.txt     the same stream cut in half, its Content-Length the bytes sent
    /gzip-crc.txt     the same stream with a wrong CRC
    /deflate.txt      Content-Encoding: deflate, GZIP_TEXT as zlib's stream
    /deflate-raw.txt  the same as a raw deflate stream (no zlib header), as some servers send
    /comments.txt     200 text/plain, a text after many empty HTML comments (<!---->)
    /loop-a, /loop-b  302 to each other (a redirect loop)
    /moved.txt        301 to /plan.txt
    /head-405.txt     405 to HEAD, 200 to GET
"""

from __future__ import annotations

import gzip
import socket
import subprocess
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PLAN = "第2章 行政の情報化\n～H25 みやぎハイパーウェブ\n".encode("utf-8")
SJIS = "～H25 みやぎ".encode("cp932")
BINARY = b"\x81\x20\xff\xfe plan"  # invalid in UTF-8 and in CP932
GZIP_TEXT = b"".join(b"line %d of the plan\n" % n for n in range(40))  # ASCII: cut anywhere
GZIPPED = gzip.compress(GZIP_TEXT, mtime=0)
BIG_BYTES = 4096
TRICKLE_BYTES = 1000
SLOW_SECONDS = 1.5
LAST_MODIFIED = "Wed, 01 Oct 2014 00:00:00 GMT"


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    time: float


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"
    protocol_version = "HTTP/1.0"  # one request per connection: simple and close-delimited

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format, *args) -> None:  # keep pytest output clean
        pass

    def _answer(self, body: bool) -> None:
        scripted = self.server.scripted
        path = self.path.split("?", 1)[0]
        scripted._record(Seen(self.command, path, dict(self.headers.items()), time.monotonic()))
        route = getattr(scripted, "route_" + path.strip("/").replace("-", "_").replace(".", "_"), None)
        try:
            if route is None:
                self._send(404, b"not found\n", "text/plain", body=body)
            else:
                route(self, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test, or a size limit)

    def _send(self, status: int, payload: bytes = b"", content_type: str | None = "text/plain",
              headers: dict[str, str] | None = None, body: bool = True, length: bool = True) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if length:
            self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and payload:
            self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    scripted: "ScriptedServer"

    def handle_error(self, request, client_address) -> None:
        pass  # a client that hangs up is not a test failure


class ScriptedServer:
    """Start on enter (port 0 = a free port), stop on exit; records every request."""

    def __init__(self) -> None:
        self.plan = PLAN
        self.etag = '"plan-v1"'
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.scripted = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def __enter__(self) -> "ScriptedServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopping.set()  # wakes /slow.txt
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def seen(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self._seen if path is None or s.path == path]

    def hits(self, path: str) -> int:
        return len(self.seen(path))

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    # --- routes: route_<path with "/" stripped and "-", "." as "_"> ------------------------

    def route_plan_txt(self, h: _Handler, body: bool) -> None:
        if h.headers.get("If-None-Match") == self.etag:
            h._send(304, content_type=None, length=False,
                    headers={"ETag": self.etag, "Last-Modified": LAST_MODIFIED})
            return
        h._send(200, self.plan, "text/plain; charset=utf-8",
                {"ETag": self.etag, "Last-Modified": LAST_MODIFIED}, body=body)

    def route_flaky_txt(self, h: _Handler, body: bool) -> None:
        if self.hits("/flaky.txt") == 1:
            h._send(500, b"try again\n", body=body)
        else:
            h._send(200, PLAN, "text/plain; charset=utf-8", body=body)

    def route_slow_txt(self, h: _Handler, body: bool) -> None:
        self._stopping.wait(SLOW_SECONDS)
        h._send(200, PLAN, "text/plain", body=body)

    def route_trickle_txt(self, h: _Handler, body: bool) -> None:
        """A Content-Length of TRICKLE_BYTES, then a byte every 0.1 s (for 10 s at most)."""
        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(TRICKLE_BYTES))
        h.end_headers()
        for _ in range(100 if body else 0):
            if self._stopping.wait(0.1):
                return
            try:
                h.wfile.write(b"x")
                h.wfile.flush()
            except OSError:                 # the client gave up
                return

    def route_login_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"<!DOCTYPE html>\n<html><body>Login</body></html>\n", "text/plain", body=body)

    def route_error_comment_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"<!-- error -->\n<!DOCTYPE html>\n<html><body>Error</body></html>\n",
                "text/plain", body=body)

    def route_error_xml_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b'\xef\xbb\xbf<?xml version="1.0"?>\n<html><body>Error</body></html>\n',
                "application/octet-stream", body=body)

    def route_error_head_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"<head><title>Error</title></head><body>Service unavailable</body>\n",
                "text/plain", body=body)

    def route_ascii_pdf(self, h: _Handler, body: bool) -> None:
        h._send(200, b"%PDF-1.1\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                     b"trailer << /Root 1 0 R >>\n%%EOF\n", "application/octet-stream", body=body)

    def route_big_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"x" * BIG_BYTES, "text/plain", body=body)

    def route_big_stream_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"x" * BIG_BYTES, "text/plain", body=body, length=False)

    def route_sjis_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, SJIS, "text/plain; charset=Shift_JIS", body=body)

    def route_binary_bin(self, h: _Handler, body: bool) -> None:
        h._send(200, BINARY, "application/octet-stream", body=body)

    def route_page_html(self, h: _Handler, body: bool) -> None:
        h._send(200, b"<!doctype html><title>plan</title>\n", "text/html; charset=utf-8", body=body)

    def route_gzip_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, GZIPPED, "text/plain", {"Content-Encoding": "gzip"}, body=body)

    def route_gzip_cut_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, GZIPPED[:len(GZIPPED) // 2], "text/plain", {"Content-Encoding": "gzip"},
                body=body)

    def route_gzip_crc_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, GZIPPED[:-8] + bytes(8), "text/plain", {"Content-Encoding": "gzip"},
                body=body)

    def route_deflate_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, zlib.compress(GZIP_TEXT), "text/plain", {"Content-Encoding": "deflate"},
                body=body)

    def route_deflate_raw_txt(self, h: _Handler, body: bool) -> None:
        raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        h._send(200, raw.compress(GZIP_TEXT) + raw.flush(), "text/plain",
                {"Content-Encoding": "deflate"}, body=body)

    def route_comments_txt(self, h: _Handler, body: bool) -> None:
        h._send(200, b"<!---->" * 60 + PLAN, "text/plain", body=body)

    def route_loop_a(self, h: _Handler, body: bool) -> None:
        h._send(302, content_type=None, headers={"Location": "/loop-b"}, body=body)

    def route_loop_b(self, h: _Handler, body: bool) -> None:
        h._send(302, content_type=None, headers={"Location": "/loop-a"}, body=body)

    def route_bad_location_txt(self, h: _Handler, body: bool) -> None:     # an unclosed IPv6 host
        h._send(302, content_type=None, headers={"Location": "http://[::1/x"}, body=body)

    def route_moved_txt(self, h: _Handler, body: bool) -> None:
        h._send(301, content_type=None, headers={"Location": self.url("/plan.txt")}, body=body)

    def route_head_405_txt(self, h: _Handler, body: bool) -> None:
        if h.command == "HEAD":
            h._send(405, content_type="text/plain", headers={"Allow": "GET"}, body=False)
        else:
            h._send(200, PLAN, "text/plain", body=body)


# --- helpers for the tests that start a real server process (Datasette, Oxigraph) -----------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (it may be taken again before use:
    callers retry)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen) -> None:
    """Terminate a server process, killing it if it does not end within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
