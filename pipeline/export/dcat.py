"""DCAT-AP 3 catalogue of a published folder: catalog.ttl and catalog.jsonld.

One dcat:Catalog (`<base_uri>catalog`) lists the datasets of `datasets.py`; every published file
except the catalogue itself and the pages of the web portal is one dcat:Distribution with its
download URL, media type, size and SHA-256. The portal is one distribution whatever its number of
pages (access URL: its landing page) and its files are listed, with size and SHA-256, in the site
manifest, which is a distribution like any other file; so the catalogue, and the SHACL check of
it, have the same size for 30 initiatives or 30,000. Everything is read from the folder
(datapackage.json, Table Schemas, the files) and the publication settings; nothing about the
source's content is written here.

The values of object properties carry explicit rdf:type triples (licence, language, media type,
agent, document, contact point ...) because the DCAT-AP range shapes check classes without
inference. Every node is an IRI (no blank nodes), so the output is stable from run to run.
Check the catalogue with `pipeline.shacl.check_catalog` before writing it. It is built as a set
of triples (CatalogTriples), not an rdflib Graph: SHACL reads it part by part and its files are
written from its N-Triples lines, so a Graph's indexes would only cost time (`graph()` gives one).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from ..config import Config, file_url
from ..jsonfile import write_json
from ..names import ascii_name
from ..rdf.terms import Literal as nt_literal
from ..rdf.serialize import small_graph
from ..rdf.vocabulary import SPDX
from .datasets import DATABASE, LINKED_DATA, DatasetSpec, PublishedFile
from .listing import CATALOG_FILES, file_digest
from .planinfo import PlanInfo, Publisher
from .description import Description
from .identifiers import (DATA_THEME_GOVE, EU, SPDX_SHA256, agent_uri, area_geometry,
                          authority_location_uri, authority_uri, dataset_edition,
                          dataset_period, dataset_uri, is_operator, language_uri, license_info,
                          covered_authorities, location_uri, organization_name,
                          publication_dates, publication_period, publisher_type)

CATALOG_TTL, CATALOG_JSONLD = CATALOG_FILES

ADMS = Namespace("http://www.w3.org/ns/adms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

DCAT_VERSION = URIRef(str(DCAT) + "version")      # DCAT 3; rdflib's closed DCAT namespace lacks it
DATA_THEME = URIRef(EU + "data-theme")
STABLE = URIRef(EU + "planned-availability/STABLE")
EU_FILE_TYPES = {".csv": "CSV", ".json": "JSON", ".jsonld": "JSON_LD", ".ttl": "RDF_TURTLE",
                 ".nt": "RDF_N_TRIPLES", ".rdf": "RDF_XML", ".html": "HTML", ".parquet": "PARQUET",
                 ".xlsx": "XLSX"}
# What the data services conform to (dct:conformsTo) and where their interface is described.
DATASETTE_JSON_API = "https://docs.datasette.io/en/stable/json_api.html"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
# Labels of the controlled-vocabulary concepts used (skos:Concept needs skos:prefLabel).
CONCEPT_LABELS = {
    DATA_THEME_GOVE: "Government and public sector",
    STABLE: "Stable",
}
# A location's geometry is the bounding box given (spatial_bbox in pipeline.toml for the
# operator's, publisher_bbox in sources.toml for another authority's) and the box's centre as
# centroid; without a box, DCAT-AP's recommended shapes warn of the missing dcat:bbox and
# dcat:centroid (none is made up here).
CONTEXT = {
    "adms": str(ADMS), "dcat": str(DCAT), "dcatap": str(DCATAP), "dcterms": str(DCTERMS),
    "foaf": str(FOAF), "gsp": str(GSP), "locn": str(LOCN), "owl": str(OWL), "rdf": str(RDF),
    "rdfs": str(RDFS), "skos": str(SKOS), "spdx": str(SPDX), "vcard": str(VCARD),
    "xsd": str(XSD),
}


def catalog_uri(config: Config) -> URIRef:
    return URIRef(config.base_uri + "catalog")


def distribution_uri(config: Config, path: str) -> URIRef:
    return URIRef(config.base_uri + "distribution/" + quote(path, safe="/-_.~"))


# ---- the catalogue ---------------------------------------------------------------------

class CatalogTriples(set):
    """The catalogue's triples (rdflib terms) with its prefixes (`namespaces()`, as a Graph
    gives them): what shacl.check_catalog checks and write_catalog writes."""

    def namespaces(self):
        return ((prefix, URIRef(namespace)) for prefix, namespace in CONTEXT.items())

    def graph(self) -> Graph:
        graph = Graph(bind_namespaces="none")
        for prefix, namespace in self.namespaces():
            graph.bind(prefix, namespace)
        for triple in self:
            graph.add(triple)
        return graph


def catalog_triples(out: Path, description: Description) -> CatalogTriples:
    """The DCAT-AP 3 catalogue of the publication `description` describes, published in `out`
    (the files' sizes and SHA-256 are read there)."""
    return _CatalogBuilder(out, description).build()


def build_catalog(out: Path, description: Description) -> Graph:
    """The catalogue of catalog_triples as an rdflib Graph."""
    return catalog_triples(out, description).graph()


def write_catalog(out: Path, description: Description,
                  catalog: CatalogTriples | Graph | None = None) -> list[str]:
    """Write catalog.ttl and catalog.jsonld (building the catalogue unless given it), as the
    linked data is written (rdf/serialize.py), from its sorted N-Triples lines."""
    catalog = catalog if catalog is not None else catalog_triples(out, description)
    turtle, document = small_graph(ntriples_lines(catalog), CONTEXT)
    (out / CATALOG_TTL).write_bytes(turtle)
    write_json(out / CATALOG_JSONLD, document, "@graph", document["@graph"])
    return [CATALOG_TTL, CATALOG_JSONLD]


def ntriples_lines(triples) -> list[str]:
    """The triples' N-Triples lines (without their line ends), sorted and each once, literals
    written as the linked data's (rdf/terms.py); each term's text is made once (the
    catalogue's terms recur on every file)."""
    texts: dict = {}

    def text(term) -> str:
        found = texts.get(term)
        if found is None:
            found = texts[term] = nt_literal(str(term), term.language, term.datatype) \
                if isinstance(term, Literal) else term.n3()
        return found

    return sorted({f"{text(s)} {text(p)} {text(o)} ." for s, p, o in triples})


class _CatalogBuilder:
    def __init__(self, out: Path, description: Description):
        self.out, self.config, self.description = out, description.config, description
        self.package = description.package
        config = self.config
        self.triples = CatalogTriples()
        self.issued, self.modified = publication_dates(self.package)
        self.licence = license_info(config)
        self.formats: dict[tuple[str, str, str], URIRef] = {}     # dct:format nodes made

    def add(self, s, p, o) -> None:
        self.triples.add((s, p, o))

    def typed(self, node: URIRef, *classes: URIRef) -> URIRef:
        for cls in classes:
            self.add(node, RDF.type, cls)
        return node

    def date(self, value: str) -> Literal:
        return _date(value)

    def concept(self, uri: URIRef, label: str, scheme: URIRef | None = None) -> URIRef:
        self.typed(uri, SKOS.Concept)
        self.add(uri, SKOS.prefLabel, Literal(label, lang="en"))
        if scheme is not None:
            self.add(uri, SKOS.inScheme, scheme)
        return uri

    # ---- shared nodes ----------------------------------------------------------------
    def build(self) -> CatalogTriples:
        c = self.config
        self.publisher = self._publisher()
        self.contact = self._contact()
        self.location = self._location()
        self.period = self._period(publication_period(self.package))
        self.language = self.typed(language_uri(c.language), DCTERMS.LinguisticSystem)
        self.license = self._license()
        self.rights = self._rights(self.description.attribution)
        self.frequency = self.typed(URIRef(c.accrual_periodicity), DCTERMS.Frequency) \
            if c.accrual_periodicity else None
        self.add(DATA_THEME, RDF.type, SKOS.ConceptScheme)
        self.add(DATA_THEME, DCTERMS.title, Literal("Data theme", lang="en"))
        self.theme = self.concept(DATA_THEME_GOVE, CONCEPT_LABELS[DATA_THEME_GOVE], DATA_THEME)
        self.availability = self.concept(STABLE, CONCEPT_LABELS[STABLE])

        catalog = self.typed(catalog_uri(c), DCAT.Catalog)
        self.add(catalog, DCTERMS.identifier, Literal(self.package.get("name") or c.name))
        self.add(catalog, DCTERMS.title, Literal(self.package.get("title") or c.title, lang="ja"))
        if c.title_en:
            self.add(catalog, DCTERMS.title, Literal(c.title_en, lang="en"))
        description = self.package.get("description") or c.description or c.title
        self.add(catalog, DCTERMS.description, Literal(description, lang="ja"))
        self.add(catalog, FOAF.homepage, self.typed(URIRef(c.download_base), FOAF.Document))
        self.common(catalog)
        self.dates(catalog, self.issued, self.modified)
        self.add(catalog, DCAT.themeTaxonomy, DATA_THEME)
        datasets = {spec.key: self.dataset(spec) for spec in self.description.datasets}
        for node in datasets.values():
            self.add(catalog, DCAT.dataset, node)
        self.services(catalog, datasets)
        return self.triples

    def common(self, node: URIRef, plan=None) -> None:
        """Properties the catalogue and every dataset share (their dates aside); a plan's
        dataset is published by the plan's own authority and covers its territory, the
        catalogue and the combined datasets every plan's authority's."""
        publisher = self.publisher
        if plan is not None and plan.publisher is not None:
            publisher = self._authority(plan.publisher)[0]
        locations = [self._authority(authority)[1] for authority in covered_authorities(
            self.config, plan, self.description.plans.values())]
        if publisher is not None:
            self.add(node, DCTERMS.publisher, publisher)
        self.add(node, DCTERMS.language, self.language)
        self.add(node, DCTERMS.license, self.license)
        rights = self.rights_of(plan)
        if rights is not None:
            self.add(node, DCTERMS.rights, rights)
        for location in locations:
            if location is not None:
                self.add(node, DCTERMS.spatial, location)

    def _authority(self, publisher: Publisher) -> tuple[URIRef, URIRef]:
        """(agent, location) of a plan's publisher; the operator's own when it is the same
        authority (which carries the configured bounding box)."""
        c = self.config
        if is_operator(c, publisher) and self.publisher is not None:
            agent, location = self.publisher, self.location
        else:
            agent, location = self._other_authority(publisher)
        if publisher.name_en:
            self.add(agent, FOAF.name, Literal(publisher.name_en, lang="en"))
        return agent, location

    def _other_authority(self, publisher: Publisher) -> tuple[URIRef, URIRef]:
        c = self.config
        agent = self.typed(authority_uri(c, publisher), FOAF.Agent, FOAF.Organization)
        self.add(agent, FOAF.name, Literal(publisher.name, lang="ja"))
        location = self.typed(authority_location_uri(c, publisher), DCTERMS.Location)
        self.add(location, SKOS.prefLabel, Literal(publisher.name, lang="ja"))
        self.geometry(location, publisher.bbox)
        if publisher.code:
            self.add(agent, DCTERMS.identifier, Literal(publisher.code))
            self.add(location, DCTERMS.identifier, Literal(publisher.code))
            kind = publisher_type(publisher.code)
            if kind is not None:
                self.add(agent, DCTERMS.type, self.concept(kind, _split_camel(kind.rsplit("/", 1)[1])))
        return agent, location

    def dates(self, node: URIRef, issued: str, modified: str) -> None:
        if issued:
            self.add(node, DCTERMS.issued, self.date(issued))
        if modified:
            self.add(node, DCTERMS.modified, self.date(modified))

    def _publisher(self) -> URIRef | None:
        c = self.config
        if not c.publisher:
            return None
        node = self.typed(agent_uri(c), FOAF.Agent, FOAF.Organization)
        self.add(node, FOAF.name, Literal(c.publisher, lang="ja"))
        if c.publisher_code:
            self.add(node, DCTERMS.identifier, Literal(c.publisher_code))
        kind = publisher_type(c.publisher_code)
        if kind is not None:
            self.add(node, DCTERMS.type, self.concept(kind, _split_camel(kind.rsplit("/", 1)[1])))
        return node

    def _contact(self) -> URIRef | None:
        c = self.config
        if not (c.contact_name or c.contact_url or c.contact_email):
            return None
        node = self.typed(URIRef(c.base_uri + f"contact/{organization_name(c)}"),
                          VCARD.Organization, VCARD.Kind)
        self.add(node, VCARD.fn, Literal(c.contact_name or c.publisher, lang="ja"))
        if c.contact_url:
            self.add(node, VCARD.hasURL, URIRef(c.contact_url))
        if c.contact_email:
            self.add(node, VCARD.hasEmail, URIRef(f"mailto:{c.contact_email}"))
        return node

    def _location(self) -> URIRef | None:
        c = self.config
        if not (c.publisher or c.publisher_code):
            return None
        node = self.typed(location_uri(c), DCTERMS.Location)
        if c.publisher:
            self.add(node, SKOS.prefLabel, Literal(c.publisher, lang="ja"))
        if c.publisher_code:
            self.add(node, DCTERMS.identifier, Literal(c.publisher_code))
        self.geometry(node, c.spatial_bbox)
        return node

    def geometry(self, location: URIRef, bbox: tuple[float, ...]) -> None:
        """A location's bounding box (west, south, east, north) and the box's centre as its
        centroid (approximate), when a box is given."""
        area = area_geometry(bbox)
        if area is None:
            return
        self.add(location, DCAT.bbox, Literal(area.box_wkt, datatype=GSP.wktLiteral))
        self.add(location, DCAT.centroid, Literal(area.centre_wkt, datatype=GSP.wktLiteral))

    def _period(self, period: tuple[str, str] | None) -> URIRef | None:
        if period is None:
            return None
        start, end = period
        node = self.typed(URIRef(self.config.base_uri + f"period/{start}_{end}"),
                          DCTERMS.PeriodOfTime)
        self.add(node, DCAT.startDate, Literal(start, datatype=XSD.date))
        self.add(node, DCAT.endDate, Literal(end, datatype=XSD.date))
        return node

    def _license(self) -> URIRef:
        node = self.typed(URIRef(self.licence["url"]), DCTERMS.LicenseDocument)
        self.add(node, RDFS.label, Literal(self.licence["title"], lang="ja"))
        self.add(node, DCTERMS.identifier, Literal(self.licence["id"]))
        for kind in self.licence["types"]:
            self.add(node, DCTERMS.type, self.concept(kind, _split_camel(kind.rsplit("/", 1)[1])))
        return node

    def _rights(self, attribution: str, plan_id: str | None = None) -> URIRef | None:
        """The rights statement of the attribution sentence (出典表記): the publication's, or
        one plan's (`rights/attribution/<plan_id>`)."""
        if not attribution:
            return None
        path = "rights/attribution" + (f"/{quote(plan_id, safe='')}" if plan_id else "")
        node = self.typed(URIRef(self.config.base_uri + path), DCTERMS.RightsStatement)
        self.add(node, RDFS.label, Literal(attribution, lang="ja"))
        return node

    def rights_of(self, plan: PlanInfo | None) -> URIRef | None:
        """The rights of a plan's dataset and files: its own sources' attribution (the
        publication's statement when that is the same sentence)."""
        if plan is None:
            return self.rights
        attribution = self.description.plan_attribution(plan)
        if attribution == self.description.attribution:
            return self.rights
        return self._rights(attribution, plan.plan_id)

    def file_format(self, file: PublishedFile) -> URIRef:
        """The dct:format node as CKAN's DCAT harvester (ckanext-dcat `_distribution_format`)
        reads a format label: typed dct:IMT (its only type) with rdfs:label `CSV`, `XLSX`,
        `Turtle`… and rdf:value the IANA type. The node is the EU file type where there is
        one, else `<base_uri>format/<label>`. dct:IMT is declared a subclass of
        dct:MediaTypeOrExtent, the class DCAT-AP asks of a format (SHACL follows
        rdfs:subClassOf in the data)."""
        key = (file.suffix, file.format, file.media_type)
        if key in self.formats:                 # its triples are in the catalogue already
            return self.formats[key]
        file_type = EU_FILE_TYPES.get(file.suffix)
        node = URIRef(EU + f"file-type/{file_type}") if file_type \
            else URIRef(self.config.base_uri + "format/" + quote(file.format, safe=""))
        self.add(DCTERMS.IMT, RDFS.subClassOf, DCTERMS.MediaTypeOrExtent)
        self.typed(node, DCTERMS.IMT)
        self.add(node, RDFS.label, Literal(file.format))
        self.add(node, RDF.value, Literal(file.media_type))
        self.formats[key] = node
        return node

    # ---- datasets and distributions ----------------------------------------------------
    def dataset(self, spec: DatasetSpec) -> URIRef:
        c = self.config
        node = self.typed(dataset_uri(c, spec.name), DCAT.Dataset)
        self.add(node, DCTERMS.identifier, Literal(spec.name))
        self.add(node, DCTERMS.title, Literal(spec.title_ja, lang="ja"))
        if spec.title_en:
            self.add(node, DCTERMS.title, Literal(spec.title_en, lang="en"))
        self.add(node, DCTERMS.description, Literal(spec.description_ja or spec.title_ja, lang="ja"))
        if spec.description_en:
            self.add(node, DCTERMS.description, Literal(spec.description_en, lang="en"))
        for keyword in dict.fromkeys(c.keywords):
            self.add(node, DCAT.keyword, Literal(keyword, lang="ja"))
        self.add(node, DCAT.theme, self.theme)
        self.common(node, spec.plan)
        version, issued, modified = dataset_edition(spec, self.package, c.version)
        self.dates(node, issued, modified)
        if self.contact is not None:
            self.add(node, DCAT.contactPoint, self.contact)
        period = self._period(dataset_period(spec, self.package)) if spec.plan else self.period
        if period is not None:
            self.add(node, DCTERMS.temporal, period)
        if self.frequency is not None:
            self.add(node, DCTERMS.accrualPeriodicity, self.frequency)
        if version:
            self.add(node, DCAT_VERSION, Literal(version))
            self.add(node, OWL.versionInfo, Literal(version))
        page = self.description.landing_page(spec)
        if page:
            self.add(node, DCAT.landingPage, self.typed(URIRef(page), FOAF.Document))
        rights = self.rights_of(spec.plan)
        for file in spec.files:
            self.add(node, DCAT.distribution, self.distribution(file, issued, modified, rights))
        return node

    def distribution(self, file: PublishedFile, issued: str, modified: str,
                     rights: URIRef | None) -> URIRef:
        """A file to download (download URL, size, SHA-256) or, for `file.download == False`,
        an access point (the web portal: access URL only), with its dataset's dates."""
        c = self.config
        node = self.typed(distribution_uri(c, file.path), DCAT.Distribution)
        self.add(node, DCTERMS.title, Literal(file.title, lang="ja"))
        self.add(node, DCTERMS.description, Literal(file.description, lang="ja"))
        url = URIRef(file_url(c.download_base, file.path))
        if file.download:
            self.add(node, DCAT.downloadURL, url)
        self.add(node, DCAT.accessURL, url)
        media = self.typed(URIRef(IANA_MEDIA_TYPES + file.media_type), DCTERMS.MediaType)
        self.add(node, DCAT.mediaType, media)
        self.add(node, DCTERMS["format"], self.file_format(file))
        if file.download:
            size, sha256 = file_digest(self.out / file.path)
            self.add(node, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger))
            checksum = self.typed(URIRef(f"{node}#sha256"), SPDX.Checksum)
            self.add(checksum, SPDX.algorithm, self.typed(SPDX_SHA256, SPDX.ChecksumAlgorithm))
            self.add(checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary))
            self.add(node, SPDX.checksum, checksum)
        self.dates(node, issued, modified)
        self.add(node, DCTERMS.license, self.license)
        if rights is not None:
            self.add(node, DCTERMS.rights, rights)
        self.add(node, DCATAP.availability, self.availability)
        if file.conforms_to:
            target = file.conforms_to if "://" in file.conforms_to \
                else file_url(c.download_base, file.conforms_to)
            self.add(node, DCTERMS.conformsTo, self.typed(URIRef(target), DCTERMS.Standard))
        return node


    # ---- data services ---------------------------------------------------------------
    def services(self, catalog: URIRef, datasets: dict[str, URIRef]) -> None:
        """The JSON/SQL API (Datasette, serving the database and so every table) and the SPARQL
        endpoint (serving the linked data), each only when its URL is configured."""
        c = self.config
        if c.api_url:
            tables = [uri for key, uri in datasets.items() if key in self.package_tables()]
            served = [datasets[k] for k in (DATABASE,) if k in datasets] + tables
            self.add(catalog, DCAT.service, self.service(
                "api", c.api_url, "JSON/SQL API（Datasette）",
                "このデータの全表を、絞り込み・ファセット・全文検索・SQL（読み取り専用）で問い合わせ、"
                "JSON または CSV で受け取れる API です（Datasette）。", DATASETTE_JSON_API, served))
        if c.sparql_url:
            served = [datasets[k] for k in (LINKED_DATA,) if k in datasets]
            self.add(catalog, DCAT.service, self.service(
                "sparql", c.sparql_url, "SPARQLエンドポイント",
                "このデータのリンクトデータを SPARQL 1.1 で問い合わせるエンドポイントです。",
                SPARQL_PROTOCOL, served))

    def package_tables(self) -> set[str]:
        return {r["name"] for r in self.package.get("resources", [])
                if r.get("profile") == "tabular-data-resource"}

    def service(self, key: str, url: str, title: str, description: str, standard: str,
                served: list[URIRef]) -> URIRef:
        c = self.config
        node = self.typed(URIRef(c.base_uri + f"service/{key}"), DCAT.DataService)
        self.add(node, DCTERMS.identifier, Literal(ascii_name(c.name, key)))
        self.add(node, DCTERMS.title, Literal(title, lang="ja"))
        self.add(node, DCTERMS.description, Literal(description, lang="ja"))
        self.add(node, DCAT.endpointURL, self.typed(URIRef(url), RDFS.Resource))
        self.add(node, DCAT.endpointDescription, self.typed(URIRef(standard), RDFS.Resource))
        self.add(node, DCTERMS.conformsTo, self.typed(URIRef(standard), DCTERMS.Standard))
        for dataset in served:
            self.add(node, DCAT.servesDataset, dataset)
        self.add(node, DCTERMS.license, self.license)
        if self.rights is not None:
            self.add(node, DCTERMS.rights, self.rights)
        if self.publisher is not None:
            self.add(node, DCTERMS.publisher, self.publisher)
        if self.contact is not None:
            self.add(node, DCAT.contactPoint, self.contact)
        self.add(node, DCAT.theme, self.theme)
        for keyword in dict.fromkeys(c.keywords):
            self.add(node, DCAT.keyword, Literal(keyword, lang="ja"))
        return node


@cache
def _date(value: str) -> Literal:
    """An xsd:dateTime or xsd:date as written (a catalogue has a few dates, on every file)."""
    datatype = XSD.dateTime if "T" in value else XSD.date
    return Literal(value, datatype=datatype, normalize=False)   # keep the `Z` as written


def _split_camel(name: str) -> str:
    """`RegionalAuthority` -> `Regional Authority` (label of an ADMS concept)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
