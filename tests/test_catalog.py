"""The DCAT-AP 3 catalogue (catalog.ttl, catalog.jsonld) and the CKAN metadata (ckan/) of a
publication of the real source: SHACL conformance, every published file described exactly once
with matching size and SHA-256 (as a distribution, or listed in the site manifest, which is one),
the web portal as a constant number of distributions, serialisations that agree, and
package_create-ready CKAN packages."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pyoxigraph
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from pipeline.config import load_config
from pipeline.errors import PipelineError, ValidationFailed
from pipeline.export.ckan import (NAME_PATTERN, PACKAGE_CREATE_KEYS,
                                  PACKAGE_SHOW_KEYS_IGNORED_BY_CREATE, ckan_package, owner,
                                  write_ckan)
from pipeline.export.listing import CATALOG_FILES, SITE_LANDING_PAGE, SITE_MANIFEST
from pipeline.outfolder import OWN_FILES
from pipeline.export.dcat import build_catalog, catalog_uri, distribution_uri, write_catalog
from pipeline.export.description import read_description
from pipeline.shacl import check_catalog

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Plain namespaces: pytest's collection probes module attributes, which rdflib's closed
# DefinedNamespaces (DCAT, XSD) answer with warnings.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
ASCII_ID = re.compile(r"^[a-z0-9_-]{2,100}$")
RDF_FILES = ("graph.ttl", "graph.nt", "graph.rdf", "graph.jsonld", "context.jsonld",
             "vocabulary.ttl")
# Keys ckan.model.license.License reads from a licenses_group_url register.
CKAN_LICENSE_KEYS = {"id", "title", "url", "od_conformance", "osd_conformance", "status",
                     "domain_content", "domain_data", "domain_software", "family", "is_generic",
                     "maintainer"}


def _dummy_linked_data(folder: Path) -> None:
    """Small valid RDF files standing in for the linked-data export until it exists."""
    folder.mkdir(parents=True, exist_ok=True)
    ex = Namespace("https://example.org/plan-opendata/id/")
    graph = Graph()
    graph.add((ex["initiative/2-1-1"], DCTERMS.title, Literal("テスト", lang="ja")))
    for name, fmt in (("graph.ttl", "turtle"), ("graph.nt", "nt"), ("graph.rdf", "xml"),
                      ("graph.jsonld", "json-ld"), ("vocabulary.ttl", "turtle")):
        (folder / name).write_text(graph.serialize(format=fmt), encoding="utf-8")
    (folder / "context.jsonld").write_text(
        json.dumps({"@context": {"dcterms": str(DCTERMS)}}) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def config():
    return load_config(PROJECT_ROOT / "pipeline.toml")


@pytest.fixture(scope="session")
def catalogued(tmp_path_factory, config) -> Path:
    """A publication of the real source with its RDF files, CKAN metadata and catalogue."""
    out = tmp_path_factory.mktemp("catalogued") / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "publish", "--raw-dir", PROJECT_ROOT / "data" / "raw",
         "--out-dir", out], cwd=PROJECT_ROOT, text=True, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stderr
    if not any((out / "rdf" / name).exists() for name in RDF_FILES):
        _dummy_linked_data(out / "rdf")
    if not (out / "catalog.ttl").exists():      # until publish writes the catalogue itself
        write_ckan(out, read_description(out, config))
        write_catalog(out, read_description(out, config))
    return out


@pytest.fixture(scope="session")
def catalog(catalogued) -> Graph:
    return Graph().parse(catalogued / "catalog.ttl", format="turtle")


@pytest.fixture(scope="session")
def ckan_packages(catalogued) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((catalogued / "ckan").glob("*.json"))
            if p.name not in ("licenses.json", "organizations.json")}


def published_files(folder: Path) -> list[str]:
    """Every file but the catalogue and publish's list of the files it wrote (bookkeeping)."""
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(f for f in files if f not in CATALOG_FILES and f != OWN_FILES)


def local_path(url: str, config) -> str:
    assert url.startswith(config.download_base), url
    return unquote(url[len(config.download_base):])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def site_manifest(folder: Path) -> dict[str, dict]:
    """The site manifest's entries by path (every site file except the manifest itself)."""
    manifest = json.loads((folder / SITE_MANIFEST).read_text(encoding="utf-8"))
    return {entry["path"]: entry for entry in manifest["files"]}


# The Apache rules where they take effect: the same bytes as server/apache.htaccess, which the
# catalogue offers for download, as Apache serves no `.ht` file (so no distribution).
INSTALLED_RULES = "id/.htaccess"


def manifest_listed(folder: Path) -> dict[str, dict]:
    """The files accounted for by a manifest instead of a distribution each: the site's pages
    (site-manifest.json) and the URI documents (rdf/uri-documents.json)."""
    documents = json.loads((folder / "rdf" / "uri-documents.json").read_text(encoding="utf-8"))
    return {**site_manifest(folder), **{entry["path"]: entry for entry in documents["files"]}}


def download_paths(catalog: Graph, config) -> Counter:
    return Counter(local_path(str(url), config) for url in catalog.objects(None, DCAT.downloadURL))


def datasets_by_identifier(catalog: Graph) -> dict[str, URIRef]:
    return {str(catalog.value(d, DCTERMS.identifier)): d
            for d in catalog.subjects(RDF.type, DCAT.Dataset)}


# --- SHACL ---------------------------------------------------------------------------------

def test_catalogue_conforms_to_dcat_ap_without_warnings(catalog):
    assert check_catalog(catalog) == []


def test_a_violation_fails_with_one_readable_line_per_finding(catalog, config):
    broken = Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((catalog_uri(config), DCTERMS.title, None))
    with pytest.raises(ValidationFailed) as failure:
        check_catalog(broken, "catalog.ttl")
    assert failure.value.path == "catalog.ttl"
    assert len(failure.value.findings) == 2              # one per official shape set
    for finding in failure.value.findings:
        assert "Violation" in finding and str(catalog_uri(config)) in finding and "dcterms:title" in finding


def test_the_single_file_shape_set_checks_the_checksum_algorithm_class(catalog):
    """Only the `shacl/` set (dcat-ap-SHACL.ttl + ranges.ttl) checks that spdx:algorithm values
    are spdx:ChecksumAlgorithm: untyped, every checksum is a violation and the publish stops."""
    from rdflib.namespace import RDF
    from pipeline.rdf.vocabulary import SPDX
    from pipeline.shacl import MANDATORY, SINGLE_FILE, _run
    untyped = Graph()
    for triple in catalog:
        if triple[2] != SPDX.ChecksumAlgorithm:
            untyped.add(triple)
    assert _run(untyped, MANDATORY)[0] == []                  # the html/shacl set passes it
    checksums = set(untyped.subjects(RDF.type, SPDX.Checksum))
    violations = _run(untyped, SINGLE_FILE)[0]
    assert len(violations) == len(checksums) > 40
    assert all("algorithm" in v and "ChecksumAlgorithm" in v for v in violations)
    with pytest.raises(ValidationFailed):
        check_catalog(untyped)


