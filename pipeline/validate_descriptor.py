"""The package descriptor and the tables' Table Schemas, read and checked before any table is:
a damaged datapackage.json is one line naming it (no JSON object, no UTF-8, nested beyond what
frictionless recurses through), what frictionless must not be handed (a profile or dialect it
would fetch, a NUL byte in a path) and a table of this pipeline not listed with its schema are
findings, and the descriptor's resources found valid before come from the cache."""

from __future__ import annotations

import codecs
import copy
import json
from pathlib import Path

from .errors import PipelineError, ValidationFailed
from .model import TABLES
from .partcache import CacheStats, PartCache, digest_of
from .validate_read import key_fields, open_regular

MAX_NESTING = 100       # levels of JSON arrays and objects read: this pipeline's are few
TOO_DEEP = f"nested more than {MAX_NESTING} levels deep"
JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number",
              bool: "boolean", type(None): "null"}


def read_package(path: Path) -> dict:
    """The package descriptor at path; ValidationFailed (no findings: one line naming the
    file) when it is no JSON object."""
    try:
        package = read_json(path)
    except PipelineError as error:
        raise ValidationFailed(error.message, [], path, error.line) from None
    if not isinstance(package, dict):
        raise ValidationFailed(f"not a data package: a JSON {JSON_TYPES[type(package)]}, "
                               "not an object", [], path)
    return package


def read_json(path: Path) -> object:
    """The value of a JSON file; PipelineError saying why (and where) when it is not a regular
    file of UTF-8 JSON text."""
    try:
        with open_regular(path) as handle:
            data = handle.read()
        text = data.decode("utf-8")
        if data.startswith(codecs.BOM_UTF8):
            raise PipelineError("begins with a byte order mark (BOM), which JSON text must not",
                                path)
        if not text.strip():
            raise PipelineError("empty file", path)
        value = json.loads(text)
    except OSError as error:
        raise PipelineError(f"cannot be read ({error.strerror or error})", path) from None
    except UnicodeDecodeError as error:
        raise PipelineError(f"not UTF-8 text (byte {error.start}: {error.reason})",
                            path) from None
    except json.JSONDecodeError as error:
        raise PipelineError(f"not JSON: {error.msg} (column {error.colno})", path,
                            error.lineno) from None
    except RecursionError:            # (deeper than the parser goes)
        raise PipelineError(TOO_DEEP, path) from None
    if not _nested_within(value, MAX_NESTING):      # (frictionless, copy.deepcopy recurse)
        raise PipelineError(TOO_DEEP, path)
    return value


def _nested_within(value: object, levels: int) -> bool:
    """Whether value's arrays and objects are nested at most `levels` deep."""
    level = [value]
    for _ in range(levels):
        level = [item for node in level if isinstance(node, (list, dict))
                 for item in (node.values() if isinstance(node, dict) else node)]
        if not level:
            return True
    return False


def descriptor_findings(descriptor: dict, cache: PartCache, stats: CacheStats) -> list[str]:
    """frictionless's findings on the package descriptor. The resources found valid in an
    earlier run (the same descriptor under the same `$schema`, the one package property
    frictionless hands down to them; the cache's entry, under frictionless's version) are left
    out of the check, unless a check across resources needs them all (the package states a
    profile, or two resources share a name); a finding is then looked for on the whole
    descriptor again, so that it reads as frictionless says it. At N = 1000, 3,334 resources,
    of which a republish changes a few dozen. What frictionless must not be handed
    (unsafe_findings) is a finding before it is."""
    findings = unsafe_findings(descriptor)
    if findings:
        return findings
    resources = descriptor.get("resources", [])
    listed = isinstance(resources, list)        # (else frictionless says what it is)
    resources = resources if listed else []
    head = {key: value for key, value in descriptor.items() if key != "resources"}
    name = cache.entry("valid-descriptors", str(head.get("$schema"))) \
        if cache.folder is not None else ""
    digests = [digest_of(resource) for resource in resources] if name else []
    known = cache.load(name, stats) if name else None
    names = [r.get("name") for r in resources if isinstance(r, dict)]
    checked = descriptor
    distinct = listed and all(isinstance(n, str) for n in names) and \
        len(set(names)) == len(resources)
    if isinstance(known, set) and "profile" not in head and distinct:
        unknown = [r for r, digest in zip(resources, digests) if digest not in known]
        checked = {**head, "resources": unknown or resources[:1]}
    findings = _package_findings(checked)
    if findings and checked is not descriptor:
        findings = _package_findings(descriptor)
    if not findings and name:
        cache.store(name, set(digests), stats)
    return findings


