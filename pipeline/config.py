"""Publication settings (pipeline.toml): licence, publisher, version, defaults for sources."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from .errors import ConfigError
from .parsing import as_written, toml_file

DEFAULT_CONFIG_PATH = Path("pipeline.toml")
TABLES = ("publication", "site", "store")      # the tables of pipeline.toml


@dataclass(frozen=True)
class License:
    id: str = "CC-BY-4.0"
    title: str = "クリエイティブ・コモンズ 表示 4.0 国際"
    url: str = "https://creativecommons.org/licenses/by/4.0/"
    note: str = ("公共データ利用規約（第1.0版）（PDL1.0）及び政府標準利用規約（第2.0版）と互換。"
                 "利用の際は出典を記載してください。")


def license_setting(given: dict) -> License:
    """[publication.license] as given: a licence other than the default's (its `id`) takes
    none of the default's title, URL and note, which would state CC BY 4.0 for it (a licence
    without its URL, `LicenseRef-…`, linked CC BY 4.0's page in every file: its URL is now
    required); its title left out is its id, its note left out not stated."""
    if given.get("id", License.id) != License.id:
        given = {"title": given["id"], "url": "", "note": "", **given}
    return License(**given)


@dataclass(frozen=True)
class KnownLicense:
    """A licence the catalogue and CKAN describe by its SPDX id."""

    conformance: str                # CKAN's od_conformance
    types: tuple[str, ...]          # ADMS licence types
    pages: tuple[str, ...]          # its pages, without scheme and www.: a URL given for it
                                    # begins so (its deed in a language, its legal code: below)


def _odc(name: str) -> tuple[str, str]:
    """An Open Data Commons licence's pages, 1.0 (as SPDX lists them too) and 1-0 (today's)."""
    return f"opendatacommons.org/licenses/{name}/1-0/", f"opendatacommons.org/licenses/{name}/1.0/"


KNOWN_LICENSES = {
    "CC-BY-4.0": KnownLicense("approved", ("Attribution",), ("creativecommons.org/licenses/by/4.0/",)),
    "CC-BY-SA-4.0": KnownLicense("approved", ("Attribution", "ShareAlike"),
                                 ("creativecommons.org/licenses/by-sa/4.0/",)),
    "CC0-1.0": KnownLicense("approved", ("PublicDomain",),
                            ("creativecommons.org/publicdomain/zero/1.0/",)),
    "ODC-By-1.0": KnownLicense("approved", ("Attribution",), _odc("by")),
    "ODbL-1.0": KnownLicense("approved", ("Attribution", "ShareAlike"), _odc("odbl")),
    "PDDL-1.0": KnownLicense("approved", ("PublicDomain",), _odc("pddl")),
}


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
    # Dereferenceable URIs: an HTML, Turtle and JSON-LD document per URI under base_uri (three
    # files per URI: about 0.8 million files for a thousand plan documents).
    uri_documents: bool = True
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
    # read by pipeline/store_settings.py.
    store: dict = field(default_factory=dict)
    # [site] of pipeline.toml: `templates`, a folder of templates overriding the portal's own
    # (resolved against the folder of pipeline.toml), read by pipeline/export/site/.
    site: dict = field(default_factory=dict)
    # the settings file these came from (messages name it); not a setting: no digest sees it
    origin: Path | None = field(default=None, repr=False, compare=False)


def find_config(explicit: Path | None, near: Path | None) -> tuple[Path | None, list[Path]]:
    """(the settings file to use, the places looked at): an explicit --config must exist;
    otherwise pipeline.toml in the working directory, then above `near` (the raw folder's
    parent and grandparent: data/raw -> data/, the project folder)."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError("no such settings file (--config)", explicit)
        return explicit, [explicit]
    try:
        above = [near.resolve().parent, near.resolve().parent.parent] if near else []
    except (OSError, RuntimeError):     # a loop of links: the command names it (errors.resolved)
        above = []
    places = [Path.cwd()] + above
    candidates = list(dict.fromkeys(folder / DEFAULT_CONFIG_PATH.name for folder in places))
    return next((path for path in candidates if path.is_file()), None), candidates