def test_the_vendored_single_file_set_is_the_official_one():
    shared = Path(__file__).resolve().parent.parent.parent / "shared" / "dcat-ap" / "3.0.1" / "shacl"
    vendored = Path(__file__).resolve().parent.parent / "schemas" / "shacl" / "dcat-ap-3.0.1-shacl"
    digests = {"dcat-ap-SHACL.ttl": "990d3e42721de6a4be8cc338a7171559f195e62dea89c0b56531356b78cc026f",
               "ranges.ttl": "a6eed0fae8d0f5ca977fe2098ca12081ac60b0efe1ddce802d5c08e49505ebcc"}
    for name, digest in digests.items():
        assert sha256(vendored / name) == digest
        if shared.is_dir():
            assert (shared / name).read_bytes() == (vendored / name).read_bytes()


# --- distributions and files ---------------------------------------------------------------

def test_every_published_file_is_described_exactly_once(catalogued, catalog, config):
    """Each file is a distribution (its download URL) or is listed in the site manifest or the
    URI documents' listing, which are distributions, or is the copy of the Apache rules that
    takes effect in id/; never both, never twice, never left out."""
    urls = download_paths(catalog, config)
    listed = manifest_listed(catalogued)
    assert SITE_MANIFEST in urls and SITE_MANIFEST not in listed
    assert "rdf/uri-documents.json" in urls and "id/plan/miyagi-ict-plan-2014-2016/initiative/2-2-5.ttl" in listed
    assert [path for path, count in urls.items() if count != 1] == []
    assert not set(urls) & set(listed) and INSTALLED_RULES not in {*urls, *listed}
    assert sorted([*urls, *listed, INSTALLED_RULES]) == published_files(catalogued)
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        assert len(list(catalog.subjects(DCAT.distribution, distribution))) == 1, distribution


def test_site_manifest_lists_every_page_with_size_checksum_and_media_type(catalogued):
    manifest = json.loads((catalogued / SITE_MANIFEST).read_text(encoding="utf-8"))
    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == sorted(paths) and len(paths) == len(set(paths))
    assert SITE_LANDING_PAGE in paths and "initiatives/miyagi-ict-plan-2014-2016/2-2-5.html" in paths
    assert "assets/style.css" in paths and "assets/search.js" in paths
    assert manifest["count"] == len(paths)
    assert manifest["bytes"] == sum(entry["bytes"] for entry in manifest["files"])
    for entry in manifest["files"]:
        data = (catalogued / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data), entry["path"]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["path"]
    types = {entry["path"]: entry["mediatype"] for entry in manifest["files"]}
    assert types[SITE_LANDING_PAGE] == "text/html" and types["assets/style.css"] == "text/css"
    assert types["assets/search.js"] == "text/javascript"


