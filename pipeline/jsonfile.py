"""JSON files written fast and readable at any size: small values indented, and one long
array (the records, the graph's nodes) streamed one item per line with the C encoder
(`json.dumps` with `indent` falls back to pure Python, which dominated at scale)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Iterable

CHUNK = 1_000        # items written at a time
encode_item = json.JSONEncoder(ensure_ascii=False).encode   # one item, on one line


def write_json(path: Path, document: dict, stream_key: str | None = None,
               items: Iterable | None = None, encoded: bool = False) -> int:
    """Write document; if stream_key is given, that key's array is `items` (any iterable,
    consumed once; JSON texts already if `encoded`), placed where the key stands in document.
    Returns the number of items."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("{")
        for position, (key, value) in enumerate(document.items()):
            handle.write(",\n  " if position else "\n  ")
            handle.write(encode_item(key) + ": ")
            if key != stream_key:
                handle.write(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  "))
                continue
            handle.write("[")
            listed = items if items is not None else value
            texts = iter(listed) if encoded else map(encode_item, listed)
            while chunk := list(itertools.islice(texts, CHUNK)):     # one write per chunk
                handle.write(("," if count else "") + "\n    " + ",\n    ".join(chunk))
                count += len(chunk)
            handle.write("\n  ]" if count else "]")
        handle.write("\n}\n")
    return count