STANDARD_PROFILES = {"package": ("data-package", "tabular-data-package"),
                     "resource": ("data-resource", "tabular-data-resource")}


def unsafe_findings(descriptor: dict) -> list[str]:
    """What frictionless must not be handed: a profile other than the standard ones or a
    dialect that is no object (it would fetch a URL, or read a file from the working
    directory: never done here), a path or schema holding a NUL byte (no file has one)."""
    findings = _profile_findings("package", descriptor, "package")
    resources = descriptor.get("resources")
    for index, resource in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(resource, dict):
            continue
        name = resource.get("name")
        name = name if isinstance(name, str) else f"resources/{index}"
        findings += _profile_findings(name, resource, "resource")
        if isinstance(resource.get("dialect"), str):
            findings.append(f"{name}: its dialect {resource['dialect']!r} is not written out "
                            "in the descriptor: not fetched")
        findings += [f"{name}: its {key} {resource[key]!r} holds a NUL byte"
                     for key in ("path", "schema")
                     if isinstance(resource.get(key), str) and "\0" in resource[key]]
    return findings


def _profile_findings(name: str, descriptor: dict, kind: str) -> list[str]:
    profile, standard = descriptor.get("profile"), STANDARD_PROFILES[kind]
    if not isinstance(profile, str) or not profile or profile in standard:
        return []                   # (a profile that is no string: frictionless says so)
    return [f"{name}: its profile {profile!r} is not a standard profile "
            f"({', '.join(standard)}): not fetched"]


def table_findings(resources: list[dict]) -> list[str]:
    """Each of the pipeline's tables (model.TABLES) must be listed as the tabular data resource
    <table>.csv with its schema schemas/<table>.json: the checks of the tables find them so
    (_is_canonical_table), and one listed otherwise, or not at all, would escape them."""
    listed = {r.get("name"): r for r in resources}
    return [f"{table}: {table}.csv is not listed as a tabular data resource with its schema "
            f"schemas/{table}.json" for table in TABLES
            if [listed.get(table, {}).get(key) for key in ("profile", "path", "schema")] !=
            ["tabular-data-resource", f"{table}.csv", f"schemas/{table}.json"]]


def _package_findings(descriptor: dict) -> list[str]:
    from frictionless import Package  # imported here: it is slow to import
    return [f"package: {error.type}: {error.message}"
            for error in Package.metadata_validate(copy.deepcopy(descriptor))]


def read_schemas(folder: Path, resources: list[dict]) -> tuple[dict[str, dict | str],
                                                                dict[str, list]]:
    """Each resource's Table Schema by the resource's path (or a finding saying why it cannot
    be read, or what frictionless finds wrong with it: the checks here rely on its shape), and
    the field lists each table's PlanRows hold (validate_read.key_fields)."""
    schemas = {resource["path"]: _schema(folder, resource) for resource in resources}
    return schemas, key_fields({r["name"]: schemas[r["path"]] for r in resources
                                if isinstance(schemas[r["path"]], dict)})


def _schema(folder: Path, resource: dict) -> dict | str:
    """A table's Table Schema, or the finding saying what is wrong with it."""
    from frictionless import Schema  # imported here: it is slow to import

    if not isinstance(resource["schema"], str):     # (this pipeline's tables name a file)
        return f"{resource['name']}: its schema is not the name of a file"
    try:
        schema = read_json(folder / resource["schema"])
    except PipelineError as error:
        problem = f"line {error.line}: {error.message}" if error.line else error.message
    else:
        if not isinstance(schema, dict):
            problem = f"not a Table Schema: a JSON {JSON_TYPES[type(schema)]}, not an object"
        else:
            error = next(Schema.metadata_validate(copy.deepcopy(schema)), None)
            if error is None:
                return schema
            problem = f"{error.type}: {error.message}"
    return f"{resource['name']}: its schema {resource['schema']}: {problem}"
