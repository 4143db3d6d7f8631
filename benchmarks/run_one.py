"""Publish one raw folder and print its stage timings as JSON (run by benchmarks.run)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from pipeline.config import load_config

SETTINGS = Path(__file__).resolve().parent / "pipeline.toml"     # an aggregator of many plans
from pipeline.publish import publish


def main() -> None:
    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    cache = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    start = time.perf_counter()
    result = publish(raw, out, load_config(SETTINGS), log=lambda message: None, cache_dir=cache)
    total = time.perf_counter() - start
    if result.publication is None:          # the same inputs as the published edition
        print(json.dumps({"seconds": total, "stages": result.seconds, "unchanged": True}))
        return
    tables = result.publication.rows
    triples = sum(1 for _ in (out / "rdf" / "graph.nt").open("rb"))
    print(json.dumps({"seconds": total, "stages": result.seconds, "documents": len(result.publication.sources),
                      "initiatives": len(tables["initiatives"]), "triples": triples,
                      "plans": len(result.publication.plans), "unchanged": False,
                      "bytes": sum(s.size for s in result.publication.sources)}))


if __name__ == "__main__":
    main()
