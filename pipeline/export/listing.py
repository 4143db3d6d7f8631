"""The files of a published folder: its layout (the catalogue's, the site's, the CKAN
metadata's files and folders), the listing of what it holds or will hold once publish has
written the portal and its metadata, and each file's size and SHA-256 (read once per process).

datasets.py groups the listed files into datasets; the site, CKAN and DCAT writers name the
same files by these constants.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..errors import PipelineError
from ..outfolder import OWN_FILES, walk_entries
from ..parsing import json_document
from ..partcache import file_identity

CATALOG_FILES = ("catalog.ttl", "catalog.jsonld")
LINKED_DATA_FOLDER = "rdf/"
URI_DOCUMENTS = "rdf/uri-documents.json"   # lists the documents the URIs resolve to
NGINX_CONFIG = "server/nginx.conf"        # the URIs' nginx rules, to include in a server block
APACHE_RULES = "server/apache.htaccess"    # the URIs' Apache rules, to download (see installed_rules)
SITE_LANDING_PAGE = "index.html"
SITE_MANIFEST = "site-manifest.json"
SITE_FILES = (SITE_LANDING_PAGE, SITE_MANIFEST)
SITE_FOLDERS = ("assets/", "datasets/", "departments/", "initiatives/", "publishers/")
DATASET_PAGE = "datasets/{name}.html"      # the portal's page of the dataset named `name`
SITE_ASSETS = ("assets/style.css", "assets/search.js")   # written with every site, as its pages
CKAN_FOLDER = "ckan"
CKAN_LICENSES = f"{CKAN_FOLDER}/licenses.json"
CKAN_ORGANIZATIONS = f"{CKAN_FOLDER}/organizations.json"


@dataclass(frozen=True)
class Listing:
    """The files of a published folder (the catalogue's own excepted, sorted POSIX paths), those
    two manifests account for: the site's (site-manifest.json) and the URI documents'
    (rdf/uri-documents.json), and those that are copies of another file of the listing."""

    files: list[str]
    site: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    copies: frozenset[str] = frozenset()    # installed copies of a listed file: installed_rules
    ckan_to_come: bool = False      # the CKAN package of each dataset is yet to be written


def published_files(out: Path) -> list[str]:
    """Every file of the published folder except the catalogue and publish's list of its own
    files, as sorted POSIX paths."""
    files, _ = walk_entries(out)
    return [f for f in files if f not in CATALOG_FILES and f != OWN_FILES]


_DIGESTS: dict[tuple, tuple[int, str]] = {}
_REMEMBERING = threading.Lock()
DIGEST_THREADS = 4


def file_digest(path: Path) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex) of a file. The site, the CKAN metadata and the catalogue all
    describe the same files in one publish, so each file is read once per process: the result is
    kept under the file's path and identity (partcache.file_identity: device, inode, size and
    modification time, which any rewrite changes; not the change time, which linking the file
    into the cache changes after it was hashed)."""
    key = _identity(path)
    known = _DIGESTS.get(key)
    if known is None:
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        known = _remember(key, key[3], digest.hexdigest())
    return known


def file_digests(paths: list[Path]) -> None:
    """file_digest of several files at once, in threads (reading and hashing a file release
    the GIL, so they run on other cores: the linked data's files run to hundreds of MB)."""
    with ThreadPoolExecutor(max(1, min(len(paths), DIGEST_THREADS))) as pool:
        list(pool.map(file_digest, paths))


def digests_meanwhile(paths: list[Path]) -> Callable[[], None]:
    """file_digests of several files started in a thread, while the caller goes on (reading and
    hashing release the GIL); returns the wait for it, which raises what it raised."""
    executor = ThreadPoolExecutor(1)
    future = executor.submit(file_digests, paths)
    executor.shutdown(wait=False)       # the hashing goes on; the executor is done with
    return future.result


def remember_digest(path: Path, size: int, sha256: str) -> None:
    """What another process that wrote the file found of it as it wrote it (file_digest then
    reads the file only if it changed since)."""
    key = _identity(path)
    if key[3] == size:
        _remember(key, size, sha256)


def _identity(path: Path) -> tuple:
    return (os.fspath(path), *file_identity(path))


def _remember(key: tuple, size: int, sha256: str) -> tuple[int, str]:
    with _REMEMBERING:
        known = _DIGESTS[key] = (size, sha256)
        if len(_DIGESTS) > 100_000:      # a long-lived process: forget the oldest
            del _DIGESTS[next(iter(_DIGESTS))]
    return known


def read_site_manifest(out: Path) -> dict | None:
    """The site manifest of `out` (see site.py), or None when there is none."""
    path = out / SITE_MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise PipelineError(f"cannot read the site manifest: {exc}", path) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), list):
        raise PipelineError("the site manifest has no list of files", path)
    return manifest


