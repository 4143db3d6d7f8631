"""The identifiers and values the portal metadata shares: the DCAT catalogue (dcat.py), the CKAN
metadata (ckan.py) and the schema.org description of the dataset pages (schemaorg.py) name the
same publisher, datasets, licence and dates with the same URIs and names, from here. Sibling
exporters never import each other; what they share lives in this module, below all three.
"""

from __future__ import annotations

from typing import NamedTuple

from rdflib import URIRef

from ..config import KNOWN_LICENSES, LANGUAGES, Config
from ..rdf.terms import publisher_path
from ..rdf.vocabulary import SPDX
from ..names import ascii_name, publisher_name
from ..versions import first_issued
from .datasets import DatasetSpec
from .planinfo import Publisher, fiscal_period

EU = "http://publications.europa.eu/resource/authority/"
SPDX_SHA256 = SPDX.checksumAlgorithm_sha256
DATA_THEME_GOVE = URIRef(EU + "data-theme/GOVE")
ADMS_PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
ADMS_LICENCE_TYPE = "http://purl.org/adms/licencetype/"


def organization_name(config: Config) -> str:
    """ASCII name of the publication's operator (`[publication]` publisher), as every publisher
    is named (names.publisher_name: `lg-<全国地方公共団体コード>`; the CKAN organization name)."""
    return publisher_name(config.publisher, config.publisher_code) or \
        ascii_name(config.name, "publisher")


def agent_uri(config: Config) -> URIRef:
    """The publisher; the same URI as the publisher in the linked data (rdf/)."""
    return URIRef(config.base_uri + f"organization/{organization_name(config)}")


def dataset_uri(config: Config, name: str) -> URIRef:
    return URIRef(config.base_uri + f"dataset/{name}")


def location_uri(config: Config) -> URIRef:
    return URIRef(config.base_uri + f"location/{config.publisher_code or organization_name(config)}")


def language_uri(language: str) -> URIRef:
    return URIRef(EU + f"language/{LANGUAGES[language][0]}")


def publisher_type(code: str) -> URIRef | None:
    """ADMS publisher type from a 全国地方公共団体コード: prefectures (NN000C) are regional."""
    if len(code) != 6 or not code.isdigit():
        return None
    kind = "RegionalAuthority" if code[2:5] == "000" else "LocalAuthority"
    return URIRef(ADMS_PUBLISHER_TYPE + kind)


def license_info(config: Config) -> dict:
    known = KNOWN_LICENSES.get(config.license.id)
    od, types = (known.conformance, known.types) if known else ("not reviewed", ("UnknownIPR",))
    return {"id": config.license.id, "title": config.license.title, "url": config.license.url,
            "od_conformance": od, "types": [URIRef(ADMS_LICENCE_TYPE + t) for t in types]}


def publication_dates(package: dict) -> tuple[str, str]:
    """(issued, modified) of the publication (ISO 8601 UTC): the date it was first issued
    (versions.first_issued) and datapackage.json `created`, the date of its edition."""
    return first_issued(package), package.get("created", "")


def dataset_edition(spec: DatasetSpec, package: dict, version: str) -> tuple[str, str, str]:
    """(version, issued, modified) of a dataset: a plan's own edition (that in which its records
    last changed, see versions.plan_editions); the publication's (`version` and its dates, see
    publication_dates) for a combined dataset or a plan of a folder published before plan
    editions."""
    plan = spec.plan
    if plan is not None and plan.version:
        return plan.version, plan.issued, plan.modified
    return (version, *publication_dates(package))


def publication_period(package: dict) -> tuple[str, str] | None:
    """The fiscal years of all the sources as dates (see planinfo.fiscal_period)."""
    return fiscal_period(package.get("sources", []))


def dataset_period(spec: DatasetSpec, package: dict) -> tuple[str, str] | None:
    """A plan's dataset covers the plan's period; a combined table, the publication's."""
    return spec.plan.period if spec.plan is not None else publication_period(package)


