"""The graph written at scale: built in parts of documents, merged, streamed into the other
serialisations, and the JSON-LD read back by pyoxigraph in groups of nodes."""

from __future__ import annotations

import json

import pyoxigraph
import pytest

from benchmarks.corpus import write_corpus
from pipeline.config import load_config
from pipeline.errors import ValidationFailed
from pipeline.export.datapackage import source_descriptor
from pipeline.export.tables import table_rows
from assembled import build
from pipeline.rdf import stream
from pipeline.rdf.graph import build_ntriples, publication_lines
from pipeline.rdf.terms import XSD, Literal
from pipeline.rdf.serialize import count_json_ld, json_ld_context, write_graph
from pipeline.rdf.vocabulary import PREFIXES as NAMESPACES
from pipeline.schema import load_schemas


PREFIXES = {prefix: str(namespace) for prefix, namespace in NAMESPACES.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, project_root):
    """Eight synthetic documents (benchmarks/corpus.py: two plans, of five and three fields)
    as table rows and source descriptors."""
    raw = tmp_path_factory.mktemp("corpus")
    write_corpus(raw, 8)
    config = load_config(project_root / "pipeline.toml")
    publication = build(raw, config, lambda message: None)
    return (table_rows(publication), [source_descriptor(s) for s in publication.sources],
            publication.plans, config)


