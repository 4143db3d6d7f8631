"""The named graphs a publication gives a SPARQL store: `load-store` writes them (store.py),
`query` reads them from the files (query.py).

Every plan has its own named graph, `<base_uri>graph/plan/<plan_id>`, holding
`plans/<plan_id>/graph.nt` (the plan graphs the edition's datapackage.json lists: a file someone
else put into the folder is not a plan's graph); the index graph `<base_uri>graph/<name>/plans`
records the SHA-256 of what each holds, so that load-store replaces only the graphs of the plans
that changed.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath
from typing import Mapping

from .config import Config
from .errors import StoreError
from .parsing import json_document
from .sources import PLAN_ID
from .rdf.vocabulary import default_graph_iri, plan_graph_iri

GRAPH_FILE = Path("rdf") / "graph.nt"
PACKAGE = "datapackage.json"
CHECKSUM_VALUE = "http://spdx.org/rdf/terms#checksumValue"


def index_graph_iri(config: Config) -> str:
    """The graph listing each loaded plan graph with the SHA-256 of its N-Triples."""
    return f"{default_graph_iri(config)}/plans"


# The digest the index gives a graph a load-store may leave behind when it stops (a plan graph
# being replaced, its staging graph): none of a file's, so the next run replaces or drops it.
PENDING = "0" * 64


def index_ntriples(graphs: Mapping[str, str]) -> bytes:
    """What the index graph holds: each graph (a plan's, by its IRI) with the SHA-256 of the
    file it holds (PENDING: of none yet)."""
    return "".join(f'<{graph}> <{CHECKSUM_VALUE}> "{digest}" .\n'
                   for graph, digest in graphs.items()).encode("utf-8")


def plan_index(config: Config, digests: Mapping[str, str]) -> dict[str, str]:
    """{plan graph IRI: SHA-256} of the plans' graph files (`digests`, by plan_id)."""
    return {plan_graph_iri(config, plan): digest for plan, digest in digests.items()}


def store_graphs(out_dir: Path, config: Config) -> dict[str, Path | bytes]:
    """The named graphs load-store writes by default, each with what it holds (a file, or
    N-Triples bytes): every plan's graph file in its plan graph, and the index graph."""
    files, digests = plan_files(out_dir)
    return {**{plan_graph_iri(config, plan): path for plan, path in files.items()},
            index_graph_iri(config): index_ntriples(plan_index(config, digests))}


def plan_files(out_dir: Path) -> tuple[dict[str, Path], dict[str, str]]:
    """Each plan's graph file and its SHA-256, by plan_id (see plan_graphs)."""
    files = plan_graphs(out_dir)
    return files, {plan: _digest(path) for plan, path in files.items()}


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise StoreError(f"listed in {PACKAGE} but cannot be read: {exc.strerror or exc}",
                         path) from None


def plan_graphs(out_dir: Path) -> dict[str, Path]:
    """{plan_id: its graph file} for the `plans/<plan_id>/graph.nt` resources of the edition's
    datapackage.json (empty without one): only what publish wrote, never a file someone else
    put into the folder."""
    try:
        package = json_document((out_dir / PACKAGE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise StoreError(f"cannot be read: {exc.strerror or exc}", out_dir / PACKAGE) from None
    except ValueError as exc:           # (not JSON, not UTF-8, too deep)
        raise StoreError(f"is not the publication's package (JSON): {exc}", out_dir / PACKAGE) from None
    resources = package.get("resources") if isinstance(package, dict) else None
    files = {}
    for resource in resources if isinstance(resources, list) else ():
        path = resource.get("path") if isinstance(resource, dict) else None
        parts = PurePosixPath(path).parts if isinstance(path, str) else ()
        if len(parts) == 3 and parts[0] == "plans" and parts[2] == "graph.nt":
            if not PLAN_ID.fullmatch(parts[1]) or ".." in parts[1]:    # no graph IRI, or not in plans/
                raise StoreError(f"resource {path}: {parts[1]!r} is no plan id: this is not a "
                                 "publication's package", out_dir / PACKAGE)
            files[parts[1]] = out_dir.joinpath(*parts)
    return dict(sorted(files.items()))


def read_index(text: str | None) -> dict[str, str]:
    """{plan graph IRI: SHA-256} from the index graph's N-Triples (empty when there is none)."""
    found = {}
    for line in (text or "").splitlines():
        match = re.match(r'^<([^>]+)> <' + re.escape(CHECKSUM_VALUE) + r'> "([0-9a-f]{64})"', line)
        if match:
            found[match[1]] = match[2]
    return found
