"""Content-defined cuts: where a sequence of keyed items (the subjects of graph.nt) is cut into
chunks depends on the items' keys, not on counts from the start, so a change in one item
changes only the chunk that holds it, and a cache finds the others again."""

from __future__ import annotations

import zlib


def cut_before(key: bytes, since: int, size: int, divisor: int) -> bool:
    """Whether a chunk holding `since` units (lines, rows) ends before the item with this key:
    from half of size on, before a key whose CRC-32 is a multiple of divisor; at twice size
    whatever the key."""
    return since >= max(1, size // 2) and (since >= 2 * size or zlib.crc32(key) % divisor == 0)
