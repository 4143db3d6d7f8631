"""A plan's dataset in the catalogue, CKAN and schema.org carries its plan's own edition (the
version and dates of the edition in which its records last changed), so an unchanged plan's
part of the catalogue is the same from edition to edition and its SHACL findings come from the
cache; the combined datasets and the catalogue carry the publication's: its version and date,
and the date it was first issued."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD

from test_plans import BASE, FUKUSHIMA, MIYAGI, write_two_plans

FIRST, SECOND = "2023-11-14T22:13:20Z", "2027-01-15T08:00:00Z"     # the two SOURCE_DATE_EPOCHs
DCAT_VERSION = URIRef(str(DCAT) + "version")
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def editions(tmp_path_factory, run_cli, source_text) -> tuple[Path, Path, Path, dict]:
    """(out, its first edition's copy, the catalogue's cache entries, those of the first
    edition with their modification times) after publishing two plans, then again with
    Fukushima's text changed."""
    folder = tmp_path_factory.mktemp("editions")
    raw, out, cache = folder / "raw", folder / "out", folder / "cache"
    write_two_plans(raw, source_text, source_text)
    first = run_cli("publish", "--raw-dir", raw, "--out-dir", out, "--cache-dir", cache,
                    env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert first.returncode == 0, first.stderr
    shutil.copytree(out, folder / "first")
    (entries,) = (cache / "catalogue").iterdir()
    written = {path.name: path.stat().st_mtime_ns for path in entries.iterdir()}
    (raw / "fukushima.txt").write_text(source_text.replace("県内の公共機関", "福島県内の公共機関"),
                                       encoding="utf-8")
    second = run_cli("publish", "--raw-dir", raw, "--out-dir", out, "--cache-dir", cache,
                     env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert second.returncode == 0, second.stderr
    return out, folder / "first", entries, written


def _edition(graph: Graph, node: URIRef) -> tuple:
    return (graph.value(node, DCAT_VERSION), graph.value(node, OWL.versionInfo),
            graph.value(node, DCTERMS.issued), graph.value(node, DCTERMS.modified))


def _expected(version: str, issued: str, modified: str) -> tuple:
    return (Literal(version), Literal(version), Literal(issued, datatype=XSD.dateTime),
            Literal(modified, datatype=XSD.dateTime))


def test_each_plans_dataset_and_its_files_carry_its_plans_edition_in_dcat(editions):
    out, *_ = editions
    catalog = Graph().parse(out / "catalog.ttl", format="turtle")
    for plan, edition in ((MIYAGI, ("1.0.0", FIRST, FIRST)), (FUKUSHIMA, ("1.0.1", FIRST, SECOND))):
        dataset = URIRef(f"{BASE}dataset/plan-{plan}")
        assert _edition(catalog, dataset) == _expected(*edition)
        files = list(catalog.objects(dataset, DCAT.distribution))
        assert len(files) == 15 and all(_edition(catalog, f)[2:] == _expected(*edition)[2:]
                                        for f in files)


def test_each_plans_ckan_package_and_schema_org_carry_its_plans_edition(editions):
    out, *_ = editions
    for plan, (version, issued, modified) in ((MIYAGI, ("1.0.0", FIRST, FIRST)),
                                              (FUKUSHIMA, ("1.0.1", FIRST, SECOND))):
        package = json.loads((out / "ckan" / f"plan-{plan}.json").read_text(encoding="utf-8"))
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert (package["version"], extras["issued"], extras["modified"]) == (version, issued, modified)
        assert {(r["issued"], r["modified"]) for r in package["resources"]} == {(issued, modified)}
        page = (out / "datasets" / f"plan-{plan}.html").read_text(encoding="utf-8")
        document = json.loads(page.split('<script type="application/ld+json">', 1)[1]
                              .split("</script>", 1)[0])
        assert (document["version"], document["datePublished"], document["dateModified"]) == \
            (version, issued, modified)


@pytest.mark.parametrize("serialisation", ["catalog.ttl", "catalog.jsonld"])
def test_the_combined_datasets_and_the_catalogue_keep_the_first_date(editions, serialisation):
    """The publication's edition: its version and date move with every edition, the date it
    was first issued stays (it moved with every edition, so that a harvester saw the
    publication as new each time)."""
    out, *_ = editions
    catalog = Graph().parse(out / serialisation)
    catalogue = next(catalog.subjects(RDF.type, DCAT.Catalog))
    assert _edition(catalog, catalogue)[2:] == _expected("1.0.1", FIRST, SECOND)[2:]
    combined = sorted(d for d in catalog.objects(catalogue, DCAT.dataset)
                      if not str(d).startswith(f"{BASE}dataset/plan-"))
    assert len(combined) == 11 and URIRef(f"{BASE}dataset/miyagi-ict-plan-initiatives") in combined
    for dataset in combined:
        assert _edition(catalog, dataset) == _expected("1.0.1", FIRST, SECOND), dataset
        files = list(catalog.objects(dataset, DCAT.distribution))
        assert files and all(_edition(catalog, f)[2:] == _expected("1.0.1", FIRST, SECOND)[2:]
                             for f in files), dataset


def test_the_combined_datasets_keep_the_date_first_issued_in_ckan_and_schema_org(editions):
    out, *_ = editions
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert (package["version"], package["issued"], package["created"]) == ("1.0.1", FIRST, SECOND)
    combined = [path for path in (out / "ckan").glob("*.json")
                if path.name.startswith("miyagi-ict-plan-")]
    assert len(combined) == 11
    for path in combined:
        dataset = json.loads(path.read_text(encoding="utf-8"))
        extras = {e["key"]: e["value"] for e in dataset["extras"]}
        assert (dataset["version"], extras["issued"], extras["modified"]) == \
            ("1.0.1", FIRST, SECOND), path.name
        assert {(r["issued"], r["modified"]) for r in dataset["resources"]} == {(FIRST, SECOND)}
    page = (out / "datasets" / "miyagi-ict-plan-initiatives.html").read_text(encoding="utf-8")
    document = json.loads(page.split('<script type="application/ld+json">', 1)[1]
                          .split("</script>", 1)[0])
    assert (document["version"], document["datePublished"], document["dateModified"]) == \
        ("1.0.1", FIRST, SECOND)


def test_a_plans_part_changed_in_its_values_alone_has_its_findings_from_the_cache(editions):
    from pipeline.config import load_config
    from pipeline.export.dcat import build_catalog
    from pipeline.export.description import read_description
    from pipeline.shacl import SHAPE_SETS, _prefixes, catalogue_cache, shapes_graph
    from pipeline.shacl_parts import node_local, split
    out, first, entries, written = editions
    inverse = set().union(*(node_local(shapes_graph(names))[1] for names in SHAPE_SETS))

    def entry_names(folder: Path, blind: bool) -> dict[str, str]:
        """Each plan's part's cache entry name in the catalogue of folder (built again, as
        publish built it: parsing catalog.ttl would normalise its dates)."""
        catalog = build_catalog(folder, read_description(folder, load_config(PROJECT / "pipeline.toml")))
        cache = catalogue_cache(entries)
        return {plan: next(cache.entry("shacl-part", part.digest(blind=blind), _prefixes(catalog))
                           for part in split(catalog, inverse)
                           if URIRef(f"{BASE}dataset/plan-{plan}") in part.owned)
                for plan in (MIYAGI, FUKUSHIMA)}

    before, after = entry_names(first, False), entry_names(out, False)
    assert before[MIYAGI] == after[MIYAGI] and before[FUKUSHIMA] != after[FUKUSHIMA]
    # Fukushima's dataset changed in its values alone (its files' sizes and checksums, its
    # edition's version and date): the same part for literal-blind shapes (shacl_parts.py)
    before, after = entry_names(first, True), entry_names(out, True)
    assert before == after
    now = {path.name: path.stat().st_mtime_ns for path in entries.iterdir()}
    assert set(before.values()) <= set(written) and set(after.values()) <= set(now)
    for plan in (MIYAGI, FUKUSHIMA):                        # taken from the cache, not rewritten
        assert now[after[plan]] == written[before[plan]]
