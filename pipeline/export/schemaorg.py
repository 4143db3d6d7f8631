"""The schema.org `Dataset` description of a dataset (JSON-LD), which the portal embeds in the
dataset's page for search engines: name, licence, publisher, coverage, version and dates (a
plan's own edition, as in DCAT and CKAN) and one `DataDownload` per file. A profile of its own
beside the DCAT catalogue (dcat.py), as ckanext-dcat keeps schema.org apart from DCAT-AP; the
URIs are the catalogue's (identifiers.py)."""

from __future__ import annotations

from ..config import file_url
from .datasets import DatasetSpec, PublishedFile
from .description import Description
from .identifiers import (agent_uri, dataset_edition, dataset_period, dataset_uri, dataset_places,
                          publisher_uri)
from .listing import DATASET_PAGE


def dataset_jsonld(description: Description, spec: DatasetSpec,
                   files: list[tuple[PublishedFile, int, str]], attribution: str) -> dict:
    """schema.org `Dataset` of `spec`, with its files as (file, bytes, SHA-256)."""
    c = description.config
    publisher, code = description.publisher
    organisation = None                 # the publication's own: the operator's
    if spec.plan is not None and spec.plan.publisher is not None:    # a plan: its authority
        authority = spec.plan.publisher
        publisher, code = authority.name, authority.code
        organisation = {"@type": "GovernmentOrganization", "name": publisher,
                        "@id": str(publisher_uri(c, authority))}
    elif publisher:
        organisation = {"@type": "GovernmentOrganization", "name": publisher}
        if code:
            organisation["@id"] = str(agent_uri(c))
    places = [spatial(name, box) for name, _, box in dataset_places(description, spec)]
    if organisation is not None and code:
        organisation["identifier"] = code
    period = dataset_period(spec, description.package)
    version, issued, modified = dataset_edition(spec, description.package, description.version)
    document = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(dataset_uri(c, spec.name)),
        "identifier": spec.name,
        "name": spec.title_ja,
        "alternateName": spec.title_en or None,
        "description": spec.description_ja or spec.title_ja,
        "url": file_url(c.download_base, DATASET_PAGE.format(name=spec.name)),
        "license": description.licence["url"],
        "creditText": attribution or None,
        "creator": organisation,
        "publisher": organisation,
        "version": version,
        "datePublished": issued or None,
        "dateModified": modified or None,
        "keywords": description.keywords or None,
        "inLanguage": description.language,
        "isBasedOn": description.landing_page(spec) or None,
        "temporalCoverage": f"{period[0]}/{period[1]}" if period else None,
        "spatialCoverage": (places[0] if len(places) == 1 else places) or None,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": description.title,
                                  "url": file_url(c.download_base, "index.html")},
        "distribution": [{
            "@type": "DataDownload",
            "name": f.title,
            "description": f.description or None,
            "contentUrl": file_url(c.download_base, f.path),
            "encodingFormat": f.media_type,
            "contentSize": f"{size} B",
            "sha256": sha256,
        } for f, size, sha256 in files],
    }
    return _drop_empty(document)


def spatial(publisher: str, bbox) -> dict:
    """The publisher's territory (its bounding box, when configured or given in the manifest)."""
    if not publisher:
        return {}
    place = {"@type": "Place", "name": publisher}
    if len(bbox) == 4:
        west, south, east, north = bbox
        place["geo"] = {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}
    return place


def _drop_empty(value):
    """JSON without None values or empty containers (schema.org readers prefer absent keys)."""
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value
