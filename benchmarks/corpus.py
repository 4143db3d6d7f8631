"""A synthetic corpus for benchmarks only (never published): N plan documents made by
recombining the item segments of the real source, as real plans are laid out.

The documents are the fields of plans: each plan (of a prefecture, by its 全国地方公共団体コード,
the 47 in turn) has 3 to 6 fields numbered from 1, one document per field, so initiative ids
(`1-1-1`, `2-1-1` …) repeat across plans as they do in reality; a `sources.toml` manifest names
each file's plan and publisher. A field's items are a random sequence (seeded, so corpora are
reproducible) of the real source's item segments — each with its narrative, initiatives in
their mixed layouts (tab, HTML, loose), sites and topics — renumbered 1..m. References are
renumbered with their item; a reference into an item that a field lacks stays printed and is
published as cited_id only.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from pipeline.config import local_government_check_digit

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


def local_government_code(prefecture: int) -> str:
    """全国地方公共団体コード of a prefecture (01 to 47): `NN000` and its check digit."""
    return f"{prefecture:02d}000{local_government_check_digit(f'{prefecture:02d}000')}"


def plan_layout(count: int, rng: random.Random) -> list[tuple[int, int]]:
    """(plan number, field number) of each of `count` documents: plans of 3 to 6 fields."""
    layout, plan = [], 0
    while len(layout) < count:
        plan += 1
        layout += [(plan, field) for field in range(1, rng.randint(3, 6) + 1)]
    return layout[:count]


def write_corpus(folder: Path, count: int, seed: int = 2014) -> int:
    """Write `count` documents and their sources.toml into folder; returns the total size of
    the documents in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOURCE.read_text(encoding="utf-8")
    rng = random.Random(seed)
    size, manifest = 0, []
    for plan, field in plan_layout(count, rng):
        prefecture = (plan - 1) % 47 + 1
        name = f"plan-{plan:04d}-field-{field}.txt"
        data = document(field, rng, text).encode("utf-8")
        (folder / name).write_bytes(data)
        size += len(data)
        manifest.append(
            f'[[source]]\nfile = "{name}"\ntitle = "計画{plan} 分野{field}"\n'
            f'plan_id = "pref{prefecture:02d}-plan-{plan:04d}"\nplan_title = "計画{plan}"\n'
            f'publisher = "県{prefecture:02d}"\npublisher_code = "{local_government_code(prefecture)}"\n'
            "period_start_fy = 2014\nperiod_end_fy = 2016\n")   # the years its schedules print
    (folder / "sources.toml").write_text("\n".join(manifest), encoding="utf-8")
    return size