def test_parts_merged_equal_the_graph_built_at_once(corpus, tmp_path, monkeypatch):
    rows, sources, plans, config = corpus
    whole = build_ntriples(rows, sources, plans, config, load_schemas())
    monkeypatch.setattr(stream, "DOCUMENTS_PER_PART", 1)
    assert len(stream.partition(rows, sources, plans, 1)) == len(plans) == 2   # whole plans per part
    with stream.worker_pool(3) as pool:
        graph = stream.write_ntriples(rows, sources, plans, config, load_schemas(), tmp_path / "graph.nt", pool)
    written = (tmp_path / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert written == whole and graph.triples == len(whole) > 5_000
    assert len(set(written)) == len(written)                  # shared nodes once
    assert graph.kinds["http://purl.org/dc/terms/title"] == {"ja", "@en"}
    assert graph.kinds["http://purl.org/dc/terms/isPartOf"] == {"@id"}
    assert not list(tmp_path.glob(".parts-*"))                # the parts are removed


def test_sorted_files_merge_in_runs_like_one_sort(tmp_path):
    """Runs end wherever another file's next line comes first, across blocks of any size;
    lines two files share follow each other (merge_sorted keeps one)."""
    files = {"a": [b"<a> p 1\n", b"<b> p 1\n", b"<b> p 2\n", b"<x> p 1\n", b"<y> p 1\n"],
             "b": [b"<b> p 1\n", b"<c> p 1\n", b"<x> p 0\n"], "c": [], "d": [b"<z> p 1\n"]}
    for name, lines in files.items():
        (tmp_path / name).write_bytes(b"".join(lines))
    expected = sorted(line for lines in files.values() for line in lines)
    for block_bytes in (1, 12, 1 << 20):
        handles = [(tmp_path / name).open("rb") for name in files]
        runs = list(stream.merged_runs(handles, block_bytes))
        for handle in handles:
            handle.close()
        assert [line for run in runs for line in run] == expected
    assert runs == [[b"<a> p 1\n", b"<b> p 1\n"], [b"<b> p 1\n"], [b"<b> p 2\n"],
                    [b"<c> p 1\n", b"<x> p 0\n"], [b"<x> p 1\n", b"<y> p 1\n"], [b"<z> p 1\n"]]
    count, chunks = stream.merge_sorted([tmp_path / name for name in files], tmp_path / "all")
    assert (tmp_path / "all").read_bytes() == b"".join(dict.fromkeys(expected)) and count == 8


def test_partition_keeps_every_row_with_its_plan(corpus):
    rows, sources, plans, _ = corpus
    parts = stream.partition(rows, sources, plans, 5)
    assert [[len(group.sources) for group in part] for part in parts] == [[5], [3]]  # never cut
    for part in parts:
        for group in part:
            names = {s["file"].rsplit("/", 1)[-1] for s in group.sources}
            assert {s["plan_id"] for s in group.sources} == {group.plan.plan_id}
            assert all(row["source"] in names and row["plan_id"] == group.plan.plan_id
                       for table in group.rows.values() for row in table)
    assert [group.plan for part in parts for group in part] == list(plans.values())
    assert sum(len(r) for part in parts for group in part for r in group.rows.values()) == \
        sum(len(r) for r in rows.values())
    assert [len(part) for part in stream.partition(rows, sources, plans, 9)] == [2]


@pytest.mark.parametrize("value, lang, datatype, kind", [
    ('引用 "名" \\ 改行\nタブ\tと\r', "ja", None, "ja"),
    ("Indicator baselines", "en", None, "@en"),
    ("38.25", None, XSD.decimal, XSD.decimal),
    ("plain", None, None, "@none"),
])
def test_literals_read_back_as_written(value, lang, datatype, kind):
    line = f"<http://x/s> <http://x/p> {Literal(value, lang=lang, datatype=datatype)} ."
    subject, predicate, obj = stream.split_triple(line)
    assert (subject, predicate) == ("http://x/s", "http://x/p")
    assert stream.object_kind(obj) == kind
    assert stream.literal_text(obj) == value
    parsed = next(iter(pyoxigraph.parse(line.encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)))
    assert parsed.object.value == value                       # the same as an RDF parser reads


def test_unicode_escapes_are_read_like_an_rdf_parser():
    assert stream.literal_text('"a\\u00e9b\\U0001F600c"') == "a\u00e9b\U0001F600c"


def write_all(corpus, folder, chunk_lines):
    rows, sources, plans, config = corpus
    with stream.worker_pool(3) as pool:
        parts = stream.write_ntriples(rows, sources, plans, config, load_schemas(), folder / "graph.nt", None)
        count, chunks = stream.merge_sorted([folder / "graph.nt"], folder / "graph.nt.sorted", chunk_lines)
        (folder / "graph.nt.sorted").replace(folder / "graph.nt")
        graph = stream.NTriples(folder / "graph.nt", count, parts.kinds, chunks)
        write_graph(graph, PREFIXES, pool)
    return graph


def test_chunks_hold_whole_subjects(corpus, tmp_path):
    graph = write_all(corpus, tmp_path, 500)
    data = (tmp_path / "graph.nt").read_bytes()
    assert len(graph.chunks) > 10 and graph.chunks[0][0] == 0 and graph.chunks[-1][1] == len(data)
    assert all(a[1] == b[0] for a, b in zip(graph.chunks, graph.chunks[1:]))
    for start, _ in graph.chunks[1:]:
        before = data[:start].rsplit(b"\n", 2)[-2]
        after = data[start:data.index(b"\n", start)]
        assert before.split(b" ")[0] != after.split(b" ")[0]


def test_files_joined_from_chunks_equal_one_pass(corpus, tmp_path):
    """Turtle and RDF/XML joined from many chunks are byte for byte the files written in one
    chunk; the JSON-LD has the same nodes."""
    (tmp_path / "many").mkdir()
    (tmp_path / "one").mkdir()
    many = write_all(corpus, tmp_path / "many", 500)
    one = write_all(corpus, tmp_path / "one", 10 ** 9)
    assert len(one.chunks) == 1 and len(many.chunks) > 10
    for name in ("graph.ttl", "graph.rdf", "graph.jsonld", "context.jsonld"):
        assert (tmp_path / "many" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name


def test_the_serialisations_agree_and_the_json_ld_is_read_back_in_groups(corpus, tmp_path):
    graph = write_all(corpus, tmp_path, 700)
    context = json_ld_context(graph.kinds, PREFIXES)
    assert count_json_ld(tmp_path / "graph.jsonld", context, nodes_per_read=7) == graph.triples
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                      ("graph.rdf", pyoxigraph.RdfFormat.RDF_XML)):
        assert sum(1 for _ in pyoxigraph.parse(path=str(tmp_path / name), format=fmt)) == graph.triples
    nodes = [json.loads(line.rstrip().rstrip(",")) for line in
             (tmp_path / "graph.jsonld").read_text(encoding="utf-8").splitlines()
             if line.startswith("    {")]
    assert len({node["id"] for node in nodes}) == len(nodes)  # one object per subject
    assert not list(tmp_path.glob(".chunks-*"))


def test_a_count_that_disagrees_stops_the_publish(corpus, tmp_path):
    rows, sources, plans, config = corpus
    graph = stream.write_ntriples(rows, sources, plans, config, load_schemas(), tmp_path / "graph.nt", None)
    graph.triples += 1
    with pytest.raises(ValidationFailed, match="inconsistent"):
        write_graph(graph, PREFIXES)


def test_an_invalid_iri_in_the_graph_stops_the_publish(corpus, tmp_path):
    """graph.nt is read leniently for Turtle and RDF/XML; the JSON-LD, read back strictly,
    drops the triple whose IRI is not valid, and the counts disagree."""
    rows, sources, plans, config = corpus
    graph = stream.write_ntriples(rows, sources, plans, config, load_schemas(), tmp_path / "graph.nt", None)
    data = graph.path.read_bytes()
    end = data.index(b"> .\n", data.index(b"> <http://purl.org/dc/terms/isPartOf> <"))
    graph.path.write_bytes(data[:end - 1] + b"|" + data[end:])       # the same length
    with pytest.raises(ValidationFailed, match="inconsistent"):
        write_graph(graph, PREFIXES)


def test_each_plan_gets_its_own_graph_and_together_they_are_the_whole(corpus, tmp_path):
    rows, sources, plans, config = corpus
    whole = build_ntriples(rows, sources, plans, config, load_schemas())
    stream.write_ntriples(rows, sources, plans, config, load_schemas(), tmp_path / "graph.nt", None,
                          plans_dir=tmp_path / "plans")
    plans = sorted(p.name for p in (tmp_path / "plans").iterdir())
    assert plans == sorted({s["plan_id"] for s in sources}) and len(plans) == 2
    union = set()
    for plan in plans:
        lines = (tmp_path / "plans" / plan / "graph.nt").read_text(encoding="utf-8").splitlines()
        assert lines == sorted(set(lines))
        assert all(f"/plan/{other}/" not in line for other in plans if other != plan for line in lines)
        union |= set(lines)
    # the whole says what no plan's graph does: the publication graph's licence
    assert sorted(union | set(publication_lines(config))) == whole


def test_line_and_page_separators_inside_values_reach_every_serialisation(corpus, tmp_path):
    """U+2028, U+2029, form feed, record separator and NEL are line breaks for str.splitlines,
    not for N-Triples: a value holding them is written and read back whole."""
    rows, sources, plans, config = corpus
    rows = {table: [dict(row) for row in records] for table, records in rows.items()}
    value = "前\u2028後\x0c頁\x1c記録\x85次\u2029段\x0b終"
    rows["initiatives"][0]["summary"] = value
    graph = write_all((rows, sources, plans, config), tmp_path, 10 ** 9)
    context = json_ld_context(graph.kinds, PREFIXES)
    assert count_json_ld(tmp_path / "graph.jsonld", context) == graph.triples
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                      ("graph.rdf", pyoxigraph.RdfFormat.RDF_XML),
                      ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        values = {t.object.value for t in pyoxigraph.parse(path=str(tmp_path / name), format=fmt)}
        assert value in values, name
    assert json.dumps(value, ensure_ascii=False) in (tmp_path / "graph.jsonld").read_text(encoding="utf-8")
