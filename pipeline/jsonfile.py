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


ITEM_INDENT = "    "  # of the streamed array's items, one per line


def write_json(path: Path, document: dict | list, stream_key: str | None = None,
               items: Iterable | None = None, encoded: bool = False) -> int:
    """Write a JSON document, indented by two spaces. With stream_key, that key's array is
    `items` (any iterable, consumed once; JSON texts already if `encoded`), placed where the
    key stands in document, one item per line. Returns the number of items streamed."""
    if stream_key is None:
        path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n",
                        encoding="utf-8")
        return 0
    head, tail = json_frame(document, stream_key)
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(head)
        listed = items if items is not None else document[stream_key]
        texts = iter(listed) if encoded else map(encode_item, listed)
        separator = "\n" + ITEM_INDENT
        while chunk := list(itertools.islice(texts, CHUNK)):     # one write per chunk
            handle.write(("," if count else "") + separator + ("," + separator).join(chunk))
            count += len(chunk)
        handle.write(close_array(count))
        handle.write(tail)
    return count


def json_frame(document: dict, stream_key: str) -> tuple[str, str]:
    """The text write_json writes before the items of the stream_key array (up to its `[`)
    and after the array's end (close_array)."""
    parts = ["{"]
    for position, (key, value) in enumerate(document.items()):
        parts.append(",\n  " if position else "\n  ")
        parts.append(encode_item(key) + ": ")
        if key == stream_key:
            parts.append("[")
            head, parts = "".join(parts), []
        else:
            parts.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  "))
    parts.append("\n}\n")
    return head, "".join(parts)


def close_array(count: int) -> str:
    """The end of a streamed array of count items."""
    return "\n  ]" if count else "]"