def settings_name(config: Config) -> str:
    """The settings file a message names: the one read, else the one a run would look for."""
    return str(config.origin or DEFAULT_CONFIG_PATH)


def describe_defaults() -> str:
    defaults = Config()
    return (f"built-in defaults: licence {defaults.license.id}, no publisher, placeholder base_uri "
            f"{defaults.base_uri}")


def load_config(path: Path | None = None) -> Config:
    """Read pipeline.toml; without a file the built-in defaults apply (CC BY 4.0)."""
    path = path or DEFAULT_CONFIG_PATH
    if not path.exists():
        return Config()
    try:
        document = toml_file(path)
    except ValueError as exc:           # (TOMLDecodeError, UnicodeDecodeError, too deep)
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    unknown = sorted(set(document) - set(TABLES))
    if unknown:
        raise ConfigError(f"unknown table(s) or key(s): {', '.join(unknown)} (known: "
                          f"{', '.join(TABLES)})", path, toml_line(path, unknown[0], 1, ""))
    data = document.get("publication", {})
    if not isinstance(data, dict):
        raise ConfigError("[publication] must be a table", path)
    license_data = data.pop("license", {})
    if not isinstance(license_data, dict):
        raise ConfigError("[publication.license] must be a table", path)
    known = set(Config.__dataclass_fields__) - {"license", "store", "site", "origin"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in [publication]: {', '.join(sorted(unknown))}",
                          path, toml_line(path, "publication", 1, min(unknown)))
    unknown = set(license_data) - set(License.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"unknown setting(s) in [publication.license]: "
                          f"{', '.join(sorted(unknown))}", path,
                          toml_line(path, "publication.license", 1, min(unknown)))
    _check_settings(data, license_data, path)
    for key in ("keywords", "spatial_bbox"):
        if key in data:
            data[key] = tuple(data[key])
    store = document.get("store", {})
    if not isinstance(store, dict):
        raise ConfigError("[store] must be a table", path)
    site = _site_settings(document.get("site", {}), path)
    from .sources import check_default_source      # sources.py reads Config: imported here
    check_default_source(data.get("default_source", {}), path)
    return Config(**data, license=license_setting(license_data), store=store, site=site,
                  origin=path)


def toml_line(path: Path, table: str, occurrence: int, key: str) -> int | None:
    """The line of `key = …` in the occurrence-th table headed [table] or [[table]] of the TOML
    file at path (1-based), else (or for the key "") of that header; None when there is none
    (an inline table) or the file cannot be read. Read only for an error's message: a valid
    file is parsed once."""
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")   # (TOML's lines: not U+2028)
    except (OSError, UnicodeDecodeError):
        return None
    header = re.compile(rf"\s*\[\[?\s*{re.escape(table)}\s*\]\]?\s*(?:#.*)?")
    assignment = re.compile(rf"""\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    seen, found, open_string = 0, None, None
    for number, line in enumerate(lines, 1):
        if open_string:                              # a line of a multi-line string
            open_string = None if line.count(open_string) % 2 else open_string
        elif header.fullmatch(line):
            seen += 1
            found = number if seen == occurrence else found
        elif line.lstrip().startswith("["):
            if seen >= occurrence:                   # the table's end
                break
        elif key and seen == occurrence and assignment.match(line):
            return number
        else:
            open_string = next((q for q in ('"""', "'''") if line.count(q) % 2), None)
    return found


URL_SETTINGS = ("base_uri", "download_base", "api_url", "sparql_url", "contact_url")
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")
# a package name (frictionless, CKAN), a file stem; at most 88 characters, as its datasets are
# named `<name>-initiatives` and the like, at most CKAN's 100
NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,87}")
BASE_SETTINGS = ("base_uri", "download_base")       # every URI and file URL starts so
REQUIRED_URLS = (*BASE_SETTINGS, "[publication.license] url")     # never empty when given
VERSION = re.compile(r"[0-9]{1,9}(\.[0-9]{1,9}){0,3}")   # 1.0.0: a content change raises the last
TAG = re.compile(r"[\w \-.]{2,100}")                   # a keyword CKAN takes as a tag
# the controls and noncharacters XML 1.0 cannot hold (an XML parser stops at them)
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_IN_XML_PROBLEM = ("holds a control character or noncharacter (U+FFFE, U+FFFF), which no XML "
                      "or HTML page can hold")
