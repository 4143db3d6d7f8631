"""The CPU cost of one initiative page (取組のページ), nearly all of the portal's pages: rendered
in this process from a published folder, as a worker of the site renders them (the heap frozen,
no collection), best of three rounds over the first PAGES initiatives after a round that fills
the per-plan caches. Run by benchmarks.run on its largest publication; prints JSON.

    python -m benchmarks.pages OUT [PAGES]
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

from pipeline.config import load_config
from pipeline.export.description import read_description
from pipeline.export.site.context import Publication
from pipeline.export.site.pages import Pages
from pipeline.export.site.templating import environment
from pipeline.export.site.writer import config_templates

from .run_one import SETTINGS

ROUNDS = 3


def main() -> None:
    out = Path(sys.argv[1])
    wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
    config = load_config(SETTINGS)
    site = Publication(out, read_description(out, config))
    pages = Pages(site, environment(config_templates(config)))
    positions = range(min(wanted, len(site.initiatives)))
    gc.freeze()
    gc.disable()
    render(pages, positions)
    best = min(render(pages, positions) for _ in range(ROUNDS))
    print(json.dumps({"pages": len(positions), "initiatives": len(site.initiatives),
                      "cpu_seconds_per_page": best / max(1, len(positions))}))


def render(pages: Pages, positions: range) -> float:
    """CPU seconds to render the initiative pages at these positions."""
    start = time.process_time()
    for position in positions:
        pages.initiative(position)
    return time.process_time() - start


if __name__ == "__main__":
    main()
