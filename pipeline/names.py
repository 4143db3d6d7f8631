"""The ASCII names of datasets and organisations in the catalogue and the CKAN metadata
(CKAN's rule: lowercase letters, digits, `-` and `_`, 2 to 100 characters), made from
identifiers: a plan id, a publisher's 全国地方公共団体コード (local government code), a table.
Below the exporters, which name with it, and the manifest check, which refuses two plan ids
that would share a name."""

from __future__ import annotations

import hashlib
import re

from .errors import PipelineError

NAME_MAX = 100
_NAME_JUNK = re.compile(r"[^a-z0-9_-]+")


def ascii_name(*parts: str) -> str:
    """A CKAN-valid name: lowercase [a-z0-9_-], at most 100 characters, never empty."""
    name = _NAME_JUNK.sub("-", "-".join(parts).lower()).strip("-_")
    name = re.sub(r"-{2,}", "-", name)[:NAME_MAX].rstrip("-_")
    if len(name) < 2:
        raise PipelineError(f"cannot derive an ASCII dataset name from {parts!r}")
    return name


def publisher_name(publisher: str, code: str) -> str:
    """A publisher's (発行者) ASCII name, the same in the linked data, the catalogue, CKAN and the
    portal: `lg-<全国地方公共団体コード>`; one the manifest gives no code, `publisher-` and 12 hex
    digits of the SHA-256 of its name (never merged with another by an empty code); "" for
    no publisher."""
    if code:
        return ascii_name("lg", code)
    if not publisher:
        return ""
    return ascii_name("publisher", hashlib.sha256(publisher.encode("utf-8")).hexdigest()[:12])
