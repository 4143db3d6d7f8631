"""`python -m pipeline.serve [--out-dir DIR] [--port 8000]`: the published folder on
http://127.0.0.1:PORT/ with the content negotiation the shipped nginx / Apache configuration
does (rdf/negotiation.py): a path that is no file but has `.html` / `.ttl` / `.jsonld`
documents answers with the one the Accept header asks for, and a catalogue URI below the
documents folder (rdf/uri-documents.json names it) with `303 See Other` to the catalogue's
file, or for a browser to the portal's page of it (export/pageroutes.py, from the publication's
name in datapackage.json), both with `Vary: Accept`."""

from __future__ import annotations

if __name__ == "__main__":          # the program: a stop signal while it starts is one line
    from .startup import stop_at_once_while_starting
    stop_at_once_while_starting()

import argparse  # noqa: E402  (the imports below: the program's start)
import functools
import http.server
import os
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .arguments import a_path, tcp_port
from .console import say
from .errors import PipelineError, describe
from .parsing import json_document
from .startup import require_utf8_file_names, utf8_file_names
from .export.listing import SITE_LANDING_PAGE, URI_DOCUMENTS, load_package
from .export.pageroutes import catalogue_pages
from .rdf.documents import SUFFIXES
from .rdf.negotiation import MEDIA_TYPES, PageRoute, catalogue_document, choose_suffix


NOT_FOUND = "404"      # (NegotiatingHandler.route: no file of the folder)


class NegotiatingHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      **{f".{suffix}": media for suffix, media in MEDIA_TYPES.items()}}
    negotiated = False
    documents_folder: str | None = None      # e.g. "id/" (None: the folder has no URI documents)
    routes: tuple[PageRoute, ...] = ()       # the portal pages of the catalogue's URIs

    def send_head(self):
        try:
            route = self.route()
        except (OSError, ValueError):       # a name too long, a NUL (%00): no such file
            route = NOT_FOUND
        if route is NOT_FOUND:
            self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
            return None
        if route is not None:
            return self.see_other(route)
        return super().send_head()

    def route(self) -> str | None:
        """Where a request goes: None to the file of self.path (made the path of the document
        the Accept header asks for, for a URI with documents), the catalogue's file for a
        catalogue URI (303), or NOT_FOUND (outside the folder)."""
        path = unquote(urlsplit(self.path).path)
        local = Path(self.translate_path(self.path))
        self.negotiated = False
        if not local.is_file() and not path.endswith("/"):
            documents = {suffix: local.with_name(local.name + suffix) for suffix in SUFFIXES}
            if all(file.is_file() for file in documents.values()):
                self.path = path + choose_suffix(self.headers.get("Accept"))
                self.negotiated = True
            elif (catalogue := self.catalogue_file(path)) is not None:
                return catalogue
            elif local.is_dir() and not (local / "index.html").is_file():
                return NOT_FOUND            # (not 301 to its `/`, then 404: list_directory)
        return None if self.inside_folder(self.translate_path(self.path)) else NOT_FOUND

    def catalogue_file(self, path: str) -> str | None:
        """The catalogue's file, or the portal's page, a URI path below the documents folder
        is sent to, if any (the landing page for a page that does not exist)."""
        folder = f"/{self.documents_folder}"
        if self.documents_folder is None or not path.startswith(folder):
            return None
        file = catalogue_document(path[len(folder):], self.headers.get("Accept"), self.routes)
        if file is None or (Path(self.directory) / file).is_file():
            return file
        return SITE_LANDING_PAGE

    def see_other(self, file: str) -> None:
        self.negotiated = True
        self.send_response(http.HTTPStatus.SEE_OTHER)
        self.send_header("Location", f"/{file}")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def inside_folder(self, local: str) -> bool:
        """Whether the file a request names is in the served folder once links are followed:
        a link someone put into the published folder (publish keeps it) never serves a file
        from elsewhere on this machine."""
        root, real = os.path.realpath(self.directory), os.path.realpath(local)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def list_directory(self, path):
        """A folder without an index.html: 404, as nginx and the .htaccess answer, never a
        listing of its files."""
        self.send_error(http.HTTPStatus.NOT_FOUND, "File not found")
        return None

    def end_headers(self):
        if self.negotiated:
            self.send_header("Vary", "Accept")
        super().end_headers()

    def log_message(self, format, *args):
        if os.environ.get("SERVE_QUIET") is None:
            super().log_message(format, *args)


def make_server(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = type("Handler", (NegotiatingHandler,),
                   {"documents_folder": documents_folder(folder), "routes": page_routes(folder)})
    return http.server.ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(folder)))


def documents_folder(folder: Path) -> str | None:
    """The URI documents' folder of a published folder, as its listing states it (None
    without one: its URIs have no documents, so none are answered)."""
    try:
        stated = json_document((folder / URI_DOCUMENTS).read_text(encoding="utf-8")).get("folder")
    except (OSError, ValueError, AttributeError):
        return None
    return stated if isinstance(stated, str) and stated.endswith("/") else None


def page_routes(folder: Path) -> tuple[PageRoute, ...]:
    """The portal pages of the catalogue's URIs of a published folder, by its name in
    datapackage.json (none without one: a browser is sent to the landing page)."""
    try:
        name = load_package(folder).get("name")
        return catalogue_pages(name) if isinstance(name, str) else ()
    except (PipelineError, AttributeError):     # none, no object, or no ASCII name to make
        return ()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.serve",
        description="Serve a published folder, its portal and its URIs, on http://127.0.0.1:PORT/ "
                    "with the content negotiation of the shipped nginx and Apache configurations: "
                    "a URI answers with its .html, .ttl or .jsonld document, whichever the Accept "
                    "header asks for (q-values honoured), with Vary: Accept. Ctrl-C stops it.")
    parser.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                        help="published folder to serve (never written) (default: data/published)")
    parser.add_argument("--port", type=tcp_port, default=8000,
                        help="port on 127.0.0.1 (default: 8000)")
    utf8_file_names()               # (its help and usage errors said under any locale)
    args = parser.parse_args(argv)
    require_utf8_file_names()
    try:
        return _serve(args)
    except Exception as error:          # never a traceback: one line naming the folder
        say(f"error: {args.out_dir}: serve failed: {describe(error)}")
        return 1


def _serve(args: argparse.Namespace) -> int:
    if not (args.out_dir / "index.html").is_file():
        say(f"error: {args.out_dir}/index.html missing; run make publish first")
        return 1
    try:
        server = make_server(args.out_dir, args.port)
    except OSError as exc:          # a port in use, or one this user may not have (< 1024)
        say(f"error: cannot listen on http://127.0.0.1:{args.port}/: {exc.strerror}")
        return 1
    if threading.current_thread() is threading.main_thread():     # the program's start is over
        signal.signal(signal.SIGINT, signal.default_int_handler)   # Ctrl-C stops serve_forever
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with server:
        say(f"serving {args.out_dir} on http://127.0.0.1:{server.server_address[1]}/ "
            "(URIs negotiated by Accept; Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
