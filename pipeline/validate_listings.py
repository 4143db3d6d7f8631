"""The files of a published folder that datapackage.json does not describe, checked against
what the publication states of them: the last step of `pipeline validate`, which runs both
checks (validate_publication).

The catalogue (catalog.jsonld) states the bytes (`dcat:byteSize`) and SHA-256
(`spdx:checksum`) of every distribution: the databases, Parquet files, workbooks, CKAN
metadata, server configuration, change report and the two listings below. The portal's listing
(site-manifest.json) and the URI documents' listing (rdf/uri-documents.json) state the bytes
and SHA-256 of each of their files. The Apache rules installed in the URI documents' folder
(`id/.htaccess`, which Apache never serves, so no distribution) must have the bytes and SHA-256
the catalogue states of the rules to download (`server/apache.htaccess`). So every file is
checked but the catalogue itself (the statement; catalog.ttl must hold the same triples as
catalog.jsonld) and publish's own record of its files. A path is checked once, by what states
it first; a stated path outside the folder is a finding, never read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from .errors import ValidationFailed
from .parsing import json_document
from .export.listing import APACHE_RULES, CATALOG_FILES, URI_DOCUMENTS, file_digest, installed_rules
from .validate import validate_package
from .validate_descriptor import read_package
from .validate_read import open_regular

CATALOGUE = "catalog.jsonld"
LISTINGS = ("site-manifest.json", URI_DOCUMENTS)    # their `files`: path, bytes, sha256


@dataclass(frozen=True)
class Stated:
    path: str               # relative to the published folder, as stated
    size: int | None        # bytes stated (None: not stated)
    sha256: str | None      # hex (None: not stated)
    by: str                 # the file that states it


def validate_publication(folder: Path) -> tuple[int, int]:
    """`pipeline validate`: the resources of folder/datapackage.json (validate.validate_package),
    then every other file the catalogue and the listings state (check_stated_files), the second
    checked even when the first has findings; returns how many of each were checked. Raises
    ValidationFailed with the findings of both."""
    package = read_package(folder / "datapackage.json")
    failures = []
    try:
        count = validate_package(folder, package)[0]
    except ValidationFailed as failure:
        failures.append(failure)
    resources = package.get("resources")
    try:                                # (resources no list: which files it describes unknown)
        others = check_stated_files(folder, {r.get("path") for r in resources
                                             if isinstance(r, dict)}) \
            if isinstance(resources, list) else 0
    except ValidationFailed as failure:
        failures.append(failure)
    if len(failures) > 1:
        raise ValidationFailed("; ".join(map(str, failures)),
                               [finding for failure in failures for finding in failure.findings])
    if failures:
        raise failures[0]
    return count, others


def check_stated_files(folder: Path, described: set[str]) -> int:
    """Check every file the catalogue and the listings state, but those in `described` (the
    datapackage's resources, checked by validate_package); returns how many were checked.
    Raises ValidationFailed with one line per finding."""
    stated, findings = stated_files(folder)
    findings += catalogue_findings(folder)
    checked = [entry for entry in stated if entry.path not in described]
    findings += [finding for entry in checked if (finding := _finding(folder, entry))]
    if findings:
        raise ValidationFailed.capped(f"{len(findings)} file(s) differ from what the "
                                      "publication states of them", findings, folder)
    return len(checked)


def stated_files(folder: Path) -> tuple[list[Stated], list[str]]:
    """What the catalogue states, then what the listings it states state (a listing the
    catalogue does not name is not read: it is no part of the publication), then the copy of
    the Apache rules in the folder the URI documents' listing names; and the findings of what
    cannot be read. Each path once, as first stated."""
    catalogue, findings = _json(folder, CATALOGUE)
    stated = _distributions(catalogue) if isinstance(catalogue, dict) else []
    if not findings and not stated:
        findings.append(f"{CATALOGUE}: no distribution with a byte size or checksum")
    named = {entry.path: entry for entry in stated}
    for listing in (name for name in LISTINGS if name in named):
        document, problems = _json(folder, listing)
        findings += problems
        files = document.get("files") if isinstance(document, dict) else None
        if not problems and not (isinstance(files, list) and all(map(_is_entry, files))):
            findings.append(f"{listing}: `files` is no list of path, bytes and sha256")
            continue
        stated += [Stated(entry["path"], entry["bytes"], entry["sha256"], listing)
                   for entry in files or ()]
        stated += _installed_rules(named.get(APACHE_RULES), listing, document)
    seen: set[str] = set()
    return [entry for entry in stated if not (entry.path in seen or seen.add(entry.path))], findings


def _installed_rules(rules: Stated | None, listing: str, document) -> list[Stated]:
    """The Apache rules installed in the folder the URI documents' listing names
    (export/listing.installed_rules), stated as the catalogue states `rules`, the same file to
    download; none without either."""
    folder = document.get("folder") if listing == URI_DOCUMENTS and isinstance(document, dict) \
        else None
    if rules is None or not isinstance(folder, str):
        return []
    return [Stated(installed_rules(folder), rules.size, rules.sha256,
                   f"{CATALOGUE} (of its original {APACHE_RULES})")]


def catalogue_findings(folder: Path) -> list[str]:
    """catalog.ttl and catalog.jsonld must parse to the same triples (the catalogue mints no
    blank node: export/dcat.py), so neither can be changed alone."""
    import pyoxigraph

    graphs, findings = [], []
    for name, kind in zip(CATALOG_FILES, (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.JSON_LD)):
        try:
            with open_regular(folder / name) as handle:
                graphs.append({str(triple) for triple in pyoxigraph.parse(handle.read(), format=kind)})
        except OSError as error:
            findings.append(f"{name}: cannot be read ({error.strerror or error})")
        except (SyntaxError, ValueError) as error:
            findings.append(f"{name}: does not parse: {str(error).splitlines()[0]}")
    if not findings and graphs[0] != graphs[1]:
        findings.append(f"{CATALOG_FILES[0]} and {CATALOG_FILES[1]} state different graphs "
                        f"({len(graphs[0] - graphs[1])} triples only in the first, "
                        f"{len(graphs[1] - graphs[0])} only in the second)")
    return findings


def _json(folder: Path, name: str) -> tuple[object, list[str]]:
    try:
        with open_regular(folder / name) as handle:
            return json_document(handle.read().decode("utf-8")), []
    except OSError as error:
        return None, [f"{name}: cannot be read ({error.strerror or error})"]
    except ValueError as error:              # (UnicodeDecodeError, JSONDecodeError, too deep)
        return None, [f"{name}: not JSON: {error}"]


def _distributions(catalogue: dict) -> list[Stated]:
    """The catalogue's distributions with a byte size or checksum: each one's IRI is
    `<base_uri>distribution/<path>` (export/dcat.py), the catalogue's own `<base_uri>catalog`."""
    nodes = [node for node in catalogue.get("@graph", []) if isinstance(node, dict)]
    catalog = next((node.get("id") for node in nodes if node.get("type") == "dcat:Catalog"), None)
    if not isinstance(catalog, str) or not catalog.endswith("catalog"):
        return []
    prefix = catalog[:-len("catalog")] + "distribution/"
    checksums = {node.get("id"): node.get("checksumValue") for node in nodes
                 if node.get("type") == "spdx:Checksum"}
    found = []
    for node in nodes:
        iri = node.get("id")
        if node.get("type") != "dcat:Distribution" or not isinstance(iri, str) \
                or not iri.startswith(prefix):
            continue
        size, sha256 = node.get("byteSize"), checksums.get(node.get("checksum"))
        if size is not None or sha256 is not None:
            found.append(Stated(unquote(iri[len(prefix):]), _whole(size), sha256, CATALOGUE))
    return found


def _whole(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1               # stated, but no number: no file has it


def _is_entry(entry) -> bool:
    return isinstance(entry, dict) and isinstance(entry.get("path"), str) \
        and isinstance(entry.get("bytes"), int) and isinstance(entry.get("sha256"), str)


def _finding(folder: Path, entry: Stated) -> str | None:
    """What is wrong with the stated file (None: nothing)."""
    path = PurePosixPath(entry.path)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return f"{entry.by}: states {entry.path!r}, a path outside the published folder"
    try:
        with open_regular(folder / path):     # (OSError unless a regular file)
            pass
        size, sha256 = file_digest(folder / path)
    except OSError as error:
        return f"{entry.path}: cannot be read ({error.strerror or error}); {entry.by} states it"
    if entry.size is not None and entry.size != size:
        return f"{entry.path} has {size} bytes, {entry.by} states {entry.size}"
    if entry.sha256 is not None and entry.sha256 != sha256:
        return f"{entry.path} does not match the SHA-256 {entry.by} states"
    return None