# `language` (ISO 639-1) -> (its code in the EU language authority, its name in Japanese)
LANGUAGES = {"ja": ("JPN", "日本語"), "en": ("ENG", "英語"), "ko": ("KOR", "韓国語"),
             "zh": ("ZHO", "中国語"), "pt": ("POR", "ポルトガル語"), "es": ("SPA", "スペイン語"),
             "vi": ("VIE", "ベトナム語"), "fr": ("FRA", "フランス語"), "de": ("DEU", "ドイツ語")}


def file_url(base: str, path: str) -> str:
    """The download URL of a published file under `download_base` (non-ASCII characters
    percent-encoded)."""
    return base + quote(path, safe="/-_.~")
# `accrual_periodicity`: a concept of the EU Publications Office's frequency authority table
# (DCAT-AP 3.0.1 takes dct:accrualPeriodicity from it alone), its URI FREQUENCY_TABLE + code ->
# the portal's words for it. The codes of the table's version 20220615-0 (owl:versionInfo; 38,
# as a SPARQL export of it lists them), OP_DATPRO ("provisional data", in the scheme since at
# least 20190619-0, as in each of the Office's tables) and WEEKLY_5 and SEXENNIAL (added after
# 20220615-0: in copies of the table made in 2025, whose version number they do not give).
# Never read from the web: a code added to the table later is refused until it is added here.
FREQUENCY_TABLE = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    "1MIN": "1分ごと", "5MIN": "5分ごと", "10MIN": "10分ごと", "15MIN": "15分ごと",
    "30MIN": "30分ごと", "HOURLY": "1時間ごと", "BIHOURLY": "2時間ごと", "TRIHOURLY": "3時間ごと",
    "12HRS": "12時間ごと", "DAILY": "毎日", "DAILY_2": "1日2回", "WEEKLY": "毎週",
    "WEEKLY_2": "週2回", "WEEKLY_3": "週3回", "WEEKLY_5": "週5回", "BIWEEKLY": "2週間ごと",
    "MONTHLY": "毎月", "MONTHLY_2": "月2回", "MONTHLY_3": "月3回", "BIMONTHLY": "2か月ごと",
    "QUARTERLY": "四半期ごと", "ANNUAL": "毎年", "ANNUAL_2": "年2回", "ANNUAL_3": "年3回",
    "BIENNIAL": "2年ごと", "TRIENNIAL": "3年ごと", "QUADRENNIAL": "4年ごと",
    "QUINQUENNIAL": "5年ごと", "SEXENNIAL": "6年ごと", "DECENNIAL": "10年ごと",
    "BIDECENNIAL": "20年ごと", "TRIDECENNIAL": "30年ごと", "CONT": "常時",
    "UPDATE_CONT": "常時更新", "AS_NEEDED": "随時", "IRREG": "不定期", "NOT_PLANNED": "更新予定なし",
    "NEVER": "更新なし", "OTHER": "その他", "UNKNOWN": "不明", "OP_DATPRO": "暫定データ"}


