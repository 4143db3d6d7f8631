"""The schema.org `Dataset` description embedded in a dataset page (JSON-LD), which search
engines read: name, licence, publisher, coverage and one `DataDownload` per file."""

from __future__ import annotations

from ..datasets import DatasetSpec, PublishedFile, file_url
from ..dcat import agent_uri, dataset_uri, publication_period, source_page
from .context import Publication


def dataset_jsonld(site: Publication, spec: DatasetSpec,
                   files: list[tuple[PublishedFile, int, str]], attribution: str) -> dict:
    c = site.config
    organisation = None
    if site.publisher:
        organisation = {"@type": "GovernmentOrganization", "name": site.publisher}
        if site.publisher_code:
            organisation["@id"] = str(agent_uri(c))
            organisation["identifier"] = site.publisher_code
    period = publication_period(site.package)
    document = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(dataset_uri(c, spec.name)),
        "identifier": spec.name,
        "name": spec.title_ja,
        "alternateName": spec.title_en or None,
        "description": spec.description_ja or spec.title_ja,
        "url": file_url(c.download_base, f"datasets/{spec.name}.html"),
        "license": site.licence["url"],
        "creditText": attribution or None,
        "creator": organisation,
        "publisher": organisation,
        "version": site.version,
        "dateModified": site.created or None,
        "keywords": site.keywords or None,
        "inLanguage": site.language,
        "isBasedOn": source_page(site.package) or None,
        "temporalCoverage": f"{period[0]}/{period[1]}" if period else None,
        "spatialCoverage": spatial(site) or None,
        "includedInDataCatalog": {"@type": "DataCatalog", "name": site.title,
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


def spatial(site: Publication) -> dict:
    if not site.publisher:
        return {}
    place = {"@type": "Place", "name": site.publisher}
    if len(site.config.spatial_bbox) == 4:
        west, south, east, north = site.config.spatial_bbox
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