def test_the_site_is_two_distributions_however_many_pages(catalogued, catalog, config):
    """The portal (access URL: its landing page, no download) and the manifest."""
    dataset = datasets_by_identifier(catalog)[f"{config.name}-site"]
    distributions = list(catalog.objects(dataset, DCAT.distribution))
    assert len(distributions) == 2
    pages = sum(1 for path in site_manifest(catalogued) if path.endswith(".html"))
    assert pages > 40
    portal = next(d for d in distributions if catalog.value(d, DCAT.downloadURL) is None)
    manifest = next(d for d in distributions if d != portal)
    assert catalog.value(portal, DCAT.accessURL) == URIRef(config.download_base + SITE_LANDING_PAGE)
    assert catalog.value(portal, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/html")
    assert catalog.value(portal, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/HTML")
    assert catalog.value(portal, DCAT.byteSize) is None and catalog.value(portal, SPDX.checksum) is None
    assert catalog.value(portal, DCTERMS.license) == CC_BY_4
    assert local_path(str(catalog.value(manifest, DCAT.downloadURL)), config) == SITE_MANIFEST


def _site_copy(catalogued: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "out"
    shutil.copytree(catalogued, copy)
    return copy


def test_the_catalogue_does_not_grow_with_the_pages(catalogued, catalog, config, tmp_path):
    """Fifty more initiative pages (listed in the manifest) leave the catalogue, and so the
    SHACL check, the same size: only the manifest's size and checksum change."""
    copy = _site_copy(catalogued, tmp_path)
    manifest = json.loads((copy / SITE_MANIFEST).read_text(encoding="utf-8"))
    for number in range(50):
        path = f"initiatives/9-9-{number}.html"
        data = f"<!DOCTYPE html><title>{number}</title>".encode("utf-8")
        (copy / path).write_bytes(data)
        manifest["files"].append({"path": path, "bytes": len(data), "mediatype": "text/html",
                                  "sha256": hashlib.sha256(data).hexdigest()})
    manifest["files"].sort(key=lambda entry: entry["path"])
    (copy / SITE_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    bigger = build_catalog(copy, read_description(copy, config))
    assert len(bigger) == len(catalog)
    assert len(list(bigger.subjects(RDF.type, DCAT.Distribution))) == \
        len(list(catalog.subjects(RDF.type, DCAT.Distribution)))


def test_a_site_file_the_manifest_does_not_list_is_a_distribution_of_its_own(catalogued, config,
                                                                             tmp_path):
    copy = _site_copy(catalogued, tmp_path)
    (copy / "assets" / "extra.txt").write_text("added by hand\n", encoding="utf-8")
    site = next(d for d in read_description(copy, config).datasets if d.key == "site")
    assert [f.path for f in site.files] == [SITE_LANDING_PAGE, SITE_MANIFEST, "assets/extra.txt"]
    urls = download_paths(build_catalog(copy, read_description(copy, config)), config)
    assert sorted([*urls, *manifest_listed(copy), INSTALLED_RULES]) == published_files(copy)


def test_a_stale_site_manifest_is_an_error(catalogued, config, tmp_path):
    copy = _site_copy(catalogued, tmp_path)
    page = copy / "initiatives" / "miyagi-ict-plan-2014-2016" / "2-2-5.html"
    page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    with pytest.raises(PipelineError, match="out of date: initiatives/miyagi-ict-plan-2014-2016/2-2-5.html"):
        build_catalog(copy, read_description(copy, config))
    page.unlink()
    with pytest.raises(PipelineError, match="out of date: initiatives/miyagi-ict-plan-2014-2016/2-2-5.html"):
        write_ckan(copy, read_description(copy, config))


def test_catalogue_and_ckan_metadata_are_described(catalogued, catalog, config):
    described = set(download_paths(catalog, config))
    assert "datapackage.json" in described and "ckan/licenses.json" in described
    assert not described & set(CATALOG_FILES)
    assert not set(site_manifest(catalogued)) & set(CATALOG_FILES)


def test_size_and_checksum_of_every_distribution_match_the_file(catalogued, catalog, config):
    distributions = [d for d in catalog.subjects(RDF.type, DCAT.Distribution)
                     if catalog.value(d, DCAT.downloadURL) is not None]        # not the portal
    assert len(distributions) == \
        len(published_files(catalogued)) - len(manifest_listed(catalogued)) - 1   # INSTALLED_RULES
    for distribution in distributions:
        path = catalogued / local_path(str(catalog.value(distribution, DCAT.downloadURL)), config)
        size = catalog.value(distribution, DCAT.byteSize)
        assert size.datatype == XSD.nonNegativeInteger and int(size) == path.stat().st_size
        checksum = catalog.value(distribution, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert value.datatype == XSD.hexBinary and str(value) == sha256(path), path
        assert catalog.value(distribution, DCAT.accessURL) == catalog.value(distribution, DCAT.downloadURL)
        assert str(catalog.value(distribution, DCAT.mediaType)).startswith(
            "https://www.iana.org/assignments/media-types/")


def test_csv_distributions_conform_to_their_table_schema(catalogued, catalog, config):
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        path = local_path(str(catalog.value(distribution, DCAT.accessURL)), config)
        if path.endswith(".csv"):
            schema = local_path(str(catalog.value(distribution, DCTERMS.conformsTo)), config)
            assert schema.startswith("schemas/") and (catalogued / schema).is_file(), path
            assert (catalog.value(distribution, DCTERMS.format)
                    == URIRef("http://publications.europa.eu/resource/authority/file-type/CSV"))


def test_files_are_partitioned_between_the_datasets(catalogued, config):
    datasets = read_description(catalogued, config).datasets
    paths = [f.path for d in datasets for f in d.files if f.download]
    assert sorted([*paths, *manifest_listed(catalogued), INSTALLED_RULES]) == published_files(catalogued)
    by_key = {d.key: {f.path for f in d.files} for d in datasets}
    assert by_key["site"] == {SITE_LANDING_PAGE, SITE_MANIFEST}
    assert [f.path for d in datasets for f in d.files if not f.download] == [SITE_LANDING_PAGE]
    assert by_key["initiatives"] == {"initiatives.csv", "initiatives.json", "excel/initiatives.csv",
                                     "excel/initiatives.xlsx", "parquet/initiatives.parquet",
                                     "schemas/initiatives.json",
                                     "schemas/initiatives-excel.json"}
    assert by_key["database"] == {"miyagi-ict-plan.sqlite", "datasette/metadata.json"}
    assert by_key["linked-data"] == {p for p in paths if p.startswith("rdf/")}
    assert {"datapackage.json", "ckan/licenses.json", "server/nginx.conf",
            "server/apache.htaccess"} <= by_key["metadata"]


def test_the_apache_rules_are_offered_from_server_and_take_effect_in_id(catalogued, catalog,
                                                                       config):
    """Apache answers 403 for any file named `.ht…` (Debian's apache2.conf), so id/.htaccess
    was a distribution no Apache served: the catalogue offers the same bytes as
    server/apache.htaccess beside server/nginx.conf; id/.htaccess stays, where the rules take
    effect, among the files publish wrote, no distribution."""
    urls = download_paths(catalog, config)
    assert (urls["server/apache.htaccess"], urls["server/nginx.conf"], urls[INSTALLED_RULES]) == (1, 1, 0)
    rules = (catalogued / "server" / "apache.htaccess").read_bytes()
    assert (catalogued / INSTALLED_RULES).read_bytes() == rules
    assert b"take effect as id/.htaccess of the published\n# folder" in rules
    assert rules.count(b"RewriteRule ^dataset/([^/]+)$ /plan-opendata/datasets/$1.html [R=303,L]") == 1
    own = json.loads((catalogued / OWN_FILES).read_text(encoding="utf-8"))["files"]
    assert {INSTALLED_RULES, "server/apache.htaccess", "server/nginx.conf"} <= set(own)


def test_the_server_rules_say_what_they_are(catalog, config):
    """They were catalogued as `nginx.conf（CONF）` and `apache.htaccess（HTACCESS）`, with no
    word of what they do or where they go."""
    described = {}
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        url = str(catalog.value(distribution, DCAT.downloadURL) or "")
        if url.startswith(config.download_base + "server/"):
            described[url[len(config.download_base):]] = (
                str(catalog.value(distribution, DCTERMS.title)),
                str(catalog.value(distribution, DCTERMS.description)))
    assert {path: title for path, (title, _) in described.items()} == {
        "server/nginx.conf": "nginx の設定（server/nginx.conf）",
        "server/apache.htaccess": "Apache の設定（server/apache.htaccess）"}
    assert "server ブロックで include" in described["server/nginx.conf"][1]
    assert "id/.htaccess と同じ内容" in described["server/apache.htaccess"][1]


# --- serialisations --------------------------------------------------------------------------

def test_jsonld_is_the_same_graph_as_turtle(catalogued, catalog):
    document = json.loads((catalogued / "catalog.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)          # inline, no remote context
    jsonld = Graph().parse(catalogued / "catalog.jsonld", format="json-ld")
    assert isomorphic(jsonld, catalog)


def test_the_catalogues_triples_are_checked_and_written_as_its_graph_would_be(catalogued,
                                                                           config, tmp_path):
    """publish keeps the catalogue as a set of triples (no rdflib Graph): its parts, their
    digests and its files are those of the same triples in a Graph."""
    from pipeline.export.dcat import catalog_triples, ntriples_lines
    from pipeline.shacl_parts import split
    description = read_description(catalogued, config)
    triples = catalog_triples(catalogued, description)
    graph = build_catalog(catalogued, description)
    assert len(triples) == len(graph) > 1000 and set(triples) == set(graph)
    lines = ntriples_lines(triples)                  # the same triples as rdflib writes them
    assert lines == sorted(lines) and len(lines) == len(graph)
    assert set(pyoxigraph.parse("\n".join(lines).encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)) \
        == set(pyoxigraph.parse(graph.serialize(format="nt", encoding="utf-8"),
                                format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert [(part.owned, part.digest()) for part in split(triples, {DCAT.inSeries})] == \
        [(part.owned, part.digest()) for part in split(graph, {DCAT.inSeries})]
    assert check_catalog(triples) == []
    write_catalog(tmp_path, description, triples)
    for name in CATALOG_FILES:
        assert (tmp_path / name).read_bytes() == (catalogued / name).read_bytes(), name


def test_oxigraph_reads_the_same_number_of_triples(catalogued, catalog):
    with (catalogued / "catalog.ttl").open("rb") as handle:
        triples = list(pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(catalog)


def test_building_again_gives_the_same_catalogue(catalogued, catalog, config, tmp_path):
    description = read_description(catalogued, config)
    assert write_catalog(tmp_path, description, build_catalog(catalogued, description)) == \
        list(CATALOG_FILES)
    for name in CATALOG_FILES:
        assert (tmp_path / name).read_bytes() == (catalogued / name).read_bytes(), name


# --- catalogue content -----------------------------------------------------------------------

def test_catalogue_lists_the_datasets(catalog, config):
    catalogs = list(catalog.subjects(RDF.type, DCAT.Catalog))
    assert catalogs == [catalog_uri(config)]
    identifiers = datasets_by_identifier(catalog)
    assert len(identifiers) >= 3
    for key in ("initiatives", "indicators", "linked-data"):
        assert f"{config.name}-{key}" in identifiers
    assert set(catalog.objects(catalogs[0], DCAT.dataset)) == set(identifiers.values())
    assert {t.language for t in catalog.objects(catalogs[0], DCTERMS.title)} == {"ja", "en"}


def test_every_dataset_has_identifier_titles_licence_publisher_and_period(catalog):
    for identifier, dataset in datasets_by_identifier(catalog).items():
        assert ASCII_ID.match(identifier), identifier
        languages = {t.language for t in catalog.objects(dataset, DCTERMS.title)}
        assert {"ja", "en"} <= languages, identifier
        assert catalog.value(dataset, DCTERMS.license) == CC_BY_4
        assert (CC_BY_4, RDF.type, DCTERMS.LicenseDocument) in catalog
        publisher = catalog.value(dataset, DCTERMS.publisher)
        assert (publisher, RDF.type, FOAF.Agent) in catalog
        assert str(catalog.value(publisher, DCTERMS.identifier)) == "040002"
        period = catalog.value(dataset, DCTERMS.temporal)
        assert catalog.value(period, DCAT.startDate) == Literal("2014-04-01", datatype=XSD.date)
        assert catalog.value(period, DCAT.endDate) == Literal("2017-03-31", datatype=XSD.date)
        assert list(catalog.objects(dataset, DCAT.keyword)), identifier


def test_the_english_names_the_manifest_gives_are_published(catalogued, catalog):
    """title_en and publisher_en of a [[source]] entry were accepted, then published nowhere
    (and a change to them made no new version)."""
    package = json.loads((catalogued / "datapackage.json").read_text(encoding="utf-8"))
    source = package["sources"][0]
    assert (source["title_en"], source["publisher_en"]) == (
        "Miyagi ICT Promotion Plan (2014-2016), field 2: Informatisation of administration",
        "Miyagi Prefecture")
    plan = datasets_by_identifier(catalog)["plan-miyagi-ict-plan-2014-2016"]
    publisher = catalog.value(plan, DCTERMS.publisher)
    assert set(catalog.objects(publisher, FOAF.name)) == {Literal("宮城県", lang="ja"),
                                                         Literal("Miyagi Prefecture", lang="en")}


def test_a_plans_dataset_has_the_english_title_the_manifest_gives(catalogued, catalog):
    """Its English title was `miyagi-ict-plan-2014-2016 (one plan)`, the plan id, in the
    catalogue and in CKAN, though the manifest can give the plan's English title."""
    plan = datasets_by_identifier(catalog)["plan-miyagi-ict-plan-2014-2016"]
    assert set(catalog.objects(plan, DCTERMS.title)) == {
        Literal("みやぎICT推進プラン(2014～2016)（計画別データ）", lang="ja"),
        Literal("Miyagi ICT Promotion Plan (2014-2016) (one plan)", lang="en")}
    package = json.loads((catalogued / "ckan" / "plan-miyagi-ict-plan-2014-2016.json")
                         .read_text(encoding="utf-8"))
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["title_en"] == "Miyagi ICT Promotion Plan (2014-2016) (one plan)"
    source = json.loads((catalogued / "datapackage.json").read_text(encoding="utf-8"))["sources"][0]
    assert source["plan_title_en"] == "Miyagi ICT Promotion Plan (2014-2016)"


def test_table_datasets_take_titles_and_descriptions_from_the_schemas(catalogued, catalog, config):
    schema = json.loads((catalogued / "schemas" / "initiatives.json").read_text(encoding="utf-8"))
    dataset = datasets_by_identifier(catalog)[f"{config.name}-initiatives"]
    titles = {t.language: str(t) for t in catalog.objects(dataset, DCTERMS.title)}
    assert schema["title"] in titles["ja"] and config.title in titles["ja"]
    assert schema["title_en"] in titles["en"]
    assert str(catalog.value(dataset, DCTERMS.description)) == schema["description"]


def test_rights_carry_the_attribution_of_the_data_package(catalogued, catalog, config):
    attribution = json.loads((catalogued / "datapackage.json").read_text(encoding="utf-8"))["attribution"]
    rights = catalog.value(catalog_uri(config), DCTERMS.rights)
    assert (rights, RDF.type, DCTERMS.RightsStatement) in catalog
    assert str(catalog.value(rights, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == attribution


# --- CKAN ------------------------------------------------------------------------------------

def _keys_named_id(value) -> list:
    if isinstance(value, dict):
        return (["id"] if "id" in value else []) + [k for v in value.values() for k in _keys_named_id(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys_named_id(v)]
    return []


def test_one_ckan_package_per_dataset(catalog, ckan_packages):
    assert sorted(ckan_packages) == sorted(f"{i}.json" for i in datasets_by_identifier(catalog))


def test_ckan_packages_are_package_create_ready(catalogued, ckan_packages, config):
    licenses = json.loads((catalogued / "ckan" / "licenses.json").read_text(encoding="utf-8"))
    license_ids = {entry["id"] for entry in licenses}
    allowed = PACKAGE_CREATE_KEYS | PACKAGE_SHOW_KEYS_IGNORED_BY_CREATE
    for file_name, package in ckan_packages.items():
        assert set(package) <= allowed, (file_name, set(package) - allowed)
        assert _keys_named_id(package) == [], file_name
        assert re.match(r"^[a-z0-9_-]{2,100}$", package["name"]) and NAME_PATTERN.match(package["name"])
        assert file_name == f"{package['name']}.json"
        assert package["license_id"] == config.license.id and package["license_id"] in license_ids
        assert package["owner_org"] == "lg-040002"
        assert package["organization"] == {"name": "lg-040002", "title": config.publisher}
        assert package["title"] and package["notes"] and package["url"].startswith("https://")
        for tag in package["tags"]:
            assert set(tag) == {"name"} and re.match(r"^[\w \-.]{2,100}$", tag["name"])
        keys = [extra["key"] for extra in package["extras"]]
        assert len(keys) == len(set(keys)) and not set(keys) & (allowed | {"id"}), keys
        assert all(isinstance(extra["value"], str) for extra in package["extras"])
        extras = {extra["key"]: extra["value"] for extra in package["extras"]}
        assert extras["publisher_code"] == "040002"
        assert (extras["temporal_start"], extras["temporal_end"]) == ("2014-04-01", "2017-03-31")


def test_ckan_organisations_to_create_first(catalogued, ckan_packages):
    """ckan/organizations.json: every owner_org, as organization_create takes it."""
    listed = json.loads((catalogued / "ckan" / "organizations.json").read_text(encoding="utf-8"))
    assert listed["organizations"] == [
        {"name": "lg-040002", "title": "宮城県", "extras": [{"key": "publisher_code", "value": "040002"}]}]
    assert {p["owner_org"] for p in ckan_packages.values()} == {"lg-040002"}
    assert "plan-miyagi-ict-plan-2014-2016.json" in ckan_packages


def test_ckan_resources_match_the_files(catalogued, ckan_packages, config):
    for file_name, package in ckan_packages.items():
        assert package["resources"], file_name
        for resource in package["resources"]:
            path = local_path(resource["url"], config)
            assert not path.startswith("ckan/") and path not in CATALOG_FILES
            if path == SITE_LANDING_PAGE:            # the portal: a landing page, not a file
                assert "hash" not in resource and "size" not in resource
                assert resource["format"] == "HTML" and resource["mimetype"] == "text/html"
                continue
            data = (catalogued / path).read_bytes()
            assert resource["size"] == len(data), path
            assert resource["hash"] == hashlib.sha256(data).hexdigest(), path
            assert resource["name"] and resource["format"] and resource["mimetype"]
            assert json.loads(json.dumps(resource)) == resource        # extras are plain JSON


def test_ckan_site_package_has_the_landing_page_and_the_manifest(ckan_packages, config):
    package = ckan_packages[f"{config.name}-site.json"]
    urls = [resource["url"] for resource in package["resources"]]
    assert urls == [config.download_base + SITE_LANDING_PAGE, config.download_base + SITE_MANIFEST]


def test_ckan_licence_register_has_the_keys_ckan_reads(catalogued, config):
    licenses = json.loads((catalogued / "ckan" / "licenses.json").read_text(encoding="utf-8"))
    assert isinstance(licenses, list) and [entry["id"] for entry in licenses] == [config.license.id]
    for entry in licenses:
        assert CKAN_LICENSE_KEYS <= set(entry)
        assert entry["url"] == config.license.url and entry["status"] == "active"
        assert entry["od_conformance"] == "approved"


# --- databases and data services ----------------------------------------------------------------

IANA = "https://www.iana.org/assignments/media-types/"


def test_sqlite_and_parquet_are_distributions_with_media_type_size_and_checksum(catalogued,
                                                                                catalog, config):
    for path, media in (("miyagi-ict-plan.sqlite", "application/vnd.sqlite3"),
                        ("parquet/indicators.parquet", "application/vnd.apache.parquet")):
        node = distribution_uri(config, path)
        assert catalog.value(node, DCAT.mediaType) == URIRef(IANA + media), path
        assert int(catalog.value(node, DCAT.byteSize)) == (catalogued / path).stat().st_size
        checksum = catalog.value(node, SPDX.checksum)
        assert str(catalog.value(checksum, SPDX.checksumValue)) == sha256(catalogued / path)
    assert not list(catalog.subjects(RDF.type, DCAT.DataService))    # no API URL configured


def test_configured_api_and_sparql_endpoint_are_data_services(catalogued, config, tmp_path):
    configured = replace(config, api_url="https://api.example.org/",
                         sparql_url="https://example.org/sparql")
    graph = build_catalog(catalogued, read_description(catalogued, configured))
    assert check_catalog(graph, tmp_path / "catalog.ttl") == []      # 0 violations, 0 warnings
    services = {str(graph.value(s, DCAT.endpointURL)): s
                for s in graph.subjects(RDF.type, DCAT.DataService)}
    assert set(services) == {"https://api.example.org/", "https://example.org/sparql"}
    identifiers = datasets_by_identifier(graph)
    api_serves = set(graph.objects(services["https://api.example.org/"], DCAT.servesDataset))
    assert {identifiers[f"{config.name}-database"], identifiers[f"{config.name}-indicators"]} <= api_serves
    assert set(graph.objects(services["https://example.org/sparql"], DCAT.servesDataset)) == \
        {identifiers[f"{config.name}-linked-data"]}
    for service in services.values():
        assert graph.value(service, DCTERMS.license) == CC_BY_4
        assert (catalog_uri(config), DCAT.service, service) in graph


def test_a_frequency_of_the_eu_table_set_in_the_settings_is_published(catalogued, tmp_path):
    """A publisher's own frequency (MONTHLY, not the default WEEKLY nor the real source's
    IRREG) is taken from pipeline.toml and stated by every dataset and every CKAN package."""
    monthly = "http://publications.europa.eu/resource/authority/frequency/MONTHLY"
    settings = tmp_path / "pipeline.toml"
    settings.write_text((PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8").replace(
        "frequency/IRREG", "frequency/MONTHLY"), encoding="utf-8")
    configured = load_config(settings)
    assert configured.accrual_periodicity == monthly
    description = read_description(catalogued, configured)
    graph = build_catalog(catalogued, description)
    assert check_catalog(graph, tmp_path / "catalog.ttl") == []      # 0 violations, 0 warnings
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert datasets and {d: set(graph.objects(d, DCTERMS.accrualPeriodicity)) for d in datasets} \
        == {d: {URIRef(monthly)} for d in datasets}
    assert (URIRef(monthly), RDF.type, DCTERMS.Frequency) in graph
    for dataset in description.datasets:
        extras = ckan_package(dataset, catalogued, description, owner(dataset, configured))["extras"]
        assert {e["key"]: e["value"] for e in extras}["frequency"] == monthly

def test_ckan_database_package_lists_the_api_when_configured(catalogued, config):
    configured = replace(config, api_url="https://api.example.org/")
    dataset = next(d for d in read_description(catalogued, configured).datasets if d.key == "database")
    description = read_description(catalogued, configured)
    resources = ckan_package(dataset, catalogued, description, owner(dataset, configured))["resources"]
    assert [r["format"] for r in resources] == ["SQLite", "JSON", "API"]
    assert resources[-1]["url"] == "https://api.example.org/" and resources[-1]["resource_type"] == "api"


# --- harvesting by CKAN (ckanext-dcat) -------------------------------------------------------
# ckanext-dcat cannot be imported without CKAN itself, so the logic of its RDF parser's
# RDFProfile._distribution_format (ckanext/dcat/profiles/base.py) and of the helpers it calls
# is restated here, step by step, without CKAN's resource-format normalisation (which maps
# only media types and labels it knows and leaves the others as they are).

def _ckan_object(graph: Graph, subject, predicate):
    """RDFProfile._object: the first object, or None."""
    return next(iter(graph.objects(subject, predicate)), None)


def _ckan_object_value(graph: Graph, subject, predicate, default_lang: str = "ja") -> str:
    """RDFProfile._object_value: a literal in the default language, else one without a
    language, else (for a resource) its IRI; "" when there is none."""
    fallback = ""
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            if value.language and value.language == default_lang:
                return str(value)
            if not fallback:
                fallback = str(value)
        else:
            return str(value)
    return fallback


def ckan_distribution_format(graph: Graph, distribution) -> tuple[str | None, str | None]:
    """(mimetype, format) as ckanext-dcat's `_distribution_format` reads them."""
    imt = _ckan_object_value(graph, distribution, DCAT.mediaType) or None
    label = None
    fmt = _ckan_object(graph, distribution, DCTERMS["format"])
    if isinstance(fmt, Literal):
        if not imt and "/" in fmt:
            imt = str(fmt)
        else:
            label = str(fmt)
    elif isinstance(fmt, URIRef):
        if _ckan_object(graph, fmt, RDF.type) == DCTERMS.IMT:
            if not imt:
                imt = str(graph.value(fmt, default=None))
            label = _ckan_object_value(graph, fmt, RDFS.label) or None
        elif "iana.org/assignments/media-types" in str(fmt) and not imt:
            imt = str(fmt)
        else:
            label = str(fmt)
    return imt, label


def test_harvested_resources_get_format_labels_and_iana_media_types(catalog, config):
    expected = {"indicators.csv": "CSV", "excel/indicators.csv": "CSV",
                "excel/indicators.xlsx": "XLSX", "indicators.json": "JSON",
                "rdf/graph.ttl": "Turtle", "rdf/graph.rdf": "RDF/XML",
                "rdf/graph.nt": "N-Triples", "rdf/graph.jsonld": "JSON-LD",
                "CHANGELOG.md": "Markdown", "index.html": "HTML"}
    media = {"CSV": "text/csv", "XLSX": "application/vnd.openxmlformats-officedocument."
             "spreadsheetml.sheet", "JSON": "application/json", "Turtle": "text/turtle",
             "RDF/XML": "application/rdf+xml", "N-Triples": "application/n-triples",
             "JSON-LD": "application/ld+json", "Markdown": "text/markdown", "HTML": "text/html"}
    found = {}
    for distribution in catalog.subjects(RDF.type, DCAT.Distribution):
        path = local_path(str(catalog.value(distribution, DCAT.accessURL)), config)
        mimetype, label = ckan_distribution_format(catalog, distribution)
        assert label and "://" not in label, (path, label)            # never a format URI
        assert mimetype.startswith("https://www.iana.org/assignments/media-types/"), path
        if label in media:
            assert mimetype.endswith("/media-types/" + media[label]), path
        found[path] = label
    assert {path: found[path] for path in expected} == expected
    assert check_catalog(catalog) == []                                # both shape sets pass


def test_ckan_json_is_readable_utf8(catalogued):
    for path in sorted((catalogued / "ckan").glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert "\\u" not in text, path
    assert "指標" in (catalogued / "ckan" / "miyagi-ict-plan-indicators.json").read_text(encoding="utf-8")


# ---- the SHACL check in parts (pipeline/shacl_parts.py) ------------------------------------

def _copy(graph: Graph) -> Graph:
    copy = Graph()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace)
    for triple in graph:
        copy.add(triple)
    return copy


def test_the_dcat_ap_shapes_are_node_local_so_the_catalogue_is_checked_in_parts(catalog):
    from rdflib.namespace import SH
    from pipeline.shacl import SHAPE_SETS, shapes_graph
    from pipeline.shacl_parts import gather, node_local, split
    checks = [node_local(shapes_graph(names)) for names in SHAPE_SETS]
    assert [local for local, _ in checks] == [True, True, True]
    assert set().union(*(inverse for _, inverse in checks)) == {DCAT.inSeries}
    parts = split(catalog, {DCAT.inSeries})
    owned = [part.owned for part in parts]
    datasets = set(catalog.subjects(RDF.type, DCAT.Dataset))
    assert len(parts) == 1 + len(datasets) and sum(map(len, owned)) == len(set(catalog.subjects()))
    assert catalog_uri_of(catalog) in owned[0] and not owned[0] & datasets   # the common part
    groups = gather(parts, 4)
    assert len(groups) == 4 and sorted(i for g in groups for i in g) == list(range(len(parts)))
    loads = [sum(len(parts[i].triples) for i in group) for group in groups]
    assert max(loads) - min(loads) <= max(len(part.triples) for part in parts)
    for dataset in catalog.subjects(RDF.type, DCAT.Dataset):     # a dataset owns its files
        part = next(p for p in owned if dataset in p)
        assert all(d in part for d in catalog.objects(dataset, DCAT.distribution))
    targeted = _copy(shapes_graph(SHAPE_SETS[0]))
    targeted.add((URIRef("urn:x:shape"), SH.targetNode, URIRef("urn:x:node")))
    assert node_local(targeted) == (False, set())             # then one part: the whole graph


def test_a_broken_distribution_fails_naming_it_whatever_part_checks_it(catalog):
    dataset = sorted(catalog.subjects(RDF.type, DCAT.Dataset))[-1]
    distribution = sorted(catalog.objects(dataset, DCAT.distribution))[0]
    broken = _copy(catalog)
    broken.remove((distribution, DCAT.accessURL, None))
    with pytest.raises(ValidationFailed) as failure:
        check_catalog(broken)
    assert failure.value.findings and all(str(distribution) in f and "dcat:accessURL" in f
                                          for f in failure.value.findings)


def test_the_parts_find_exactly_what_the_whole_graph_finds(catalog):
    """Breakages of every kind (missing, mistyped, wrong kind of value) in several datasets:
    the findings of the parts are those of pySHACL on the whole graph, set by set."""
    from pipeline.shacl import SHAPE_SETS, _findings, _prefixes, check_parts
    broken = _copy(catalog)
    for index, dataset in enumerate(sorted(catalog.subjects(RDF.type, DCAT.Dataset))):
        distribution = sorted(catalog.objects(dataset, DCAT.distribution))[0]
        kind = index % 3
        if kind == 0:
            broken.remove((distribution, DCTERMS.issued, None))
            broken.add((distribution, DCTERMS.issued, Literal("2020", datatype=XSD.string)))
        elif kind == 1:
            broken.remove((dataset, DCTERMS.publisher, None))
            broken.add((dataset, DCTERMS.publisher, Literal("a name")))
        else:
            broken.remove((distribution, RDF.type, None))
    broken.remove((None, RDF.type, DCTERMS.LicenseDocument))   # a shared node, in the common part
    found, _ = check_parts(broken)
    whole = {names: _findings(broken, names, _prefixes(broken)) for names in SHAPE_SETS}
    assert found == whole
    assert sum(violation for violation, _, _ in found[SHAPE_SETS[0]]) > 10


def test_a_few_changed_parts_are_checked_in_one_group_per_core(catalog, monkeypatch):
    """Each group is three pySHACL runs (one per shape set) whose cost barely depends on their
    size: the few parts a republish changes go in one group per core, a whole catalogue of
    tens of thousands of triples in up to PARTS groups to even out the workers' loads."""
    from pipeline import shacl
    from pipeline.shacl_parts import Part, split
    monkeypatch.setattr(shacl, "fork_cores", lambda: 2)
    parts = split(catalog, {DCAT.inSeries})
    assert shacl.group_count(parts[:3]) == 2
    assert shacl.group_count(parts) == 2                      # the Miyagi catalogue: small
    whole = Part(None, list(catalog))
    assert shacl.group_count([whole] * (shacl.PARTS * shacl.GROUP_TRIPLES // len(whole.triples) + 1)) \
        == shacl.PARTS
    monkeypatch.setattr(shacl, "fork_cores", lambda: 1)
    assert shacl.group_count(parts[:3]) == 1


def catalog_uri_of(catalog: Graph) -> URIRef:
    return next(catalog.subjects(RDF.type, DCAT.Catalog))


# ---- the SHACL check's cache -----------------------------------------------------------------

def _broken(catalog: Graph) -> tuple[Graph, URIRef]:
    """The catalogue with one distribution lacking its access URL (a violation), and it."""
    dataset = sorted(catalog.subjects(RDF.type, DCAT.Dataset))[0]
    distribution = sorted(catalog.objects(dataset, DCAT.distribution))[0]
    broken = _copy(catalog)
    broken.remove((distribution, DCAT.accessURL, None))
    return broken, distribution


def test_cached_parts_give_the_findings_of_a_check_without_cache(catalog, tmp_path):
    from pipeline.shacl import SHAPE_SETS, catalogue_cache, check_parts
    broken, distribution = _broken(catalog)
    cache = catalogue_cache(tmp_path / "cache")
    for graph in (catalog, broken):
        without, stats = check_parts(graph)
        assert (stats.chunks_built, stats.chunks_reused) == (0, 0)
        first, cold = check_parts(_copy(graph), cache)
        again, warm = check_parts(_copy(graph), cache)
        assert first == again == without
        assert warm.chunks_built == 0 and warm.chunks_reused == cold.chunks_built + cold.chunks_reused
    violations = {f for f in without[SHAPE_SETS[0]] if f[0]}
    assert violations and all(str(distribution) in focus for _, focus, _ in violations)
    # the broken catalogue differs in one dataset's part: that part alone was checked again
    assert cold.chunks_built == 1 and cold.chunks_reused == warm.chunks_reused - 1


def test_a_check_whose_parts_are_all_cached_parses_no_shapes(catalog, tmp_path, monkeypatch):
    import pipeline.shacl as shacl
    cache = shacl.catalogue_cache(tmp_path / "cache")
    expected, _ = shacl.check_parts(catalog, cache)

    def unparsed(names):
        raise AssertionError(f"shapes parsed: {names}")
    monkeypatch.setattr(shacl, "shapes_graph", unparsed)
    found, stats = shacl.check_parts(_copy(catalog), cache)
    assert found == expected and stats.chunks_built == 0 and stats.chunks_reused > 10


def test_a_new_process_takes_the_shapes_from_the_cache_to_check_a_changed_part(
        catalog, tmp_path, monkeypatch):
    import pipeline.shacl as shacl
    cache = shacl.catalogue_cache(tmp_path / "cache")
    monkeypatch.setattr(shacl, "_SHAPES", {})
    expected, _ = shacl.check_parts(catalog, cache)
    assert len(list((tmp_path / "cache").glob("shape-set-*.entry"))) == len(shacl.SHAPE_SETS)

    def parsed(names):
        raise AssertionError(f"shapes parsed: {names}")
    monkeypatch.setattr(shacl, "_SHAPES", {})                  # as in a new process
    monkeypatch.setattr(shacl, "_shape_triples", parsed)
    broken, distribution = _broken(catalog)
    found, stats = shacl.check_parts(broken, cache)
    assert stats.chunks_built == 1
    assert any(violation and str(distribution) in focus
               for violation, focus, _ in found[shacl.MANDATORY])
    assert found[shacl.RECOMMENDED] == expected[shacl.RECOMMENDED]


def test_check_catalog_with_cache_fails_on_a_cached_violation_and_prunes_on_success(catalog,
                                                                                     tmp_path):
    from pipeline.shacl import catalogue_cache
    broken, distribution = _broken(catalog)
    cache = catalogue_cache(tmp_path / "cache")
    for attempt in range(2):                 # checked, then taken from the cache: the same failure
        with pytest.raises(ValidationFailed) as failure:
            check_catalog(broken, "catalog.ttl", cache)
        assert failure.value.findings and all(str(distribution) in f for f in failure.value.findings)
    entries = set(p.name for p in (tmp_path / "cache").iterdir())
    assert check_catalog(catalog, "catalog.ttl", cache) == []
    left = set(p.name for p in (tmp_path / "cache").iterdir())
    assert len(left) == len(entries) and left != entries     # the broken part's entry pruned


def test_a_corrupt_or_cut_cache_entry_is_checked_again(catalog, tmp_path):
    from pipeline.shacl import catalogue_cache, check_parts
    cache = catalogue_cache(tmp_path / "cache")
    expected, _ = check_parts(catalog, cache)
    entries = sorted((tmp_path / "cache").iterdir())
    entries[0].write_bytes(entries[0].read_bytes()[:-5])            # cut short
    data = bytearray(entries[1].read_bytes())
    data[-3] ^= 0xFF                                                # changed
    entries[1].write_bytes(bytes(data))
    found, stats = check_parts(catalog, cache)
    assert found == expected and stats.chunks_built == 2
    assert sorted((tmp_path / "cache").iterdir()) == entries         # both written again
    assert check_parts(catalog, cache)[1].chunks_built == 0


def test_a_part_digest_is_its_content_blank_nodes_labelled_from_it():
    from pipeline.shacl_parts import Part
    text = """@prefix ex: <urn:x:> .
        ex:d ex:file [ ex:size 1 ; ex:sum [ ex:value "a" ] ] , [ ex:size 2 ] ."""
    first, second = Graph().parse(data=text, format="turtle"), Graph().parse(data=text, format="turtle")
    assert set(first) != set(second)                                 # other blank node labels
    ex = Namespace("urn:x:")
    digest = Part(frozenset({ex.d}), list(first)).digest()
    assert Part(frozenset({ex.d}), list(second)).digest() == digest
    assert Part(frozenset({ex.d}), list(first)[::-1]).digest() == digest     # order aside
    assert Part(frozenset(), list(first)).digest() != digest         # what is owned counts
    changed = Graph().parse(data=text.replace('"a"', '"b"'), format="turtle")
    assert Part(frozenset({ex.d}), list(changed)).digest() != digest


def test_part_digests_sharing_the_terms_texts_are_those_computed_alone(catalog):
    from pipeline.shacl_parts import split
    parts = split(catalog, {DCAT.inSeries})
    texts: dict = {}
    assert [part.digest(texts) for part in parts] == [part.digest() for part in parts]
    assert len(set(part.digest() for part in parts)) == len(parts) and texts


# ---- literal-blind digests: a part whose values alone changed is taken from the cache ----------

def test_the_dcat_ap_shapes_see_of_a_literal_only_its_kind_datatype_and_language():
    from rdflib.namespace import SH
    from pipeline.shacl import SHAPE_SETS, shapes_graph
    from pipeline.shacl_parts import literal_blind
    assert [literal_blind(shapes_graph(names)) for names in SHAPE_SETS] == [True, True, True]
    for parameter, value in ((SH.pattern, Literal("^[0-9a-f]{64}$")), (SH.minInclusive, Literal(0)),
                             (SH["in"], URIRef("urn:x:list"))):
        shapes = _copy(shapes_graph(SHAPE_SETS[0]))
        shapes.add((URIRef("urn:x:shape"), parameter, value))
        assert not literal_blind(shapes), parameter


def test_shapes_whose_paths_cross_nodes_are_not_literal_blind():
    """sh:maxCount 1 on the path (ex:dist ex:size) counts the sizes of all distributions
    together: sizes 5 and 5 conform, 5 and 6 do not, so such shapes see literal values."""
    from pipeline.shacl_parts import literal_blind, node_local
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <urn:x:> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Dataset ;
            sh:property [ sh:path ( ex:dist ex:size ) ; sh:maxCount 1 ] .""", format="turtle")
    assert node_local(shapes)[0] is False
    assert not literal_blind(shapes)


def test_a_blind_digest_keeps_the_datatypes_languages_and_counts_of_well_typed_literals():
    from pipeline.shacl_parts import Part
    ex = Namespace("urn:x:")

    def digest(*values) -> str:
        return Part(frozenset({ex.d}), [(ex.d, ex.p, value) for value in values]).digest(blind=True)

    date = digest(Literal("2026-12-03", datatype=XSD.date), Literal("宮城", lang="ja"))
    assert digest(Literal("2027-01-15", datatype=XSD.date), Literal("福島", lang="ja")) == date
    assert digest(Literal("2027-01-15", datatype=XSD.dateTime), Literal("福島", lang="ja")) != date
    assert digest(Literal("2026-12-03", datatype=XSD.date), Literal("宮城", lang="en")) != date
    assert digest(Literal("2026-12-03", datatype=XSD.date), Literal("宮城", lang="ja"),
                  Literal("2026-12-04", datatype=XSD.date)) != date       # a second value
    assert digest(Literal("not a date", datatype=XSD.date), Literal("宮城", lang="ja")) != \
        digest(Literal("nor this", datatype=XSD.date), Literal("宮城", lang="ja"))  # ill-typed: kept
    size = digest(Literal("1024", datatype=XSD.nonNegativeInteger), Literal("ab" * 32, datatype=XSD.hexBinary))
    assert digest(Literal("99", datatype=XSD.nonNegativeInteger), Literal("cd" * 32, datatype=XSD.hexBinary)) == size
    assert digest(Literal("-1", datatype=XSD.nonNegativeInteger), Literal("cd" * 32, datatype=XSD.hexBinary)) != size
    assert Part(frozenset({ex.d}), [(ex.d, ex.p, Literal("a"))]).digest() != \
        Part(frozenset({ex.d}), [(ex.d, ex.p, Literal("b"))]).digest()    # not blind: the values


def _new_values(catalog: Graph) -> Graph:
    """The catalogue of another edition of the same files' layout: every date a day later, every
    size and checksum another, every title another."""
    from datetime import timedelta
    edited = Graph()
    for prefix, namespace in catalog.namespaces():
        edited.bind(prefix, namespace)
    for s, p, o in catalog:
        if isinstance(o, Literal) and o.datatype in (XSD.date, XSD.dateTime):
            o = Literal((o.toPython() + timedelta(days=1)).isoformat(), datatype=o.datatype)
        elif isinstance(o, Literal) and o.datatype == XSD.nonNegativeInteger:
            o = Literal(str(int(o) + 7), datatype=o.datatype)
        elif isinstance(o, Literal) and o.datatype == XSD.hexBinary:
            o = Literal(str(o)[::-1], datatype=o.datatype)
        elif p == DCTERMS.title:
            o = Literal(f"{o}（改訂）", lang=o.language)
        edited.add((s, p, o))
    return edited


def test_a_catalogue_whose_values_alone_changed_is_taken_from_the_cache(catalog, tmp_path):
    from pipeline.shacl import catalogue_cache, check_parts
    cache = catalogue_cache(tmp_path / "cache")
    expected, cold = check_parts(catalog, cache)
    edited = _new_values(catalog)
    assert set(edited) != set(catalog)
    found, warm = check_parts(edited, cache)
    assert warm.chunks_built == 0 and warm.chunks_reused == cold.chunks_built
    assert found == check_parts(edited)[0] == expected


def test_a_finding_naming_a_literal_is_never_taken_from_a_blind_cache(catalog, tmp_path):
    """A mistyped value is named in its finding: another mistyped value in its place, the same
    under a blind digest, is checked again and named as it is."""
    from pipeline.shacl import catalogue_cache, check_catalog
    cache = catalogue_cache(tmp_path / "cache")
    distribution = sorted(catalog.subjects(RDF.type, DCAT.Distribution))[0]
    for year, other in (("2020", "2021"), ("2021", "2020")):
        broken = _copy(catalog)
        broken.remove((distribution, DCTERMS.issued, None))
        broken.add((distribution, DCTERMS.issued, Literal(year, datatype=XSD.string)))
        with pytest.raises(ValidationFailed) as failure:
            check_catalog(broken, "catalog.ttl", cache)
        findings = failure.value.findings
        assert any(f"dcterms:issued" in f and f"(value '{year}')" in f for f in findings), findings
        assert not any(other in f for f in findings)


# ---- alike parts: a first publish checks one of each kind ---------------------------------------

PLAN = "miyagi-ict-plan-2014-2016"


def _with_plan_copies(catalog: Graph, copies: int, broken: set[int] = frozenset()) -> Graph:
    """The catalogue with `copies` more plans' datasets made from the real plan's (its nodes'
    IRIs naming plan-copy-<n> instead), listed by the catalogue; the copies in `broken` have
    their first distribution without its access URL."""
    from pipeline.shacl_parts import split
    (part,) = [p for p in split(catalog, {DCAT.inSeries})
               if any(PLAN in str(node) and (node, RDF.type, DCAT.Dataset) in catalog for node in p.owned)]
    dataset = next(node for node in part.owned if (node, RDF.type, DCAT.Dataset) in catalog)
    edited = _copy(catalog)
    for n in range(copies):
        def renamed(term):
            return URIRef(str(term).replace(PLAN, f"plan-copy-{n}")) if term in part.owned else term
        for s, p, o in part.triples:
            if s in part.owned:
                edited.add((renamed(s), p, renamed(o)))
        edited.add((catalog_uri_of(catalog), DCAT.dataset, renamed(dataset)))
        if n in broken:
            distribution = renamed(sorted(catalog.objects(dataset, DCAT.distribution))[0])
            edited.remove((distribution, DCAT.accessURL, None))
    return edited


def test_parts_alike_up_to_their_names_and_values_share_a_kind(catalog):
    from pipeline.shacl_parts import likeness, split
    graph = _with_plan_copies(_new_values(catalog), 3, broken={2})
    parts = split(graph, {DCAT.inSeries})
    datasets = [[str(n) for n in p.owned if (n, RDF.type, DCAT.Dataset) in graph] for p in parts]
    plans = {names[0].rsplit("/", 1)[1]: kind for names, kind in zip(datasets, likeness(parts))
             if names and (PLAN in names[0] or "plan-copy-" in names[0])}
    assert sorted(plans) == sorted([f"plan-{PLAN}"] + [f"plan-plan-copy-{n}" for n in range(3)])
    assert plans[f"plan-{PLAN}"] == plans["plan-plan-copy-0"] == plans["plan-plan-copy-1"]
    assert plans["plan-plan-copy-2"] != plans["plan-plan-copy-0"]    # a missing access URL
    real = split(catalog, {DCAT.inSeries})       # the seven tables' datasets are alike
    assert (len(real), len(set(likeness(real)))) == (13, 7)


def test_a_first_publish_checks_one_of_the_parts_alike(catalog, monkeypatch):
    """Twenty-one plans' datasets alike (and the seven tables' datasets): one of each kind is
    checked, the others take its (no) findings; the same findings as a check of every part."""
    from pipeline import shacl
    checked = []
    check = shacl._check
    monkeypatch.setattr(shacl, "_check", lambda graph, parts, indexes:
                        checked.append(len(indexes)) or check(graph, parts, indexes))
    many = _with_plan_copies(catalog, 20)
    found, stats = shacl.check_parts(many)
    assert len(shacl.split(many, {DCAT.inSeries})) == 13 + 20
    assert checked == [7, 0]                       # 7 kinds of part, none with findings
    assert found == {names: shacl._findings(many, names, shacl._prefixes(many))
                     for names in shacl.SHAPE_SETS}


def test_parts_alike_a_part_with_findings_are_each_checked(catalog, monkeypatch):
    """Copies broken alike: the first has findings, so each is checked and named by its own."""
    from pipeline import shacl
    checked = []
    check = shacl._check
    monkeypatch.setattr(shacl, "_check", lambda graph, parts, indexes:
                        checked.append(len(indexes)) or check(graph, parts, indexes))
    broken = _with_plan_copies(catalog, 4, broken={0, 1, 2, 3})
    with pytest.raises(ValidationFailed) as failure:
        check_catalog(broken)
    assert checked[1] == 3                         # the three like the first broken copy
    for n in range(4):
        assert any(f"plan-copy-{n}" in finding and "dcat:accessURL" in finding
                   for finding in failure.value.findings), n
