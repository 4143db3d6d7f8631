"""The publication a first publish assembles, for tests that look at the model (assemble.py)
before it becomes rows: every source of a raw folder read as publish reads it (its messages
and warnings to `log`), extracted and assembled, with no cache."""

from __future__ import annotations

from pathlib import Path

from pipeline.assemble import Publication, assemble
from pipeline.config import Config
from pipeline.extract.batch import extract_all
from pipeline.publish import read
from pipeline.timing import Stopwatch


def build(raw_dir: Path, config: Config, log=lambda message: None) -> Publication:
    sources = read(raw_dir, config, log, Stopwatch())
    documents, _ = extract_all(sources, None)
    publication = assemble(sources, documents)
    for warning in publication.warnings:
        log(f"warning: {warning}")
    return publication
