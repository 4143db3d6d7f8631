"""The SPARQL store stage: push the published graph into a triple store (`query.py` asks
the published graph without one).

`python -m pipeline load-store` sends the published N-Triples (read as bytes, never rebuilt) to
any SPARQL 1.1 Graph Store Protocol (GSP) endpoint. By default every plan has its own named
graph, `<base_uri>graph/plan/<plan_id>`, loaded from `plans/<plan_id>/graph.nt` (the plan graphs
the edition's datapackage.json lists: a file someone else put into the folder is not loaded); an index graph
`<base_uri>graph/<name>/plans` records the SHA-256 of what each holds, so a later run replaces
only the graphs of the plans that changed (and drops those of plans no longer published). With
`--graph IRI` (or `graph` in [store]) the whole `rdf/graph.nt` goes into that one graph instead.
Each graph is replaced atomically, so a reader never sees it half-loaded or mixed with the
previous edition:

1. the N-Triples lines are uploaded in batches (BATCH_SIZE lines per request, so a huge graph
   never needs one giant request) into a staging graph `<graph>-staging-<pid>`: the first batch
   with HTTP PUT (which empties a leftover graph of that name), the others with POST;
2. with a SPARQL Update endpoint, one request `MOVE <staging> TO <graph>` swaps it in (one
   update request is one transaction); without one, one HTTP PUT of the whole file replaces
   the target graph (atomic per the protocol, if the store implements PUT as one
   transaction) and the staging graph is deleted.

A failure before the swap leaves the target graph as it was (the staging graph is deleted on
a best-effort basis, and named in the error line where that fails too). Connection errors, timeouts and 5xx are retried with exponential backoff;
a request that may have been carried out (the MOVE after a read timeout) is not repeated.
Lines that use blank nodes are never split over several requests: a blank node label is
scoped to one document, so a graph with blank nodes is sent as one batch.

The graphs and their files are named in store_graphs.py, the settings read in store_settings.py.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Callable, Iterator

import requests

from .config import Config
from .console import say
from .errors import StoreError
from .fetch import describe_exception, network_reason
from .rdf.vocabulary import plan_graph_iri
from .store_graphs import (GRAPH_FILE, PENDING, index_graph_iri, index_ntriples, plan_files,
                           plan_index, read_index)
from .store_settings import ENV_PASSWORD, ENV_USER, MAX_SECONDS, StoreSettings, redact

N_TRIPLES = "application/n-triples"
SPARQL_UPDATE = "application/sparql-update"
USER_AGENT = "plan-opendata-pipeline/0.1 (load-store)"
CLEANUP_TIMEOUT = (5.0, 30.0)    # or the --timeout given, if shorter
_BLANK_NODE = re.compile(rb'^\s*_:|\s_:[^\s"<>]+\s*\.\s*(#.*)?$')


def load_store(out_dir: Path, settings: StoreSettings, config: Config | None = None,
               log: Callable[[str], None] | None = None) -> int:
    """Load the publication into the store: each plan's graph into its own named graph (only
    the changed ones), or with `settings.graph` the whole graph into that one. Returns the
    number of triples sent. Raises StoreError (one line naming the endpoint) on any failure."""
    log = log or say
    if settings.graph is None:
        return _load_plans(out_dir, settings, config or Config(), log)
    source = out_dir / GRAPH_FILE
    if not source.is_file():
        raise StoreError(f"no {GRAPH_FILE.as_posix()}: publish first", out_dir)
    with _Client(settings) as client:
        triples, batches, how = _replace_graph(client, source, settings.graph, log)
    log(f"store: {triples} triples in {batches} batch{'es' if batches != 1 else ''} "
        f"into {settings.graph} at {redact(settings.gsp_endpoint)} ({how})")
    return triples


def _load_plans(out_dir: Path, settings: StoreSettings, config: Config,
                log: Callable[[str], None]) -> int:
    """Replace the named graph of every plan whose graph.nt differs from what the index graph
    says was loaded; drop the graphs of plans no longer published; then write the index.
    Before a plan's graph is touched, the index lists it (PENDING), so a run that stops
    anywhere leaves no plan graph the next one does not know of. (A staging graph is this
    run's alone: another run at the same time may be filling its own.)"""
    files, digests = plan_files(out_dir)
    if not files:
        raise StoreError("no plans/<plan_id>/graph.nt: publish first", out_dir)
    wanted = plan_index(config, digests)
    file_of = {plan_graph_iri(config, plan): path for plan, path in files.items()}
    index = index_graph_iri(config)
    sent = 0
    with _Client(settings) as client:
        loaded = read_index(client.get(index, what="reading the index of loaded plan graphs"))
        changed = [graph for graph, digest in wanted.items() if loaded.get(graph) != digest]
        gone = sorted(set(loaded) - set(wanted))
        if changed:
            client.gsp("PUT", index, index_ntriples({**loaded, **dict.fromkeys(changed, PENDING)}),
                       what="writing the index of loaded plan graphs")
        for graph in changed:
            sent += _replace_graph(client, file_of[graph], graph, log)[0]
        for graph in gone:          # (already gone: a run stopped after dropping it)
            client.gsp("DELETE", graph, None, missing_ok=True,
                       what=f"dropping the graph of a plan no longer published ({graph})")
        client.gsp("PUT", index, index_ntriples(wanted), what="writing the index of loaded plan graphs")
    log(f"store: {len(changed)} plan graph(s) replaced ({sent} triples), "
        f"{len(wanted) - len(changed)} unchanged, {len(gone)} dropped, at "
        f"{redact(settings.gsp_endpoint)} (index {index})")
    return sent


def _replace_graph(client: "_Client", source: Path, graph: str,
                   log: Callable[[str], None]) -> tuple[int, int, str]:
    """Replace one named graph by the file's triples, staged and swapped (see module doc);
    returns (triples, batches, how it was swapped)."""
    settings = client.settings
    triples, blank_nodes = _scan(source)
    batch_size = triples + 1 if blank_nodes else settings.batch_size
    batches = max(1, -(-triples // batch_size))
    staging = f"{graph}-staging-{os.getpid()}"     # (this process's alone)
    if blank_nodes and triples > settings.batch_size:
        log(f"store: {source.name} has blank nodes; sent in one request so that "
            "each keeps its identity")
    staged = True  # from the first request on, a staging graph may exist
    try:
        sent = 0
        for number, batch in enumerate(_batches(source, batch_size), start=1):
            client.gsp("PUT" if number == 1 else "POST", staging, batch,
                       what=f"batch {number}/{batches} into the staging graph")
            sent = number
            if batches > 1:
                log(f"store: batch {number}/{batches} uploaded to {staging}")
        if not sent:  # an empty graph: the target is still replaced, by an empty graph
            client.gsp("PUT", staging, b"", what="the staging graph")
        if settings.update_endpoint:
            client.update(f"MOVE <{staging}> TO <{graph}>",
                          what="swapping the staging graph in (MOVE)")
            staged = False
            how = f"swapped in with MOVE at {redact(settings.update_endpoint)}"
        else:
            client.gsp("PUT", graph, source, what="replacing the graph (PUT)")
            how, staged = "replaced with one PUT", False        # (a failure below names it)
            client.gsp("DELETE", staging, None,
                       what=f"the graph was replaced, but deleting the staging graph {staging} failed")
    except BaseException as failure:
        if staged:
            _discard_or_say(client, staging, failure)
        raise
    return triples, batches, how


def _discard_or_say(client: "_Client", staging: str, failure: BaseException) -> None:
    """Delete a staging graph after `failure`; where that fails too (the store down, a second
    Ctrl-C), name it in the error line (a StoreError raised anew, or a note on the interrupt)."""
    left = f"the staging graph {staging} may be left in the store (DROP SILENT GRAPH <{staging}> " \
           "removes it)"
    try:
        if client.discard(staging):
            return
    except BaseException as again:      # (Ctrl-C again: its line says it)
        again.add_note(left)
        raise
    if isinstance(failure, StoreError):
        raise StoreError(f"{failure.message}; {left}", failure.path) from None
    failure.add_note(left)


def _scan(path: Path) -> tuple[int, bool]:
    """(number of triples, whether any line has a blank node), reading line by line."""
    count, blank = 0, False
    with path.open("rb") as lines:
        for line in lines:
            if _is_statement(line):
                count += 1
                if not blank and b"_:" in line and _BLANK_NODE.search(line.rstrip(b"\r\n")):
                    blank = True
    return count, blank


def _is_statement(line: bytes) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith(b"#")


def _batches(path: Path, size: int) -> Iterator[bytes]:
    """The file's statements, `size` lines per chunk, every chunk ending with a newline."""
    chunk: list[bytes] = []
    with path.open("rb") as lines:
        for line in lines:
            if not _is_statement(line):
                continue
            chunk.append(line if line.endswith(b"\n") else line + b"\n")
            if len(chunk) == size:
                yield b"".join(chunk)
                chunk = []
    if chunk:
        yield b"".join(chunk)


class _Client:
    """requests with retries, timeouts and one-line StoreErrors naming the endpoint."""

    def __init__(self, settings: StoreSettings):
        self.settings = settings
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        if settings.user:  # UTF-8 (RFC 7617), so a non-Latin-1 password works too
            self.session.auth = (settings.user.encode("utf-8"),
                                 (settings.password or "").encode("utf-8"))

    def __enter__(self) -> "_Client":
        return self

    def __exit__(self, *exc) -> None:
        self.session.close()

    def gsp(self, method: str, graph: str, body: bytes | Path | None, *, what: str,
            missing_ok: bool = False) -> None:
        """A Graph Store Protocol request on `graph`; missing_ok: a 404 is no failure."""
        headers = {"Content-Type": N_TRIPLES} if body is not None else {}
        self._send(method, self.settings.gsp_endpoint, params={"graph": graph}, body=body,
                   headers=headers, what=what, idempotent=True, missing_ok=missing_ok)

    def get(self, graph: str, *, what: str) -> str | None:
        """A graph as N-Triples text, or None when the store has no such graph (404)."""
        return self._send("GET", self.settings.gsp_endpoint, params={"graph": graph}, body=None,
                          headers={"Accept": N_TRIPLES}, what=what, idempotent=True, missing_ok=True)

    def update(self, text: str, *, what: str) -> None:
        self._send("POST", self.settings.update_endpoint, params=None, body=text.encode("utf-8"),
                   headers={"Content-Type": f"{SPARQL_UPDATE}; charset=utf-8"}, what=what,
                   idempotent=False)

    def discard(self, graph: str) -> bool:
        """Best effort: delete a staging graph after a failure (one try, short timeout);
        whether it is gone (deleted, or never made: 404)."""
        try:
            response = self.session.delete(
                self.settings.gsp_endpoint, params={"graph": graph},
                timeout=tuple(map(min, CLEANUP_TIMEOUT, self.settings.timeout)),
                allow_redirects=False)
            response.close()
            return response.ok or response.status_code == 404
        except requests.RequestException:
            return False

    def _send(self, method, url, *, params, body, headers, what, idempotent,
              missing_ok: bool = False) -> str | None:
        settings = self.settings
        where = redact(url)
        for attempt in range(1, settings.tries + 1):
            last = attempt == settings.tries
            try:
                if isinstance(body, Path):  # streamed from the file, re-opened for each try
                    with body.open("rb") as data:
                        response = self.session.request(method, url, params=params, data=data,
                                                         headers=headers, timeout=settings.timeout,
                                                         allow_redirects=False)
                else:
                    response = self.session.request(method, url, params=params, data=body,
                                                    headers=headers, timeout=settings.timeout,
                                                    allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                raise StoreError(f"{what}: TLS error: {describe_exception(exc)}", where) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                maybe_done = not idempotent and not _not_sent(exc)
                if last or maybe_done:
                    note = (" (the request may have been carried out; check the graph, then "
                            "run load-store again)" if maybe_done else
                            f" (after {settings.tries} tr{'ies' if settings.tries > 1 else 'y'})")
                    raise StoreError(f"{what}: {network_reason(exc, settings.timeout)}{note}",
                                     where) from None
            except (requests.RequestException, ValueError) as exc:  # invalid URL, header, …
                raise StoreError(f"{what}: {describe_exception(exc)}", where) from None
            else:
                with response:
                    status = response.status_code
                    if 200 <= status < 300:
                        return response.text if method == "GET" else None
                    if missing_ok and status == 404:
                        return None
                    retryable = status >= 500 and (idempotent or status == 503)
                    if not retryable or last:
                        raise StoreError(f"{what}: {_http_reason(response)}"
                                         + (f" (after {settings.tries} tries)" if retryable else ""),
                                         where)
            time.sleep(min(settings.backoff * 2 ** min(attempt - 1, 32), MAX_SECONDS))


def _not_sent(exc: Exception) -> bool:
    """True when the request certainly never reached the server (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    text = str(exc)
    return "NewConnectionError" in text or "Connection refused" in text or "Name or service" in text


def _http_reason(response: requests.Response) -> str:
    reason = f"HTTP {response.status_code} {response.reason or ''}".rstrip()
    if response.status_code in (401, 403):
        return f"{reason} (check {ENV_USER} / {ENV_PASSWORD})"
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location")
        return f"{reason} (redirected{' to ' + redact(location) if location else ''}; " \
               "give the final URL)"
    try:
        text = " ".join(response.text.split())
    except Exception:  # an undecodable body: the status says enough
        text = ""
    if text:
        reason += ": " + (text if len(text) <= 200 else text[:199] + "…")
    return reason

