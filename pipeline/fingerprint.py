"""Fingerprints of what a publication is made from: code, schemas, settings and source bytes.

`tree_digest` hashes the files of folders (the extraction cache keys on the extraction code's);
`inputs_digest` is the fingerprint of a whole publish. The same sources (bytes, names and
manifest entries), the same code, Table Schemas, templates and library versions and the same
settings give the same publication, so a scheduled run whose fingerprint equals the one the
previous edition records (datapackage.json `pipeline_inputs`) says `no change` without
extracting or writing anything.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
SCHEMAS = PACKAGE.parent / "schemas"
LIBRARIES = ("rdflib", "pyoxigraph", "frictionless", "pyshacl", "jinja2")


def tree_digest(*paths: Path) -> str:
    """SHA-256 (16 hex digits) of the files below paths (or of the files themselves): names
    and bytes, compiled caches left out."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) \
            if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(path.parent).as_posix().encode("utf-8") + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def library_versions(names: tuple[str, ...]) -> str:
    """`name=version` of each library, one per line (`none` when it is not installed)."""
    lines = []
    for name in names:
        try:
            lines.append(f"{name}={metadata.version(name)}\n")
        except metadata.PackageNotFoundError:
            lines.append(f"{name}=none\n")
    return "".join(lines)


@cache
def code_digest() -> str:
    """The code, templates and Table Schemas of this installation (read once per process)."""
    return tree_digest(PACKAGE, SCHEMAS)


def inputs_digest(sources, config, extra_folders: tuple[Path, ...] = ()) -> str:
    """`sha256:…` of everything a publish reads: the code and schemas, the versions of the
    libraries that write the files, the settings (and any folder they point to, such as a
    template override), and every source's name, bytes (SHA-256) and manifest entry."""
    digest = hashlib.sha256()
    digest.update(code_digest().encode())
    digest.update(tree_digest(*extra_folders).encode())
    digest.update(library_versions(LIBRARIES).encode())
    digest.update(repr(config).encode("utf-8"))
    for source in sources:
        digest.update(f"\n{source.name}\0{source.sha256}\0{source.meta!r}".encode("utf-8"))
    return "sha256:" + digest.hexdigest()