def _check_settings(data: dict, license_data: dict, path: Path) -> None:
    """Each setting of the type of its default (text, a yes/no, a list of words or of four
    numbers, a table), the addresses http(s) URLs: a wrong value is named here, by its key,
    not by the library that would stumble on it while the publication is written."""
    def refuse(key: str, problem: str):
        raise ConfigError(f"{key}: {problem}", path, _setting_line(path, key))

    defaults = Config()
    for key, value in data.items():
        default = getattr(defaults, key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                refuse(key, f"must be true or false, not {as_written(value)}")
        elif isinstance(default, str) and not isinstance(value, str):
            refuse(key, f"must be text, not {type(value).__name__}")
        elif isinstance(default, dict) and not isinstance(value, dict):
            refuse(key, "must be a table")
        if isinstance(value, str) and NOT_IN_XML.search(value):
            refuse(key, f"{value!r} {NOT_IN_XML_PROBLEM}")
    for key, value in license_data.items():
        if not isinstance(value, str):
            refuse(f"[publication.license] {key}", f"must be text, not {type(value).__name__}")
        if NOT_IN_XML.search(value):
            refuse(f"[publication.license] {key}", f"{value!r} {NOT_IN_XML_PROBLEM}")
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        refuse("keywords", "must be a list of words, such as [\"ICT\", \"計画\"]")
    bad = [k for k in keywords if not TAG.fullmatch(k)]
    if bad:
        refuse("keywords", f"{', '.join(map(repr, bad))}: a keyword is 2 to 100 letters, digits, "
                           "spaces, '-', '_' or '.' (CKAN takes keywords as tags)")
    problem = bbox_problem(data.get("spatial_bbox", []))
    if problem:
        refuse("spatial_bbox", problem)
    version, language = data.get("version", defaults.version), data.get("language", "ja")
    if not VERSION.fullmatch(version):
        refuse("version", f"{version!r} must be numbers joined by dots, such as 1.0.0 (each "
                          "edition with a content change raises the last)")
    if language not in LANGUAGES:
        refuse("language", f"{language!r} is not one of {', '.join(LANGUAGES)} (ISO 639-1)")
    frequency = data.get("accrual_periodicity", "")
    if frequency and frequency_words(frequency) is None:
        refuse("accrual_periodicity", f"{frequency!r} is not a frequency of the EU authority table: "
                                      f"{FREQUENCY_TABLE} followed by one of {', '.join(FREQUENCIES)}")
    for key, value, given in [*((k, data.get(k, ""), k in data) for k in URL_SETTINGS),
                              ("[publication.license] url", license_data.get("url", ""),
                               "url" in license_data)]:
        if (value or given and key in REQUIRED_URLS) and not is_http_url(value):
            refuse(key, f"{value!r} is not an http(s) URL")
    if license_data.get("id", License.id) != License.id and "url" not in license_data:
        refuse("[publication.license] url", f"is required for a licence other than {License.id} "
                                            "(its page, which every published file links)")
    _check_license_page(license_data, refuse)
    if not data.get("title", defaults.title).strip():
        refuse("title", "is empty: the catalogue, the portal and every dataset are titled by it")
    for key in BASE_SETTINGS:
        value = data.get(key, getattr(defaults, key))
        if "?" in value or "#" in value or not urlsplit(value).path.endswith("/"):
            refuse(key, f"{value!r} must end with '/' and have no ?query or #fragment (every "
                        "URI or file URL is it followed by a path)")
    name = data.get("name", defaults.name)
    if not NAME.fullmatch(name) or ".." in name:
        refuse("name", f"{name!r} must be 1 to 88 lowercase ASCII letters, digits, '.', '_' "
                       "or '-', starting with a letter or digit (it names the package and files)")
    problem = local_government_code_problem(data.get("publisher_code", ""))
    if problem:
        refuse("publisher_code", problem)
    email = data.get("contact_email", "")
    if email and not EMAIL.fullmatch(email):
        refuse("contact_email", f"{email!r} is not an e-mail address")


def frequency_words(uri: str) -> str | None:
    """The portal's words for a concept of the EU frequency table (…/frequency/WEEKLY: 毎週),
    None for any other URI or none."""
    code = uri.removeprefix(FREQUENCY_TABLE)
    return FREQUENCIES.get(code) if code != uri else None


def _check_license_page(license_data: dict, refuse) -> None:
    """A known licence's URL is its page (any scheme; a deed or legal code below it): the
    catalogue and every file state both, so a typo in either would state two licences."""
    license = license_setting({key: value for key, value in license_data.items()
                               if key in License.__dataclass_fields__})
    known = KNOWN_LICENSES.get(license.id)
    page = license.url.partition("://")[2].lower().removeprefix("www.") + "/"
    if known is not None and license.url and not page.startswith(known.pages):
        refuse("[publication.license] url", f"{license.url!r} is not the page of {license.id} "
                                            f"(https://{known.pages[0]}…): correct the url or the id")


def _setting_line(path: Path, key: str) -> int | None:
    """The line of a setting named as its error names it: `name` (in [publication]) or
    `[publication.license] url`."""
    table, _, name = key.partition("] ") if key.startswith("[") else ("[publication", "", key)
    return toml_line(path, table[1:], 1, name)


def bbox_problem(bbox) -> str | None:
    """Why `bbox` is no spatial_bbox (none, or four finite WGS84 degrees: west < east within
    ±180, south < north within ±90), None when it is one."""
    if not isinstance(bbox, list) or len(bbox) not in (0, 4) or not all(
            isinstance(n, (int, float)) and not isinstance(n, bool) and math.isfinite(n) for n in bbox):
        return "needs four numbers: west, south, east, north"
    if bbox and not (-180 <= bbox[0] < bbox[2] <= 180 and -90 <= bbox[1] < bbox[3] <= 90):
        return (f"{bbox} is no box: west < east within ±180 and south < north within ±90 "
                "(WGS84 degrees: west, south, east, north)")
    return None


def local_government_check_digit(first_five: str) -> int:
    """The check digit of a 全国地方公共団体コード's first five digits (weights 6 5 4 3 2,
    modulo 11: 04000 → 2, Miyagi's 040002)."""
    remainder = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2))) % 11
    return (11 - remainder) % 10


