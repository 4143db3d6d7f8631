"""Every published JSON-LD file stands alone: with the network disabled, rdflib, pyoxigraph,
pyld and jsonld.js (node) read it to the same triples as its N-Triples / Turtle twin, with no
document loader; the context expands every term to an absolute IRI (jsonld.js safe mode)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pyoxigraph
import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

ROOT = Path(__file__).resolve().parent.parent
JSONLD_JS = ROOT / "node_modules" / "jsonld"
NODE = shutil.which("node")


@pytest.fixture
def offline(monkeypatch):
    """No socket can connect: any attempt to fetch a remote @context fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def ntriples_set(data: bytes, fmt) -> set[str]:
    return {str(t) for t in pyoxigraph.parse(data, format=fmt)}


def reference(published: Path, name: str) -> set[str]:
    twin = {"rdf/graph.jsonld": ("rdf/graph.nt", pyoxigraph.RdfFormat.N_TRIPLES),
            "catalog.jsonld": ("catalog.ttl", pyoxigraph.RdfFormat.TURTLE)}[name]
    return ntriples_set((published / twin[0]).read_bytes(), twin[1])


JSONLD_FILES = ["rdf/graph.jsonld", "catalog.jsonld"]


def test_graph_jsonld_carries_its_context_inline(published):
    document = json.loads((published / "rdf" / "graph.jsonld").read_text(encoding="utf-8"))
    context = json.loads((published / "rdf" / "context.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    assert document["@context"] == context["@context"]
    assert set(document) == {"@context", "@graph"}      # any other key makes a named graph
    graph = next(n for n in document["@graph"] if n["id"].endswith("/graph/miyagi-ict-plan"))
    assert graph["license"] == "https://creativecommons.org/licenses/by/4.0/"


@pytest.mark.parametrize("name", JSONLD_FILES)
def test_pyoxigraph_reads_the_file_offline_to_the_same_triples(published, offline, name):
    data = (published / name).read_bytes()
    triples = ntriples_set(data, pyoxigraph.RdfFormat.JSON_LD)
    assert triples == reference(published, name) and len(triples) > 1000


@pytest.mark.parametrize("name", JSONLD_FILES)
def test_rdflib_reads_the_file_offline_to_the_same_triples(published, offline, name):
    graph = Graph().parse(published / name, format="json-ld")
    twin = {"rdf/graph.jsonld": "rdf/graph.nt", "catalog.jsonld": "catalog.ttl"}[name]
    assert isomorphic(graph, Graph().parse(published / twin)) and len(graph) > 1000


@pytest.mark.parametrize("name", JSONLD_FILES)
def test_pyld_reads_the_file_offline_to_the_same_triples(published, offline, name):
    document = json.loads((published / name).read_text(encoding="utf-8"))
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    assert ntriples_set(nquads.encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS) == \
        reference(published, name)


NODE_SCRIPT = r"""
const jsonld = require(process.argv[1]);
const fs = require('fs');
const refuse = async url => { throw new Error('document loader called for ' + url); };
(async () => {
  const document = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const safe = process.argv[3] === 'safe';
  const nquads = await jsonld.toRDF(document, {format: 'application/n-quads', safe,
                                               documentLoader: refuse});
  process.stdout.write(nquads);
})().catch(error => { console.error(error.name + ': ' + error.message + ' ' +
                                    JSON.stringify(error.details || {}).slice(0, 500));
                      process.exit(1); });
"""


def run_jsonld_js(path: Path, safe: bool) -> subprocess.CompletedProcess:
    if not (NODE and JSONLD_JS.exists()):
        if os.environ.get("REQUIRE_BROWSER"):
            raise RuntimeError("jsonld.js tests need node and node_modules/jsonld (npm ci)")
        pytest.skip(f"not installed: {'node' if not NODE else 'jsonld.js (node_modules/jsonld: npm ci)'}")
    return subprocess.run([NODE, "-e", NODE_SCRIPT, str(JSONLD_JS), str(path),
                           "safe" if safe else "default"],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", JSONLD_FILES)
def test_jsonld_js_reads_the_file_with_no_document_loader(published, name):
    result = run_jsonld_js(published / name, safe=False)
    assert result.returncode == 0, result.stderr
    assert ntriples_set(result.stdout.encode("utf-8"), pyoxigraph.RdfFormat.N_QUADS) == \
        reference(published, name)


@pytest.mark.parametrize("name", JSONLD_FILES)
def test_the_file_passes_jsonld_js_safe_mode(published, name):
    """Safe mode fails on any key that does not expand to an absolute IRI (as `license` did)
    and on anything a processor would drop."""
    result = run_jsonld_js(published / name, safe=True)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(reference(published, name))


def test_the_published_context_alone_defines_every_key_of_the_graph(published, tmp_path):
    """context.jsonld is the graph's context: the nodes under it pass safe mode too."""
    context = json.loads((published / "rdf" / "context.jsonld").read_text(encoding="utf-8"))
    graph = json.loads((published / "rdf" / "graph.jsonld").read_text(encoding="utf-8"))
    document = tmp_path / "nodes.jsonld"
    document.write_text(json.dumps({"@context": context["@context"], "@graph": graph["@graph"]},
                                   ensure_ascii=False), encoding="utf-8")
    result = run_jsonld_js(document, safe=True)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(reference(published, "rdf/graph.jsonld"))


def test_the_context_file_states_its_licence_and_serves_as_a_remote_context(published):
    """context.jsonld says under which licence it is published, as every published file does:
    read as a document it is one triple, `<its URL> dcterms:license <the licence>`; loaded as
    the remote context of the graph's nodes (by its URL, as a developer's documents name it)
    it reads as the inline context does, its own statements passed over."""
    url = "https://example.org/plan-opendata/rdf/context.jsonld"
    data = (published / "rdf" / "context.jsonld").read_bytes()
    assert ntriples_set(data, pyoxigraph.RdfFormat.JSON_LD) == {
        f"<{url}> <http://purl.org/dc/terms/license> "
        "<https://creativecommons.org/licenses/by/4.0/>"}
    context = json.loads(data)
    graph = json.loads((published / "rdf" / "graph.jsonld").read_text(encoding="utf-8"))
    nodes = graph["@graph"][:200]

    def loader(asked, options=None):
        assert asked == url
        return {"contextUrl": None, "documentUrl": url, "document": context}
    remote = jsonld.to_rdf({"@context": url, "@graph": nodes},
                           {"format": "application/n-quads", "documentLoader": loader})
    inline = jsonld.to_rdf({"@context": context["@context"], "@graph": nodes},
                           {"format": "application/n-quads"})
    assert remote == inline and len(remote.splitlines()) > 500
    assert "context.jsonld" not in remote
