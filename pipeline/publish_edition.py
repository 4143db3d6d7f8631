"""Whether a publish makes a new edition, and when: the published edition's package, the
`no change` checks (the same inputs as the published edition, or a staged edition with the
same bytes) and the new edition's creation time."""

from __future__ import annotations

import filecmp
import os
from datetime import datetime, timezone
from pathlib import Path

from .errors import PipelineError
from .export.datapackage import INPUTS_KEY
from .parsing import json_document


def published_package(out_dir: Path) -> dict | None:
    """datapackage.json of the publication in out_dir, None when there is none (or no
    readable one): read once per publish."""
    try:
        package = json_document((out_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return package if isinstance(package, dict) else None


def published_from(out_dir: Path, package: dict | None, inputs: str) -> str | None:
    """The version of the publication in out_dir (its datapackage.json read as `package`) if it
    was made from exactly these inputs (`pipeline_inputs`, see fingerprint.py) and every file it
    lists is still there with the size it states (a cheap check that nobody replaced or cut
    one), else None."""
    if package is None or package.get(INPUTS_KEY) != inputs:
        return None
    for resource in package.get("resources", []):
        try:
            if (out_dir / resource["path"]).stat().st_size != resource["bytes"]:
                return None
        except (OSError, KeyError, TypeError):
            return None
    return str(package.get("version", ""))


def same_files(new: Path, old: Path) -> bool:
    """True when both folders hold the same files with the same bytes: datapackage.json first
    (it states the version and every table's hash, so a new edition differs there without a walk
    of tens of thousands of files), then names and sizes, then contents file by file, stopping
    at the first difference."""
    def sizes(folder: Path) -> dict[str, int]:
        return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    package = "datapackage.json"
    if not (old / package).is_file() or not filecmp.cmp(new / package, old / package, shallow=False):
        return False
    listing = sizes(new)
    if not old.is_dir() or listing != sizes(old):
        return False
    return all(filecmp.cmp(new / name, old / name, shallow=False) for name in sorted(listing))


LATEST_EPOCH = 253402300799        # 9999-12-31T23:59:59Z: the last second of a four-digit year


def created_timestamp() -> str:
    """SOURCE_DATE_EPOCH (reproducible builds) if set, else now; UTC, ISO 8601. A value that is
    no Unix time is an error, as the specification asks, not the clock taken silently."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch and not (epoch.isascii() and epoch.isdigit() and len(epoch) <= 12
                      and int(epoch) <= LATEST_EPOCH):
        raise PipelineError(f"SOURCE_DATE_EPOCH={epoch!r} is no Unix time (whole seconds since "
                            f"1970-01-01 UTC, at most {LATEST_EPOCH}: the end of the year 9999)")
    moment = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