def local_government_code_problem(code: str) -> str | None:
    """Why `code` is no 全国地方公共団体コード (six ASCII digits, the last the check digit of
    the first five), None when it is one or is empty (no code given)."""
    if not code or len(code) == 6 and code.isascii() and code.isdigit() and \
            local_government_check_digit(code[:5]) == int(code[5]):
        return None
    return f"{code!r} is not a 全国地方公共団体コード (six digits, the last the check digit of " \
           "the first five: 040002)"


def is_iri(value: str) -> bool:
    """An absolute IRI as the linked data's parser (pyoxigraph) reads one: the one rule of what
    an IRI may hold (a scheme; no space, quote or `<>{}|^`\\`; a `%` with two hex digits; `[ ]`
    only around an IP literal; one `#`), for the settings' URLs, the store's graph and the URLs
    printed in the sources alike, so that none passes a check and fails the RDF stage."""
    import pyoxigraph           # (here: every command reads the settings, few write RDF)
    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return False
    return True


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host and a port if any, printable, and an IRI (is_iri)."""
    try:
        parts = urlsplit(value)
        parts.port                      # `http://host:abc/`, `:99999`: no port
    except ValueError:                  # (or `http://[::1/x`: an unclosed IPv6 host)
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and value.isprintable() \
        and is_iri(value)


def _site_settings(site, path: Path) -> dict:
    """[site]: `templates` made absolute (relative to pipeline.toml) and checked to be a folder."""
    if not isinstance(site, dict):
        raise ConfigError("[site] must be a table", path)
    unknown = set(site) - {"templates"}
    if unknown:
        raise ConfigError(f"unknown setting(s) in [site]: {', '.join(sorted(unknown))}", path,
                          toml_line(path, "site", 1, min(unknown)))
    if "templates" not in site:
        return {}
    name, line = site["templates"], toml_line(path, "site", 1, "templates")
    if not isinstance(name, str):
        raise ConfigError(f"[site] templates: must be text (a folder), not {type(name).__name__}",
                          path, line)
    if "\0" in name:
        raise ConfigError(f"[site] templates: {name!r} is not a folder name", path, line)
    folder = (path.parent / name).resolve()
    if not folder.is_dir():
        raise ConfigError(f"[site] templates: {folder} is not a folder", path, line)
    return {"templates": str(folder)}
