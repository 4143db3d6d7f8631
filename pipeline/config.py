"""Publication settings (pipeline.toml): licence, publisher, version, defaults for sources."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError

DEFAULT_CONFIG_PATH = Path("pipeline.toml")


@dataclass(frozen=True)
class License:
    id: str = "CC-BY-4.0"
    title: str = "クリエイティブ・コモンズ 表示 4.0 国際"
    url: str = "https://creativecommons.org/licenses/by/4.0/"
    note: str = ("公共データ利用規約（第1.0版）（PDL1.0）及び政府標準利用規約（第2.0版）と互換。"
                 "利用の際は出典を記載してください。")


@dataclass(frozen=True)
class Config:
    name: str = "plan-opendata"
    title: str = "ICT推進プラン 取組・指標データ"
    title_en: str = "ICT plan: initiatives and indicators"
    description: str = ""
    version: str = "1.0.0"
    language: str = "ja"
    publisher: str = ""
    publisher_code: str = ""
    # Linked data: stable URIs are minted under base_uri; files are downloaded from download_base.
    # The defaults are obvious placeholders (RFC 2606 example.org), never an official domain.
    base_uri: str = "https://example.org/plan-opendata/id/"
    download_base: str = "https://example.org/plan-opendata/"
    # Base URLs of services that serve the published data, when they run: the Datasette JSON/SQL
    # API (`make api`) and a SPARQL endpoint (`make load-store`). Empty: none is announced.
    api_url: str = ""
    sparql_url: str = ""
    contact_name: str = ""
    contact_url: str = ""
    contact_email: str = ""
    accrual_periodicity: str = "http://publications.europa.eu/resource/authority/frequency/WEEKLY"
    keywords: tuple[str, ...] = ("ICT", "計画", "取組", "指標", "オープンデータ")
    # Spatial coverage as an enclosing box (west, south, east, north; WGS84 degrees), optional.
    spatial_bbox: tuple[float, ...] = ()
    license: License = field(default_factory=License)
    default_source: dict = field(default_factory=dict)
    # [store] of pipeline.toml (a top-level table, not in [publication]): SPARQL store settings,
    # read by pipeline/store.py.
    store: dict = field(default_factory=dict)
    # [site] of pipeline.toml: `templates`, a folder of templates overriding the portal's own
    # (resolved against the folder of pipeline.toml), read by pipeline/export/site/.
    site: dict = field(default_factory=dict)


def load_config(path: Path | None = None) -> Config:
    """Read pipeline.toml; without a file the built-in defaults apply (CC BY 4.0)."""
    path = path or DEFAULT_CONFIG_PATH
    if not path.exists():
        return Config()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        data = document.get("publication", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    license_data = data.pop("license", {})
    known = set(Config.__dataclass_fields__) - {"license", "store", "site"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in [publication]: {', '.join(sorted(unknown))}", path)
    for key in ("keywords", "spatial_bbox"):
        if key in data:
            data[key] = tuple(data[key])
    if data.get("spatial_bbox") and len(data["spatial_bbox"]) != 4:
        raise ConfigError("spatial_bbox needs four numbers: west, south, east, north", path)
    store = document.get("store", {})
    if not isinstance(store, dict):
        raise ConfigError("[store] must be a table", path)
    site = _site_settings(document.get("site", {}), path)
    try:
        return Config(**data, license=License(**license_data), store=store, site=site)
    except TypeError as exc:
        raise ConfigError(f"invalid [publication.license]: {exc}", path) from None


def _site_settings(site, path: Path) -> dict:
    """[site]: `templates` made absolute (relative to pipeline.toml) and checked to be a folder."""
    if not isinstance(site, dict):
        raise ConfigError("[site] must be a table", path)
    unknown = set(site) - {"templates"}
    if unknown:
        raise ConfigError(f"unknown setting(s) in [site]: {', '.join(sorted(unknown))}", path)
    if "templates" not in site:
        return {}
    folder = (path.parent / str(site["templates"])).resolve()
    if not folder.is_dir():
        raise ConfigError(f"[site] templates: {folder} is not a folder", path)
    return {"templates": str(folder)}
