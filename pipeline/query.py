"""`python -m pipeline query 'SPARQL'`: answers from the published files, without any endpoint.

rdf/graph.nt is loaded into an in-memory pyoxigraph store as the default graph. A query that
can read named graphs (it says GRAPH or FROM) finds the ones `load-store` writes, so that a
query written for the store works unchanged: every plan's `<base_uri>graph/plan/<plan_id>`
(its plans/<plan_id>/graph.nt) and the index graph `<base_uri>graph/<name>/plans`
(store_graphs.py), and also the publication's `<base_uri>graph/<name>` (graph.nt, as
`load-store --graph` with that name loads it); a query without them is answered without
loading them. A query with SERVICE (a request elsewhere) or nested deeper than MAX_NESTING is
refused; a SELECT table is streamed, its widths set by the first TABLE_SAMPLE rows.
"""

from __future__ import annotations

import io
import itertools
import queue
import re
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Iterable, Iterator

from .config import Config
from .errors import StoreError, undecodable_byte
from .rdf.vocabulary import default_graph_iri
from .store_graphs import GRAPH_FILE, store_graphs

QUERY_FORMATS = ("table", "csv", "json")
TABLE_SAMPLE = 1000               # rows of a SELECT table that set its column widths
MAX_COLUMN_WIDTH = 100            # display columns a column is padded to, at most
QUERY_BATCH = 1000                # rows handed from the query's thread to the printing one
CUT_SHORT = "the result was being printed: what was printed is incomplete"
NOWHERE = "the answer cannot be written to standard output"   # closed, full
MAX_NESTING = 200                 # levels of { ( [ in a query: pyoxigraph's parser and
                                  # evaluator recurse, and crash (a segfault) some 2000 deep

# The parts of a SPARQL query in which brackets and keywords are text, skipped by the checks of
# _check_query: long strings, strings, IRIs, comments (an unclosed string or IRI is not skipped).
_QUERY_TEXT = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""', r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"', r"'(?:[^'\\\n\r]|\\.)*'",
    r'<[^<>"{}|^`\\\x00-\x20]*>', r"#[^\n\r]*"))
_QUERY_TOKENS = re.compile(rf"(?:{_QUERY_TEXT})|(?P<open>[{{(\[])|(?P<close>[}})\]])"
                           r"|(?P<service>(?<![\w?$:.-])(?i:SERVICE)(?![\w:-]))"
                           r"|(?P<dataset>(?<![\w?$:.-])(?i:GRAPH|FROM)(?![\w:-]))")

# What may come before a query's form: blanks, comments, PREFIX and BASE declarations.
_PROLOGUE = re.compile(r"(?:\s+|#[^\n\r]*|(?i:PREFIX)\s*[^\s:<>]*:\s*<[^<>]*>|(?i:BASE)\s*<[^<>]*>)*")
# The first keyword of a SPARQL Update operation (https://www.w3.org/TR/sparql11-update/)
_UPDATE = re.compile(r"(?i:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:-])")

# A blank node as subject, or as object (the line then ends `_:label .`; a literal object
# always ends with `"`, a language tag or `>` before the final dot).

def run_query(out_dir: Path, query: str, config: Config, output_format: str = "table",
              out=None) -> None:
    """Run a SPARQL query over `<out_dir>/rdf/graph.nt` in memory (with the named graphs of
    the module's doc, for a query that can read them) and print the result:
    SELECT as a table (or SPARQL CSV / JSON results), ASK as true/false (JSON: a boolean
    result), CONSTRUCT/DESCRIBE as N-Triples. The graph is loaded and the query run in a
    thread of their own (see _in_thread), so that Ctrl-C stops a query however long it runs."""
    out = out or sys.stdout
    if out is None:             # (`>&-`: Python has no sys.stdout)
        raise StoreError(f"{NOWHERE} (it is closed)")
    if output_format not in QUERY_FORMATS:
        raise StoreError(f"unknown format {output_format!r} (one of {', '.join(QUERY_FORMATS)})")
    _check_query(query)
    source = out_dir / GRAPH_FILE
    if not source.is_file():
        raise StoreError(f"no {GRAPH_FILE.as_posix()}: publish first", out_dir)
    graphs = {default_graph_iri(config): source, **store_graphs(out_dir, config)} \
        if _reads_named_graphs(query) else {}
    answer = _in_thread(_answer(source, graphs, query, output_format))
    first = next(answer)
    try:
        if isinstance(first, bytes):
            _write(out, first)
        else:
            write_table(first, answer, out)
        out.flush()             # (a full disk says so here, not as the interpreter exits)
    except KeyboardInterrupt as interrupt:      # told in the command's last line
        interrupt.add_note(CUT_SHORT)
        raise
    except BrokenPipeError:     # its reader stopped (`| head`): the command's own ending
        raise
    except OSError as error:
        raise StoreError(f"{NOWHERE} ({_one_line(error)})") from None


def _reads_named_graphs(query: str) -> bool:
    """Whether the query can read a named graph: only GRAPH and FROM (NAMED) do so (the words
    outside strings, IRIs and comments, not part of a name)."""
    return any(token["dataset"] for token in _QUERY_TOKENS.finditer(query))