def _site_listing(out: Path, files: list[str]) -> set[str]:
    """The site files the manifest accounts for. Every listed file must exist with the size the
    manifest gives (a stale manifest is an error, never a silent mis-description)."""
    manifest = read_site_manifest(out) if SITE_MANIFEST in files else None
    if manifest is None:
        return set()
    present = set(files)
    base = os.fspath(out)
    listed: set[str] = set()
    for entry in manifest["files"]:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str) or not is_site_file(path) or path == SITE_MANIFEST:
            raise PipelineError(f"the site manifest lists {path!r}, which is not a site file",
                                out / SITE_MANIFEST)
        if path not in present or os.stat(os.path.join(base, path)).st_size != entry.get("bytes"):
            raise PipelineError(f"the site manifest is out of date: {path} is missing or has "
                                f"changed; write the site again", out / SITE_MANIFEST)
        listed.add(path)
    return listed


def installed_rules(documents_folder: str) -> str:
    """Where the Apache rules (APACHE_RULES, the same bytes) take effect: `.htaccess` in the
    URI documents' folder. Apache never serves a file named `.ht…` (Debian's apache2.conf denies
    them), so that copy is no download: the catalogue describes APACHE_RULES instead."""
    return f"{documents_folder}.htaccess"


def _documents_listing(out: Path, files: list[str]) -> tuple[set[str], set[str]]:
    """The URI documents (rdf/uri-documents.json, see rdf/documents.py) the linked data's
    manifest accounts for, each of which must exist (their sizes are not read again: hundreds
    of thousands of files at scale, written and listed in the same stage); and the Apache
    rules installed in the folder it names (installed_rules), a copy of APACHE_RULES."""
    if URI_DOCUMENTS not in files:
        return set(), set()
    path = out / URI_DOCUMENTS
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries, folder = manifest["files"], manifest.get("folder")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PipelineError(f"cannot read the URI documents manifest: {exc}", path) from None
    present, listed = set(files), set()
    for entry in entries:
        name = entry.get("path") if isinstance(entry, dict) else None
        if name not in present or name.startswith(LINKED_DATA_FOLDER) or is_site_file(name):
            raise PipelineError(f"the URI documents manifest is out of date at {name!r}", path)
        listed.add(name)
    installed = installed_rules(folder) if isinstance(folder, str) else None
    copies = {installed} if APACHE_RULES in present and installed in present else set()
    return listed, copies


def is_site_file(path: str) -> bool:
    return path in SITE_FILES or path.startswith(SITE_FOLDERS)


def load_package(out: Path) -> dict:
    path = out / "datapackage.json"
    try:
        return json_document(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:        # (not JSON, not UTF-8, too deep)
        raise PipelineError(f"cannot read the data package: {exc}", path) from None


def folder_listing(out: Path) -> Listing:
    """The listing of a published folder as it is on disk (the manifests read and checked)."""
    files = published_files(out)
    documents, copies = _documents_listing(out, files)
    return Listing(files, frozenset(_site_listing(out, files)), frozenset(documents),
                   frozenset(copies))


def planned_listing(out: Path, to_come: tuple[str, ...] = ()) -> Listing:
    """The listing of a folder publish is writing, as it will be once the portal and its
    metadata are written: the files present and `to_come` (being written by another process:
    the databases), the site (its landing page, assets and manifest, which lists its pages) and
    the CKAN licence register and organisations (the CKAN package of each dataset is added by
    `publication_datasets`, which names the datasets)."""
    present = published_files(out)
    if to_come:     # what the other process has written of them so far (or beside: a journal)
        present = [f for f in present if not f.startswith(tuple(to_come))]
    site = frozenset((SITE_LANDING_PAGE, *SITE_ASSETS))
    files = sorted({*present, *to_come, *site, SITE_MANIFEST, CKAN_LICENSES, CKAN_ORGANIZATIONS})
    documents, copies = _documents_listing(out, present)
    return Listing(files, site, frozenset(documents), frozenset(copies), ckan_to_come=True)
