"""CKAN metadata: one package_create-ready JSON file per dataset, plus the licence register.

`ckan/<dataset-name>.json` is a package dict that `ckanapi action package_create -I <file>`
accepts unchanged: no `id`, only keys of CKAN's default create schema, plus the package_show
keys `license_title`, `license_url` and `organization`, which package_create ignores (its schema
sends unknown top-level keys to `__extras: [ignore]`). The organization must exist on the portal
(`owner_org`); `ckan/licenses.json` is the register a portal loads through `licenses_group_url`
so that `license_id` resolves.

Extras use the keys ckanext-dcat reads and writes (publisher_*, spatial_*, temporal_*, language,
theme, frequency, issued, modified, uri). `version` is a core field, so it is never an extra
(CKAN rejects extras named like a core field).

Must run after every other file is written and before the DCAT catalogue, which describes
these files. The packages cannot describe themselves, so their resources leave out `ckan/`.
The web portal's package has two resources whatever its number of pages: the landing page
(`index.html`, format HTML) and the site manifest listing every page with size and SHA-256.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..config import Config, file_url
from ..jsonfile import write_json
from .datasets import DATABASE, DatasetSpec
from .listing import CKAN_FOLDER, CKAN_LICENSES, CKAN_ORGANIZATIONS, file_digest
from .description import Description
from .identifiers import (DATA_THEME_GOVE, SPDX_SHA256, agent_uri, area_geometry,
                          authority_name, authority_uri, covering_box, dataset_edition,
                          dataset_period, dataset_places, dataset_uri, language_uri,
                          license_info, organization_name, publisher_type)

# Keys of CKAN's default_create_package_schema (ckan/logic/schema.py) ...
PACKAGE_CREATE_KEYS = frozenset({
    "name", "title", "author", "author_email", "maintainer", "maintainer_email", "license_id",
    "notes", "url", "version", "state", "type", "owner_org", "private", "resources", "tags",
    "tag_string", "plugin_data", "extras", "groups", "relationships_as_object",
    "relationships_as_subject",
})
# ... and the package_show keys package_create accepts and ignores.
PACKAGE_SHOW_KEYS_IGNORED_BY_CREATE = frozenset({"license_title", "license_url", "organization"})
NAME_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")
# ckan/logic/validators.py: tag_length_validator (2..100) and tag_name_validator.


def write_ckan(out: Path, description: Description) -> list[str]:
    """Write ckan/<name>.json per dataset of `description`, the licence register and the
    organisations into the published folder `out`; returns the relative paths."""
    config = description.config
    (out / CKAN_FOLDER).mkdir(parents=True, exist_ok=True)
    written, organizations = [], {}
    for dataset in description.datasets:
        organization = owner(dataset, config)
        package = ckan_package(dataset, out, description, organization)
        organizations.setdefault(organization["name"], organization)
        written.append(_write(out, f"{CKAN_FOLDER}/{dataset.name}.json", package))
    written.append(_write(out, CKAN_LICENSES, license_register(config)))
    written.append(_write(out, CKAN_ORGANIZATIONS,
                          {"organizations": list(organizations.values()),
                           "license": {"name": config.license.id, "path": config.license.url,
                                       "title": config.license.title}}))
    return written


def owner(dataset: DatasetSpec, config: Config) -> dict:
    """The CKAN organization owning a dataset, as organization_create takes it: a plan's
    publisher (`lg-<code>`) for a plan's own dataset, the publication's operator for the
    combined ones; the 全国地方公共団体コード as an extra."""
    publisher = dataset.plan.publisher if dataset.plan else None
    if publisher is not None:
        name, title, code = authority_name(publisher), publisher.name, publisher.code
    else:
        name, title, code = organization_name(config), config.publisher, config.publisher_code
    organization = {"name": name, "title": title}
    if code:
        organization["extras"] = [{"key": "publisher_code", "value": code}]
    return organization


def ckan_package(dataset: DatasetSpec, out: Path, description: Description,
                 organization: dict) -> dict:
    """The package_create dict of a dataset owned by `organization` (see `owner`), with its
    edition's version and dates (a plan's own, see identifiers.dataset_edition)."""
    config, package = description.config, description.package
    licence = license_info(config)
    rights = description.plan_attribution(dataset.plan) if dataset.plan else description.attribution
    version, issued, modified = dataset_edition(dataset, package, config.version)
    period = dataset_period(dataset, package)
    organization = {key: organization[key] for key in ("name", "title")}
    notes = dataset.description_ja
    if dataset.description_en:
        notes = f"{notes}\n\n{dataset.description_en}" if notes else dataset.description_en
    result = {
        "name": dataset.name,
        "title": dataset.title_ja,
        "notes": notes,
        "url": description.landing_page(dataset),
        "version": version,
        "license_id": licence["id"],
        "license_title": licence["title"],
        "license_url": licence["url"],
        "owner_org": organization["name"],
        "organization": organization,
        "maintainer": config.contact_name,
        "tags": [{"name": keyword} for keyword in _tags(config)],
        "extras": _extras(dataset, package, config, issued, modified, period, rights,
                          dataset_places(description, dataset)),
        "resources": [_resource(f, out, config, licence, rights, issued, modified)
                      for f in dataset.files if not f.path.startswith(f"{CKAN_FOLDER}/")],
    }
    if dataset.key == DATABASE and config.api_url:
        result["resources"].append(_api_resource(config, licence, rights))
    if config.contact_email:
        result["maintainer_email"] = config.contact_email
    return {key: value for key, value in result.items() if value not in ("", None)}


def license_register(config: Config) -> list[dict]:
    """The licence list as ckan.model.license.License reads it from licenses_group_url."""
    licence = license_info(config)
    return [{
        "id": licence["id"], "title": licence["title"], "url": licence["url"],
        "domain_content": True, "domain_data": True, "domain_software": False,
        "family": "", "is_generic": False,
        "od_conformance": licence["od_conformance"], "osd_conformance": "not reviewed",
        "maintainer": "", "status": "active",
    }]


def _extras(dataset: DatasetSpec, package: dict, config: Config, issued: str, modified: str,
            period: tuple[str, str] | None, rights: str,
            places: list[tuple]) -> list[dict]:
    """CKAN's extras of a dataset: its publisher (a plan's authority, else the publication's)
    and the territory it covers (`places`: identifiers.dataset_places): its places' names, the
    one place's URI, their areas' box together."""
    publisher = dataset.plan.publisher if dataset.plan else None
    if publisher is not None:
        name, code, uri = publisher.name, publisher.code, str(authority_uri(config, publisher))
    else:
        name, code = config.publisher, config.publisher_code     # the catalogue's, as it states them
        uri = str(agent_uri(config)) if name else ""
    place = "、".join(place for place, _, _ in places)
    location = str(places[0][1]) if len(places) == 1 else ""
    area = area_geometry(covering_box([box for _, _, box in places]))
    extras = {
        "identifier": dataset.name,
        "uri": str(dataset_uri(config, dataset.name)),
        "plan_id": dataset.plan.plan_id if dataset.plan else "",
        "publisher_name": name,
        "publisher_code": code,
        "publisher_uri": uri,
        "publisher_type": str(publisher_type(code) or ""),
        "contact_url": config.contact_url,
        "spatial_text": place,
        "spatial_uri": location,
        # the area, as GeoJSON: as ckanext-dcat keeps it (spatial_bbox, spatial_centroid) and
        # ckanext-spatial indexes it (spatial)
        "spatial_bbox": json.dumps(area.box) if area else "",
        "spatial_centroid": json.dumps(area.centre) if area else "",
        "spatial": json.dumps(area.box) if area else "",
        "temporal_start": period[0] if period else "",
        "temporal_end": period[1] if period else "",
        "language": json.dumps([str(language_uri(config.language))]),
        "theme": json.dumps([str(DATA_THEME_GOVE)]),
        "frequency": config.accrual_periodicity,
        "issued": issued,
        "modified": modified,
        "attribution": rights,
        "title_en": dataset.title_en,
    }
    return [{"key": key, "value": value} for key, value in extras.items() if value]


def _resource(file, out: Path, config: Config, licence: dict, rights: str,
              issued: str, modified: str) -> dict:
    """A file's resource with size and SHA-256; the web portal's (`file.download` False) is its
    landing page, with neither (its pages are in the site manifest, a resource of its own)."""
    size, sha256 = file_digest(out / file.path) if file.download else (None, None)
    resource = {
        "name": file.title,
        "description": file.description,
        "url": file_url(config.download_base, file.path),
        "format": file.format,
        "mimetype": file.media_type,
        "size": size,
        "hash": sha256,
        # resource extras (kept by CKAN, read by ckanext-dcat)
        "hash_algorithm": str(SPDX_SHA256) if file.download else None,
        "license": licence["url"],
        "rights": rights,
        "issued": issued,
        "modified": modified,
    }
    if file.conforms_to:
        resource["conforms_to"] = json.dumps([_absolute(file.conforms_to, config)])
    return {key: value for key, value in resource.items() if value not in ("", None)}


def _api_resource(config: Config, licence: dict, rights: str) -> dict:
    """The read-only JSON/SQL API serving the database (Datasette), a resource of type api."""
    return {
        "name": "JSON/SQL API（Datasette）",
        "description": "全表を絞り込み・ファセット・全文検索・SQL（読み取り専用）で問い合わせ、JSON "
                       "または CSV で受け取れる API です。",
        "url": config.api_url, "format": "API", "resource_type": "api",
        "license": licence["url"], "rights": rights,
    }


def _absolute(target: str, config: Config) -> str:
    return target if "://" in target else file_url(config.download_base, target)


def _tags(config: Config) -> list[str]:
    """The keywords as CKAN tags (each checked where the settings are read, config.TAG)."""
    return list(dict.fromkeys(config.keywords))


def _write(out: Path, path: str, data) -> str:
    write_json(out / path, data)
    return path

