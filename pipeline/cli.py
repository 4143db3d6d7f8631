"""Command line: `python -m pipeline publish|validate|fetch|linkcheck|load-store|api|query`.

Errors in the input are reported as one line naming the file (and line), exit status 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from functools import partial
from pathlib import Path

from .arguments import a_path, at_least_one, tcp_port
from .config import Config, describe_defaults, find_config, load_config
from .console import say, to_devnull
from .errors import PipelineError, ValidationFailed, describe
from .startup import STOP_SIGNALS, require_utf8_file_names, utf8_file_names
from .stops import Terminated, raise_on_stop, restore, settle

DESCRIPTION = """\
Turn the text of Japanese local-government ICT plans into validated open data.

commands:
  publish    read every .txt in the raw folder, extract initiatives (取組), indicators (指標),
             schedules, references, sites, narrative sections and glossary terms, write them
             as CSV, JSON, Excel CSV and workbooks, SQLite and Parquet, RDF (four
             serialisations), with datapackage.json, a DCAT-AP catalogue, CKAN metadata and a
             web portal; validate them (frictionless, DCAT-AP SHACL) and only then replace the
             published folder.
  validate   check a published folder as publish checks a new edition, never writing to it:
             every table against its Table Schema (frictionless), every other file against
             its stated size and SHA-256 (in datapackage.json, the catalogue, or the portal's
             and URI documents' listings), the Excel variants and plan slices byte for byte.
  fetch      download every source of data/raw/sources.toml that has a `url` (checked: status,
             content type, size, text in UTF-8, UTF-16 with BOM, CP932 or EUC-JP) and record
             it in sources.lock.json; a raw file is replaced only after every check passed.
             Exit 1 if any source failed.
  linkcheck  check every URL of the published tables (HEAD, then GET), politely per host, and
             write a JSON report beside the published folder; the data are never changed.
  load-store load every plan into its own named graph (<base_uri>graph/plan/<plan_id>) of a
             SPARQL 1.1 Graph Store Protocol endpoint, replacing only the plans that changed
             since the last load, or with --graph IRI the whole rdf/graph.nt into one graph;
             each graph atomically (batches into a staging graph, then one SPARQL Update
             MOVE, or one PUT without an update endpoint). Endpoints from
             SPARQL_GSP_ENDPOINT / SPARQL_UPDATE_ENDPOINT, basic auth from SPARQL_USER /
             SPARQL_PASSWORD, or [store] in pipeline.toml.
  api        serve the published SQLite database with Datasette: a read-only JSON/SQL API.
  query      run a SPARQL query over the published rdf/graph.nt in memory (no endpoint):
             SELECT as a table (or csv/json), ASK as true/false, CONSTRUCT and DESCRIBE as
             N-Triples.

examples:
  python -m pipeline publish
  python -m pipeline publish --raw-dir data/raw --out-dir data/published
  python -m pipeline validate --out-dir data/published
  python -m pipeline fetch --raw-dir data/raw
  python -m pipeline linkcheck --out-dir data/published --report data/linkcheck.json
  python -m pipeline load-store --endpoint http://127.0.0.1:7878/store --update-endpoint http://127.0.0.1:7878/update
  python -m pipeline api --out-dir data/published --port 8001
  python -m pipeline query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'

The portal and the URIs (negotiated by Accept) on http://127.0.0.1:8000/:
  python -m pipeline.serve --out-dir data/published --port 8000
"""


CONFIG_HELP = ("publication settings: licence, publisher, version (default: pipeline.toml in the "
               "working directory, else above the raw folder: data/raw -> data/, the project "
               "folder; else built-in defaults, which name no publisher)")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m pipeline", description=DESCRIPTION,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    main.add_argument("--config", type=a_path, default=None, help=CONFIG_HELP)
    # --config also after the subcommand; there it overrides one given before
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", type=a_path, default=argparse.SUPPRESS, help=CONFIG_HELP)
    commands = main.add_subparsers(dest="command", required=True, metavar="command")
    commands.add_parser = partial(commands.add_parser, parents=[config])
    publish = commands.add_parser("publish", help="extract, validate and publish the tables",
                                  description="Extract every .txt source and publish the validated tables.")
    publish.add_argument("--raw-dir", type=a_path, default=Path("data/raw"),
                         help="folder with the source .txt files and sources.toml (default: data/raw)")
    publish.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                         help="folder to publish into; replaced only after validation (default: data/published)")
    publish.add_argument("--cache-dir", type=a_path, default=None,
                         help="extraction cache keyed by content hash: unchanged documents are not "
                              "re-extracted (default: $XDG_CACHE_HOME/plan-opendata/extract, "
                              "that is ~/.cache/plan-opendata/extract)")
    publish.add_argument("--no-cache", action="store_true", help="extract every document afresh")
    publish.add_argument("--strict", action="store_true",
                         help="treat every warning as an error: exit 1 and publish nothing (for "
                              "scheduled runs that must not publish partial data)")
    validate = commands.add_parser("validate", help="check a published folder (frictionless, sizes, SHA-256)",
                                   description="Check a published folder as publish checks a new "
                                   "edition, never writing to it: every table against its Table "
                                   "Schema (frictionless), every other file against its stated "
                                   "size and SHA-256 (in datapackage.json, the catalogue, whose "
                                   "catalog.ttl must hold catalog.jsonld's triples, or the "
                                   "portal's and URI documents' listings), the Excel variants and "
                                   "plan slices byte for byte.")
    validate.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                          help="published folder (default: data/published)")
    fetch = commands.add_parser("fetch", help="download the sources that sources.toml gives a url for",
                                description="Download every [[source]] with a url into the raw folder; "
                                            "a failed fetch keeps the last good file.")
    fetch.add_argument("--raw-dir", type=a_path, default=Path("data/raw"),
                       help="folder with sources.toml; files and sources.lock.json are written here "
                            "(default: data/raw)")
    linkcheck = commands.add_parser("linkcheck", help="check the URLs cited by the published tables",
                                    description="Check every URL of initiatives.csv, sites.csv and "
                                                "references.csv and write a JSON report.")
    linkcheck.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                           help="published folder to read (never written) (default: data/published)")
    linkcheck.add_argument("--report", type=a_path, default=None,
                           help="report file, outside the published folder "
                                "(default: linkcheck.json beside the published folder)")
    linkcheck.add_argument("--fail-on-broken", action="store_true",
                           help="exit with status 1 when a link is broken (default: exit 0, it is a report)")
    linkcheck.add_argument("--workers", type=at_least_one, default=4,
                           help="hosts checked at the same time (default: 4)")
    linkcheck.add_argument("--delay", type=float, default=1.0,
                           help="seconds between two requests to the same host (default: 1)")
    linkcheck.add_argument("--timeout", type=float, default=15.0,
                           help="read timeout per request in seconds; connect timeout is at most 5 "
                                "(default: 15)")
    load_store = commands.add_parser(
        "load-store", help="replace the plans' graphs in a SPARQL store (Graph Store Protocol)",
        description="Upload each plans/<plan_id>/graph.nt of a published folder into its own named "
                    "graph of a SPARQL 1.1 Graph Store Protocol endpoint (only the plans that "
                    "changed since the last load), or rdf/graph.nt into the one graph given by "
                    "--graph, replacing each atomically. Settings: command "
                    "line > environment (SPARQL_GSP_ENDPOINT, SPARQL_UPDATE_ENDPOINT, SPARQL_USER, "
                    "SPARQL_PASSWORD) > [store] in pipeline.toml.")
    load_store.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                            help="published folder to read (never written) (default: data/published)")
    load_store.add_argument("--endpoint", default=None, metavar="URL",
                            help="Graph Store Protocol endpoint, e.g. http://127.0.0.1:7878/store "
                                 "(default: $SPARQL_GSP_ENDPOINT or [store] gsp_endpoint)")
    load_store.add_argument("--update-endpoint", default=None, metavar="URL",
                            help="SPARQL Update endpoint for the atomic MOVE, e.g. "
                                 "http://127.0.0.1:7878/update (default: $SPARQL_UPDATE_ENDPOINT or "
                                 "[store] update_endpoint; without one the graph is replaced by one PUT)")
    load_store.add_argument("--gsp-only", action="store_true",
                            help="never use an update endpoint: replace the graph with one PUT")
    load_store.add_argument("--graph", default=None, metavar="IRI",
                            help="load the whole rdf/graph.nt into this one named graph (default: "
                                 "[store] graph, else one graph per plan, <base_uri>graph/plan/<plan_id>)")
    load_store.add_argument("--batch-size", type=int, default=None, metavar="LINES",
                            help="N-Triples lines per upload request (default: 50000)")
    load_store.add_argument("--tries", type=int, default=None,
                            help="tries per request on connection errors and 5xx (default: 3)")
    load_store.add_argument("--backoff", type=float, default=None, metavar="SECONDS",
                            help="pause before the 2nd try, doubled before each further one (default: 1)")
    load_store.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                            help="read timeout per request in seconds (default: 300)")
    api = commands.add_parser(
        "api", help="serve the published SQLite database as a read-only JSON/SQL API (Datasette)",
        description="Run Datasette on the published database, immutable (-i), with the metadata "
                    "generated from the Table Schemas (titles, licence, source).")
    api.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                     help="published folder to serve (never written) (default: data/published)")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    api.add_argument("--port", type=tcp_port, default=8001, help="port (default: 8001)")
    query = commands.add_parser(
        "query", help="run a SPARQL query over the published graph (in memory, no endpoint)",
        description="Load rdf/graph.nt into an in-memory store as the default graph and run one "
                    "SPARQL query: SELECT, ASK, CONSTRUCT or DESCRIBE. A query that says GRAPH or "
                    "FROM also finds the named graphs load-store writes: each plan's "
                    "graph/plan/<plan_id>, the index graph and the publication's graph.")
    query.add_argument("sparql", metavar="SPARQL", help="the query text ('-' reads it from stdin)")
    query.add_argument("--out-dir", type=a_path, default=Path("data/published"),
                       help="published folder to read (default: data/published)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="SELECT results as an aligned table, SPARQL CSV or SPARQL JSON "
                            "(default: table)")
    main.command_parsers = commands.choices      # (main: an unknown option said by its command)
    return main


INTERRUPTED = {     # what a command stopped by Ctrl-C or SIGTERM leaves (each cleans up on its way
    # out), unless it noted otherwise on the interrupt (query: a result cut short)
    "publish": "the previous publication is unchanged",
    "fetch": "the files fetched so far are replaced and in sources.lock.json; the others unchanged",
    "load-store": "each graph is replaced whole or not at all",
}


def main(argv: list[str] | None = None, *, then_ignore_stops: bool = False) -> int:
    """The command of argv; Ctrl-C and SIGTERM raise while it runs, then the handlers before
    it are put back (or, `then_ignore_stops`, the signals ignored: entry)."""
    utf8_file_names()               # (its help and usage errors said under any locale)
    parsing = parser()
    args, unknown = parsing.parse_known_args(argv)
    if unknown:                     # with the command's usage, as its options are what was meant
        parsing.command_parsers[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    require_utf8_file_names()
    previous = raise_on_stop() if threading.current_thread() is threading.main_thread() else None
    if previous is not None and then_ignore_stops:
        previous.update({signum: signal.SIG_IGN for signum in STOP_SIGNALS})
    try:
        return run(args)
    except ValidationFailed as failure:
        settle()                        # (its status stands: a stop while it is said is too late)
        for finding in failure.findings:
            say(f"  {finding}")
        say(f"error: {failure}")
    except PipelineError as error:
        settle()
        say(f"error: {error}")
    except KeyboardInterrupt as interrupt:
        if previous is not None:        # a second Ctrl-C would cut this line or cleanup short
            _ignore_stop_signals()
        left = (getattr(interrupt, "__notes__", None) or
                [INTERRUPTED.get(args.command, "nothing was written")])[-1]
        say(f"error: interrupted; {left}")
        return 143 if isinstance(interrupt, Terminated) else 130
    except BrokenPipeError:             # stdout's reader stopped (`query … | head`): nothing to say
        to_devnull(sys.stdout)
        return 141                      # as a program ended by SIGPIPE (128 + 13)
    except Exception as error:          # never a traceback: one line naming input and command
        settle()
        where = getattr(args, "raw_dir", None) or getattr(args, "out_dir", None) or args.command
        say(f"error: {where}: {args.command} failed: {describe(error)}")
    finally:
        if previous is not None:
            try:
                settle()                # (its status stands: a stop from here on is too late)
            except KeyboardInterrupt:   # (one that came just before)
                settle()
            restore(previous)
    return 1


def entry() -> int:
    """The program (`python -m pipeline`, `plan-pipeline`): main(), whose handlers of Ctrl-C
    and SIGTERM take over from the program's start (startup.py: stop at once, nothing done)
    and give way to ignoring them once it returns, while the interpreter exits, as the
    command's work and its exit status are settled (a signal in that last tenth of a second
    ended a completed publish with status 130/143, which says nothing was published). They
    were ignored from the start of main: a signal while it read its command line was lost,
    and the publish it meant to stop went on to the end."""
    return main(then_ignore_stops=True)


def _ignore_stop_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def publication_settings(args: argparse.Namespace) -> Config:
    """The settings file given, or found (see find_config); which one is said on stderr."""
    near = getattr(args, "raw_dir", None) or getattr(args, "out_dir", None)
    path, looked = find_config(args.config, near)
    if path is None:
        say(f"config: no {looked[0].name} in {', '.join(str(p.parent) for p in looked)}; "
            f"{describe_defaults()}")
        return Config()
    if args.config is None and path.parent != Path.cwd():
        say(f"config: {path}")
    return load_config(path)


def default_cache_dir() -> Path:
    """The extraction cache: $XDG_CACHE_HOME (or ~/.cache) /plan-opendata/extract. A relative
    XDG_CACHE_HOME is ignored, as the XDG specification asks (it put the cache into the
    working directory)."""
    home = Path(os.environ.get("XDG_CACHE_HOME", ""))
    base = home if home.is_absolute() else Path.home() / ".cache"
    return base / "plan-opendata" / "extract"


def run(args: argparse.Namespace) -> int:
    if args.config is not None and args.command not in ("publish", "load-store", "query"):
        publication_settings(args)  # read though unused here: a wrong path or file is said
    if args.command == "publish":
        from .publish import publish
        cache = None if args.no_cache else (args.cache_dir or default_cache_dir())
        publish(args.raw_dir, args.out_dir, publication_settings(args), cache_dir=cache,
                strict=args.strict)
    elif args.command == "validate":
        from .validate_listings import validate_publication
        descriptor = args.out_dir / "datapackage.json"
        if not descriptor.exists():
            raise PipelineError("no datapackage.json: publish first", args.out_dir)
        count, others = validate_publication(args.out_dir)
        say(f"valid: {descriptor} ({count} resources), and the {others} other files with the "
            "bytes and SHA-256 the catalogue and the listings it names state")
    elif args.command == "fetch":
        from .fetch import fetch_sources
        outcomes = fetch_sources(args.raw_dir)
        return 1 if any(o.status == "failed" for o in outcomes) else 0
    elif args.command == "linkcheck":
        from .linkcheck import check_links
        results, _ = check_links(args.out_dir, args.report, workers=args.workers, delay=args.delay,
                                 timeout=(min(5.0, args.timeout), args.timeout))
        if args.fail_on_broken and any(not r.ok for r in results):
            return 1
    elif args.command == "load-store":
        from .store import load_store
        from .store_settings import resolve_settings
        config = publication_settings(args)
        settings = resolve_settings(config, endpoint=args.endpoint,
                                    update_endpoint=args.update_endpoint, gsp_only=args.gsp_only,
                                    graph=args.graph, batch_size=args.batch_size, tries=args.tries,
                                    backoff=args.backoff, timeout=args.timeout)
        load_store(args.out_dir, settings, config)
    elif args.command == "api":
        from .export.datasette import datasette_command
        command = datasette_command(args.out_dir, args.host, args.port)
        os.execv(command[0], command)        # Datasette replaces this process
    elif args.command == "query":
        from .query import run_query
        text = sys.stdin.read() if args.sparql == "-" else args.sparql
        run_query(args.out_dir, text, publication_settings(args), args.format)
    return 0
