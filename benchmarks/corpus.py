"""A synthetic corpus for benchmarks only (never published): N plan documents made by
recombining the item segments of the real source, with renumbered fields and items.

Each document k is field k; its items are a random sequence (seeded, so corpora are
reproducible) of the real source's item segments — each with its narrative, initiatives in
their mixed layouts (tab, HTML, loose), sites and topics — renumbered 1..m. References are
renumbered with their item; a reference into an item that a document lacks stays printed and is
published as cited_id only.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "data" / "raw" / "miyagi-ict-plan-2014-2016-field2.txt"
ITEM_HEADING = re.compile(r"^(\d+) (\S.*)$")
PART_MARKER = "【"


def item_segments(text: str) -> tuple[str, list[tuple[int, str]]]:
    """(preamble, [(item number, segment text)]) split at the item headings."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if ITEM_HEADING.match(line)
              and any(l.startswith(PART_MARKER) for l in lines[i + 1:i + 3])]
    preamble = "\n".join(lines[: starts[0]])
    segments = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        segments.append((int(ITEM_HEADING.match(lines[start])[1]), "\n".join(lines[start:end])))
    return preamble, segments


def renumber(segment: str, field: int, old_item: int, new_item: int, source_field: int) -> str:
    text = re.sub(rf"^{old_item} ", f"{new_item} ", segment, count=1)
    text = re.sub(rf"(項目\s*\|?\s*){old_item}(?=\s)", rf"\g<1>{new_item}", text)
    text = re.sub(rf"(分野\s*\|?\s*){source_field}(?=\s)", rf"\g<1>{field}", text)
    text = re.sub(rf"\b{source_field}-{old_item}-(\d+)", rf"{field}-{new_item}-\1", text)
    return text


def document(field: int, rng: random.Random, text: str) -> str:
    preamble, segments = item_segments(text)
    source_field = int(re.search(r"分野\s*(\d+)", preamble)[1])
    chosen = [rng.choice(segments) for _ in range(rng.randint(2, 4))]
    body = [renumber(seg, field, old, new, source_field) for new, (old, seg) in enumerate(chosen, 1)]
    head = re.sub(rf"(分野\s*){source_field}(?=\s)", rf"\g<1>{field}", preamble)
    return "\n".join([head, *body]) + "\n"


def write_corpus(folder: Path, count: int, seed: int = 2014) -> int:
    """Write `count` documents into folder; returns the total size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOURCE.read_text(encoding="utf-8")
    rng = random.Random(seed)
    size = 0
    for field in range(1, count + 1):
        data = document(field, rng, text).encode("utf-8")
        (folder / f"plan-{field:05d}.txt").write_bytes(data)
        size += len(data)
    return size