def _answer(source: Path, graphs: dict[str, Path | bytes], query: str,
            output_format: str) -> Iterator:
    """The store loaded (source as the default graph, each of `graphs` as a named graph: its
    file or N-Triples bytes), the query run: yields the answer's bytes, or a SELECT table's
    header and then its rows."""
    import pyoxigraph

    store = pyoxigraph.Store()
    for graph, data in ((None, source), *graphs.items()):
        _load(store, data, pyoxigraph.NamedNode(graph) if graph else None)
    try:
        result = store.query(query)
    except SyntaxError as exc:
        raise StoreError(f"SPARQL syntax error: {_one_line(exc)}") from None
    except (ValueError, OSError, RuntimeError) as exc:
        raise StoreError(f"query failed: {_one_line(exc)}") from None
    if isinstance(result, pyoxigraph.QueryBoolean):
        if output_format == "json":
            yield result.serialize(format=pyoxigraph.QueryResultsFormat.JSON) + b"\n"
        else:
            yield b"true\n" if bool(result) else b"false\n"
    elif isinstance(result, pyoxigraph.QueryTriples):
        yield result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
    elif output_format == "csv":
        yield result.serialize(format=pyoxigraph.QueryResultsFormat.CSV)
    elif output_format == "json":
        yield result.serialize(format=pyoxigraph.QueryResultsFormat.JSON) + b"\n"
    else:
        names = [v.value for v in result.variables]
        yield names
        for solution in result:
            yield [_cell(solution[name]) for name in names]


def _load(store, data: Path | bytes, graph) -> None:
    """N-Triples (a file, or bytes) into a graph of the store (None: the default graph)."""
    import pyoxigraph

    where = {"path": str(data)} if isinstance(data, Path) else {"input": data}
    try:
        store.load(**where, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=graph)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"cannot read the graph: {_one_line(exc)}",
                         data if isinstance(data, Path) else None) from None


def _in_thread(items: Iterator, batch: int = QUERY_BATCH) -> Iterator:
    """items, computed in a daemon thread and handed over in lists of `batch` while this thread
    waits for them. pyoxigraph loads and evaluates without looking at signals: run here, a long
    query could not be stopped by Ctrl-C (or SIGTERM), which now reach this thread at once; the
    other is left to end with the process. An exception of items is raised here."""
    handed = queue.Queue(maxsize=2)

    def produce() -> None:
        try:
            for chunk in iter(lambda: list(itertools.islice(items, batch)), []):
                handed.put(chunk)
            handed.put(None)
        except BaseException as error:      # raised in the waiting thread
            handed.put(error)

    threading.Thread(target=produce, name="query", daemon=True).start()
    while (chunk := handed.get()) is not None:
        if isinstance(chunk, BaseException):
            raise chunk
        yield from chunk


def _check_query(query: str) -> None:
    """Refuse, before pyoxigraph parses it, a query nested deeper than MAX_NESTING levels of
    brackets (a few thousand levels crash the process: exit 139, not a word printed), and
    SERVICE (pyoxigraph would send the request: `query` works on the published files only),
    an empty query or SPARQL Update (pyoxigraph's parser says only `expected CONSTRUCT`), and
    bytes that are not UTF-8 (read from the command line or stdin as lone surrogates)."""
    if (undecodable := undecodable_byte(query)) is not None:
        at, byte = undecodable
        line = query.count("\n", 0, at) + 1
        raise StoreError(f"the query is not UTF-8 text (byte 0x{byte:02x}, line {line}); not run")
    form = query[_PROLOGUE.match(query).end():]
    if not form:
        raise StoreError("the query is empty: SELECT, ASK, CONSTRUCT or DESCRIBE expected")
    if update := _UPDATE.match(form):
        raise StoreError(f"{update[0].upper()} is SPARQL Update: query only reads the published "
                         "files (SELECT, ASK, CONSTRUCT or DESCRIBE); load-store replaces a "
                         "store's graph")
    depth = 0
    for token in _QUERY_TOKENS.finditer(query):
        if token["service"]:
            line = query.count("\n", 0, token.start()) + 1
            raise StoreError(f"SERVICE (line {line}) is not run: query answers from the published "
                             "files only, without any network request")
        if token["open"]:
            depth += 1
            if depth > MAX_NESTING:
                line = query.count("\n", 0, token.start()) + 1
                raise StoreError(f"the query nests brackets more than {MAX_NESTING} levels deep "
                                 f"(line {line}); not run")
        elif token["close"]:
            depth = max(0, depth - 1)


def write_table(header: list[str], rows: Iterable[list[str]], out) -> None:
    """An aligned text table, written row by row (a result of millions of rows is never held):
    the widths come from the header and the first TABLE_SAMPLE rows, at most MAX_COLUMN_WIDTH
    display columns each; a wider cell is printed whole and shifts the rest of its row.
    Japanese (wide) characters count as two columns."""
    rows = iter(rows)
    sample = list(itertools.islice(rows, TABLE_SAMPLE))
    widths = [_width(name) for name in header]
    for row in sample:
        widths = [max(w, _width(cell)) for w, cell in zip(widths, row)]
    widths = [min(w, MAX_COLUMN_WIDTH) for w in widths]
    for line in itertools.chain([header, ["-" * w for w in widths]], sample, rows):
        out.write("  ".join(cell + " " * (w - _width(cell))
                            for cell, w in zip(line, widths)).rstrip() + "\n")


def format_table(header: list[str], rows: Iterable[list[str]]) -> str:
    """The table of write_table as one string (for a small result)."""
    text = io.StringIO()
    write_table(header, rows, text)
    return text.getvalue()


def _cell(term) -> str:
    """IRIs and literals by their value (no quotes, tags or datatypes), blank nodes as _:id,
    unbound as empty; line breaks and tabs shown as \\n, \\t so a row stays one line."""
    if term is None:
        return ""
    import pyoxigraph
    text = f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in text)


def _write(out, data: bytes) -> None:
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(data)
        buffer.flush()
    else:
        out.write(data.decode("utf-8"))


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"