def authority_location_uri(config: Config, publisher: Publisher) -> URIRef:
    """The area a plan's publisher governs (dct:spatial of its plan's datasets)."""
    return URIRef(config.base_uri + f"location/{publisher.code or authority_name(publisher)}")


class Area(NamedTuple):
    """An area's bounding box and the box's centre (approximate): as WKT, which the catalogue
    states (dcat:bbox, dcat:centroid), and as GeoJSON, which CKAN's extras hold."""
    box_wkt: str
    centre_wkt: str
    box: dict
    centre: dict


def area_geometry(bbox: tuple[float, ...]) -> Area | None:
    """The Area of a bounding box (west, south, east, north); None without a box."""
    if not bbox:
        return None
    west, south, east, north = bbox
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    x, y = round((west + east) / 2, 4), round((south + north) / 2, 4)
    return Area(f"POLYGON(({', '.join(f'{a} {b}' for a, b in ring)}))", f"POINT({x} {y})",
                {"type": "Polygon", "coordinates": [ring]}, {"type": "Point", "coordinates": [x, y]})


def authority_uri(config: Config, publisher: Publisher) -> URIRef:
    """A plan's publisher: `organization/lg-<code>`, as in the linked data."""
    return URIRef(config.base_uri + publisher_path({"publisher": publisher.name,
                                                    "publisher_code": publisher.code}))


def is_operator(config: Config, publisher: Publisher) -> bool:
    """Whether a plan's publisher is the publication's operator ([publication]): the same
    全国地方公共団体コード, or both without one and of one name (names.publisher_name). Then the
    catalogue names one agent for both (agent_uri)."""
    return publisher_name(publisher.name, publisher.code) == organization_name(config)


def plan_authorities(config: Config, plans) -> list[Publisher]:
    """The authorities whose plans (PlanInfo) the publication holds, each once, in order. A
    plan without a publisher is the operator's."""
    found: dict[str, Publisher] = {}
    for plan in plans:
        publisher = plan.publisher or Publisher(config.publisher, config.publisher_code)
        found.setdefault(publisher_name(publisher.name, publisher.code), publisher)
    return list(found.values())


def covered_authorities(config: Config, plan, plans) -> list[Publisher]:
    """The authorities whose territory a dataset covers: a plan's (PlanInfo) its own; the
    catalogue's and a combined dataset's (plan None) every plan's in `plans`; else the
    operator's (none without a publisher)."""
    if plan is not None and plan.publisher is not None:
        return [plan.publisher]
    if plan is None and plans:
        return plan_authorities(config, plans)
    return [Publisher(config.publisher, config.publisher_code)] if config.publisher else []


def authority_place(config: Config, publisher: Publisher) -> tuple[str, URIRef, tuple]:
    """(name, location URI, bounding box) of the territory an authority governs: the
    operator's as the catalogue states it (location_uri, spatial_bbox)."""
    if is_operator(config, publisher):
        return config.publisher, location_uri(config), config.spatial_bbox
    return publisher.name, authority_location_uri(config, publisher), publisher.bbox


def dataset_places(description, spec: DatasetSpec) -> list[tuple[str, URIRef, tuple]]:
    """authority_place of each authority whose territory a dataset (of a Description) covers."""
    return [authority_place(description.config, authority) for authority in covered_authorities(
        description.config, spec.plan, description.plans.values())]


def covering_box(boxes: list[tuple[float, ...]]) -> tuple[float, ...]:
    """The bounding box of areas together (west, south, east, north); () when one of them
    has none given."""
    if not boxes or not all(boxes):
        return ()
    west, south, east, north = zip(*boxes)
    return min(west), min(south), max(east), max(north)


def publisher_uri(config: Config, publisher: Publisher) -> URIRef:
    """The agent of a plan's publisher in the catalogue: the operator's, or its authority's."""
    return agent_uri(config) if is_operator(config, publisher) else authority_uri(config, publisher)


def authority_name(publisher: Publisher) -> str:
    """CKAN organization name of a plan's publisher: `lg-<全国地方公共団体コード>` (a publisher the
    manifest gives no code: names.publisher_name, as in its URIs)."""
    return publisher_name(publisher.name, publisher.code)
