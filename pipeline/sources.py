"""Find, decode and checksum the raw source texts, and read their manifest (sources.toml).

Japanese offices save text as UTF-8 (with or without BOM), UTF-16 with BOM (Notepad's
"Unicode"), CP932 (Windows Shift_JIS) or EUC-JP. CP932 is decoded with Python's cp932 codec: the
plain shift_jis codec maps the wave dash differently and would silently change characters such
as ～. The manifest is checked strictly: one error names the entry and the key.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .config import (DEFAULT_CONFIG_PATH, NOT_IN_XML, NOT_IN_XML_PROBLEM, Config, is_http_url,
                     bbox_problem, local_government_code_problem, toml_line)
from .errors import ConfigError, SourceError, undecodable_byte
from .mediatypes import URI_DOCUMENT_SUFFIXES
from .parsing import as_written, toml_file
from .sourceplans import check_plans

MANIFEST_NAME = "sources.toml"
LOCK_NAME = "sources.lock.json"       # what `fetch` downloaded (fetch.py)
# A plan id is part of URIs and file paths (plans/<plan_id>/): ASCII letters, digits, . _ -
PLAN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
PUBLISHER_KEYS = ("publisher", "publisher_en", "publisher_code")     # one authority
AUTHORITY_KEYS = (*PUBLISHER_KEYS, "publisher_bbox")    # its names, code and area
RESERVED_PLAN_IDS = frozenset({"index.html"})   # the portal: initiatives/index.html beside initiatives/<plan_id>/
MANIFEST_KEYS = {
    "file", "title", "title_en", "plan_id", "plan_title", "plan_title_en", "publisher", "publisher_en", "publisher_code",
    "publisher_bbox", "page", "url", "period_start_fy", "period_end_fy", "license",
}


@dataclass(frozen=True)
class SourceMeta:
    """What the manifest says about one raw file; missing values default from pipeline.toml."""

    file: str
    title: str = ""
    title_en: str = ""
    plan_id: str = ""
    plan_title: str = ""
    plan_title_en: str = ""
    publisher: str = ""
    publisher_en: str = ""
    publisher_code: str = ""
    publisher_bbox: tuple[float, ...] = ()      # the authority's area: west, south, east, north
    page: str = ""
    url: str = ""
    period_start_fy: int | None = None
    period_end_fy: int | None = None
    license: str = ""
    in_manifest: bool = False


@dataclass(frozen=True)
class SourceDocument:
    """One decoded raw text with its checksum and metadata."""

    path: Path
    text: str = field(repr=False)
    encoding: str
    sha256: str
    size: int
    meta: SourceMeta

    @property
    def name(self) -> str:
        return self.path.name


# Files people keep beside the text: why each is not read.
NOT_READ = {".pdf": "PDF", ".docx": "Word", ".doc": "Word", ".xlsx": "Excel", ".xls": "Excel",
            ".rtf": "RTF", ".odt": "OpenDocument", ".ods": "OpenDocument", ".html": "HTML",
            ".htm": "HTML", ".jtd": "Ichitaro", ".csv": "CSV"}
OWN_FILES = {MANIFEST_NAME, "sources.lock.json"}


def ignored_files(raw_dir: Path) -> list[str]:
    """A warning for every file of the raw folder that is not read (not .txt, not ours)."""
    warnings = []
    for path in folder_entries(raw_dir) if raw_dir.is_dir() else []:
        if path.name in OWN_FILES or path.name.startswith("."):
            continue
        if path.suffix.lower() == ".txt":
            if not path.is_file():          # a folder, a FIFO, a link to nothing
                warnings.append(f"{path}: not a regular file (a folder, a device or a broken "
                                "link); not read")
            continue
        kind = NOT_READ.get(path.suffix.lower())
        if path.is_dir():
            warnings.append(f"{path}: a folder; sub-folders are not read")
        elif kind:
            warnings.append(f"{path}: {kind} is not read; convert it to text first (see README)")
        else:
            warnings.append(f"{path}: not a .txt file; not read")
    return warnings


def folder_entries(raw_dir: Path) -> list[Path]:
    """The raw folder's entries in name order; a folder that is missing, a file or cannot be
    listed is one error naming it."""
    if not raw_dir.is_dir():
        raise SourceError("raw folder does not exist" if not raw_dir.exists() else
                          "is not a folder: give the folder of the .txt files as --raw-dir", raw_dir)
    try:
        return sorted(raw_dir.iterdir())
    except OSError as exc:
        raise SourceError(f"cannot list the raw folder: {exc.strerror}", raw_dir) from None


def find_sources(raw_dir: Path) -> list[Path]:
    """Every .txt file in the raw folder, in name order."""
    paths = [p for p in folder_entries(raw_dir) if p.suffix.lower() == ".txt" and p.is_file()]
    if not paths:
        raise SourceError("no .txt source files found", raw_dir)
    for path in paths:
        _check_name(path)
    return paths


def _check_name(path: Path) -> None:
    """A file name that is not UTF-8 (CP932 bytes copied from a Windows disk) cannot be written
    into the tables, the URIs or the catalogue: refused here, named with its bytes escaped."""
    if (undecodable := undecodable_byte(path.name)) is not None:
        shown = os.fsencode(path.name).decode("utf-8", "backslashreplace")
        raise SourceError(f"the file name is not UTF-8 (byte 0x{undecodable[1]:02x}): rename the "
                          "file", path.parent / shown)


# the byte order mark and how the text after it is decoded (UTF-16 little or big endian)
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16-be"))
CODECS = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-16-be": "utf-16-be"}
# Tried in this order on text without a BOM. EUC-JP read as CP932 often decodes, into
# half-width katakana: of two that decode, the one with fewer half-width kana is taken.
ENCODINGS = ("utf-8", "cp932", "euc-jp")
HALF_WIDTH_KANA = re.compile("[\uff61-\uff9f]")
# Python's euc-jp codec follows JIS where Windows (cp932) differs: 〜 for ～, − for －, ‖ for ∥…
# Mapped to what cp932 gives, so the same document reads the same in either encoding.
EUC_AS_CP932 = str.maketrans("\u301c\u2212\u2016\u00a2\u00a3\u00ac",
                             "\uff5e\uff0d\u2225\uffe0\uffe1\uffe2")


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode UTF-8 (BOM optional), UTF-16 with BOM, CP932 or EUC-JP; normalise line ends to LF."""
    bom, encoding = next(((b, e) for b, e in BOMS if data.startswith(b)), (b"", ""))
    if not data[len(bom):].strip(b" \t\r\n\x00" if encoding.startswith("utf-16") else b" \t\r\n"):
        raise SourceError("file is empty", path)
    if encoding:
        text = _strict(data, encoding, path, len(bom))
    else:
        if b"\x00" in data:
            offset = data.index(b"\x00")
            hint = "; UTF-16 without a BOM? save it as UTF-8" if _looks_utf16(data) else ""
            raise SourceError(f"binary data, not text (NUL byte at offset {offset}, line "
                              f"{_line_of(data, offset)}){hint}", path, _line_of(data, offset))
        text, encoding = _first_fitting(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _refuse_control_characters(text, encoding, path)
    return text, encoding


def _looks_utf16(data: bytes) -> bool:
    """Mostly ASCII with a NUL in every other byte, or (Japanese text has few NULs) lines of
    printable characters when read as UTF-16 (random bytes so read hold unassigned and private
    characters, and a line break about once in 65,536 characters)."""
    sample = data[:4000]
    if sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4:
        return True
    for encoding in ("utf-16-le", "utf-16-be"):
        text = sample[:len(sample) // 2 * 2].decode(encoding, "replace")
        printable = sum(c.isprintable() and c != "\ufffd" or c in "\t\r\n" for c in text)
        if printable > 0.95 * len(text) and text.count("\n") * 500 >= len(text):
            return True
    return False


def _first_fitting(data: bytes, path: Path) -> tuple[str, str]:
    decoded, failures = [], []
    for encoding in ENCODINGS:
        try:
            decoded.append((data.decode(encoding), encoding))
        except UnicodeDecodeError as exc:
            failures.append((exc.start, encoding, exc))
            if encoding == "utf-8" and exc.reason == "unexpected end of data":
                raise SourceError(f"UTF-8 text that ends inside a character: the file was cut "
                                  f"({_undecodable(data, exc.start, exc.reason)})", path,
                                  _line_of(data, exc.start)) from None
        if encoding == "utf-8" and decoded:
            return decoded[0]
    if decoded:
        text, encoding = min(decoded, key=lambda pair: len(HALF_WIDTH_KANA.findall(pair[0])))
        return (text.translate(EUC_AS_CP932) if encoding == "euc-jp" else text), encoding
    offset, _, _ = max(failures, key=lambda failure: failure[0])
    tried = "; ".join(f"{encoding.upper()}: {_undecodable(data, exc.start, exc.reason)}"
                      for _, encoding, exc in failures)
    raise SourceError(f"not text in any encoding tried ({tried})", path, _line_of(data, offset))


def _undecodable(data: bytes, offset: int, reason: str) -> str:
    where = f"offset {offset}, line {_line_of(data, offset)}"
    if reason == "unexpected end of data":
        return f"cut inside a character at {where}"
    return f"byte 0x{data[offset]:02x} at {where}"


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _strict(data: bytes, encoding: str, path: Path, skip: int) -> str:
    """Decode data[skip:] strictly; an error names the byte, its offset in the file and line."""
    try:
        return data[skip:].decode(CODECS[encoding])
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        name = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
        raise SourceError(f"not {name} text after its byte order mark: "
                          f"{_undecodable(data, offset, exc.reason)}", path,
                          _line_of(data, offset)) from None


# Control characters no text holds (a vertical tab or a form feed does: Word's manual line
# break, a page break; the reader takes them for spaces)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f]")
CONTROL_SHARE = 0.01        # more than this share of the characters: binary data


def _refuse_control_characters(text: str, encoding: str, path: Path) -> None:
    """SourceError naming the line of the first control character when they are more than
    CONTROL_SHARE of the text."""
    found = CONTROL_CHARS.findall(text)
    if len(found) > CONTROL_SHARE * max(len(text), 1):
        first = CONTROL_CHARS.search(text)
        line = text.count("\n", 0, first.start()) + 1
        raise SourceError(f"binary data, not text (decoded as {encoding}; a control character "
                          f"U+{ord(first[0]):04X} at line {line}, and {len(found) - 1} more)",
                          path, line)


def load_manifest(raw_dir: Path) -> dict[str, SourceMeta]:
    """Read data/raw/sources.toml (optional) into metadata keyed by file name; an invalid
    manifest is a ConfigError naming the entry and the key."""
    path = raw_dir / MANIFEST_NAME
    if path.is_symlink() and not path.exists():     # read as none, every plan would be renamed
        raise ConfigError("is a broken link: the manifest it points to is missing", path)
    if not path.exists():
        return {}
    if not path.is_file():
        raise ConfigError("is not a file: the manifest must be a TOML file", path)
    try:
        document = toml_file(path)
    except ValueError as exc:           # (TOMLDecodeError, UnicodeDecodeError, too deep)
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path) from None
    unknown = sorted(set(document) - {"source"})
    entries = document.get("source", [])
    if unknown or not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problem = f"unknown top-level keys {unknown}" if unknown else \
            "'source' is not a list of [[source]] tables"
        raise ConfigError(f"{problem}; write one [[source]] table per file", path)
    manifest: dict[str, SourceMeta] = {}
    for number, entry in enumerate(entries, 1):
        name = entry.get("file")
        where = f"[[source]] entry {number}" + (f" ({name})" if isinstance(name, str) and name else "")
        meta = _entry_meta(entry, where, path, partial(toml_line, path, "source", number))
        if meta.file in manifest:
            raise ConfigError(f"[[source]] entry {number} ({meta.file}): file: listed twice", path,
                              toml_line(path, "source", number, "file"))
        manifest[meta.file] = meta
    return manifest


PERIOD_RANGE = (1900, 2200)         # fiscal years a plan period may name
NAMING_KEYS = {"title", "plan_title", "plan_title_en", "publisher"}     # published as names: never blank
TEXT_KEYS = MANIFEST_KEYS - {"period_start_fy", "period_end_fy", "publisher_bbox"}


def _entry_meta(entry: dict, where: str, path: Path, line_of: Callable[[str], int | None]) \
        -> SourceMeta:
    """One [[source]] table, checked: types, a plain file name, http(s) pages, the period; an
    error names the line of the key (line_of) where it can."""
    name = entry.get("file")

    def refuse(key: str, problem: str):
        raise ConfigError(f"{where}: {key}: {problem}", path, line_of(key))

    for key in sorted(set(entry) - MANIFEST_KEYS):
        refuse(key, f"unknown key (known: {', '.join(sorted(MANIFEST_KEYS))})")
    if "file" not in entry:
        refuse("file", "missing: every entry names its .txt file")
    for key in sorted(TEXT_KEYS & set(entry)):
        if not isinstance(entry[key], str):
            refuse(key, f"must be a string, not {type(entry[key]).__name__}")
        if NOT_IN_XML.search(entry[key]):
            refuse(key, f"{entry[key]!r} {NOT_IN_XML_PROBLEM}")
        if not entry[key].strip() and key in NAMING_KEYS:
            refuse(key, "is empty: leave the key out for its default")
    if not name.strip() or Path(name).name != name or name in (".", ".."):
        refuse("file", f"{name!r} is not a file name in the raw folder")
    if name in (MANIFEST_NAME, LOCK_NAME):      # fetch would write the source over it
        refuse("file", f"{name!r} is the folder's own {name}, not a source")
    for key in ("page", "url"):
        value = entry.get(key, "")
        if value and not is_http_url(value):
            refuse(key, f"{value!r} is not an http(s) URL")
    plan_id = entry.get("plan_id")
    if plan_id is not None and (not PLAN_ID.fullmatch(plan_id) or ".." in plan_id):
        refuse("plan_id", f"{plan_id!r} must be ASCII letters, digits, '.', '_' or '-', "
                          "beginning with a letter or digit (at most 100, no '..': it is part of "
                          "URIs and paths)")
    if plan_id is not None and plan_id.lower() in RESERVED_PLAN_IDS:
        refuse("plan_id", f"{plan_id!r} is the name of the portal's page beside the plans' "
                          "folders (initiatives/index.html): choose another id")
    if plan_id is not None and plan_id.lower().endswith(URI_DOCUMENT_SUFFIXES):
        refuse("plan_id", f"{plan_id!r} ends as the documents of a URI do (…/plan/<id>.ttl "
                          "would be the plan's Turtle): choose another id")
    problem = local_government_code_problem(entry.get("publisher_code", ""))
    if problem:
        refuse("publisher_code", problem)
    if any(entry.get(k) for k in ("publisher_code", "publisher_en", "publisher_bbox")) \
            and not entry.get("publisher"):
        refuse("publisher", "missing: an entry that gives publisher_code, publisher_en or "
                            "publisher_bbox names its publisher (no name is taken from elsewhere "
                            "for it)")
    problem = bbox_problem(entry.get("publisher_bbox", []))
    if problem:
        refuse("publisher_bbox", problem)
    _check_period(entry, refuse)
    return SourceMeta(**{**entry, "publisher_bbox": tuple(entry.get("publisher_bbox", ()))},
                      in_manifest=True)


def _check_period(entry: dict, refuse) -> None:
    start, end = entry.get("period_start_fy"), entry.get("period_end_fy")
    for key, value in (("period_start_fy", start), ("period_end_fy", end)):
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            refuse(key, f"must be a fiscal year as a number (2014), not {as_written(value)}")
        if not PERIOD_RANGE[0] <= value <= PERIOD_RANGE[1]:
            refuse(key, f"{value} is not a fiscal year between {PERIOD_RANGE[0]} and "
                        f"{PERIOD_RANGE[1]}")
    if (start is None) != (end is None):
        missing = "period_start_fy" if start is None else "period_end_fy"
        refuse(missing, "missing: a period needs both period_start_fy and period_end_fy")
    if start is not None and end < start:
        refuse("period_end_fy", f"{end} is before period_start_fy {start}")


Publication = tuple[str, Path]      # the publication's licence id, and its settings file


def check_default_source(default_source: dict, path: Path,
                         known_licenses: set[str] | None = None,
                         publication: Publication | None = None) -> None:
    """[publication.default_source] of the settings file `path` follows the rules of a
    [[source]] entry (its licence one of known_licenses, when given, and the publication's)."""
    where = "[publication.default_source]"
    if "file" in default_source:
        raise ConfigError(f"{where}: file: not allowed here (it applies to every file without "
                          "an entry)", path)
    line_of = partial(toml_line, path, "publication.default_source", 1)
    meta = _entry_meta({**default_source, "file": "-"}, where, path, line_of)
    if known_licenses is not None:
        _check_license(meta, where, known_licenses, publication, path, line_of)


def _check_license(meta: SourceMeta, where: str, known_licenses: set[str],
                   publication: Publication | None, path: Path,
                   line_of: Callable[[str], int | None]) -> None:
    """A licence id given must be known, and the publication's (when given): every published
    file states the publication's licence, so data derived from a source under another would
    be published under terms its entry does not give (a ShareAlike or an attribution term
    dropped in silence)."""
    if meta.license and meta.license not in known_licenses:
        raise ConfigError(f"{where}: license: unknown licence id {meta.license!r} (known: "
                          f"{', '.join(sorted(known_licenses))})", path, line_of("license"))
    if meta.license and publication is not None and meta.license != publication[0]:
        raise ConfigError(f"{where}: license: {meta.license} is not the publication's licence "
                          f"{publication[0]} ([publication.license] id of {publication[1]}), "
                          "which every published file states: publish this source under its "
                          "own licence in a publication of that licence, or correct the entry",
                          path, line_of("license"))


def check_manifest(manifest: dict[str, SourceMeta], raw_dir: Path, known_licenses: set[str],
                   publication: Publication | None = None) -> None:
    """What only a publish can check: every entry's file exists, every licence id is known
    (and the publication's, when given)."""
    path = raw_dir / MANIFEST_NAME
    for number, meta in enumerate(manifest.values(), 1):
        where, line_of = f"[[source]] entry {number} ({meta.file})", \
            partial(toml_line, path, "source", number)
        if os.path.lexists(raw_dir / meta.file) and not (raw_dir / meta.file).is_file():
            raise ConfigError(f"{where}: file: not a regular file (a folder, a device or a "
                              f"broken link) in {raw_dir}", path, line_of("file"))
        if not (raw_dir / meta.file).is_file():
            raise ConfigError(f"{where}: file: no such file in {raw_dir}"
                              + _written_otherwise(raw_dir, meta.file), path, line_of("file"))
        _check_license(meta, where, known_licenses, publication, path, line_of)


def _written_otherwise(raw_dir: Path, file: str) -> str:
    """What to add to "no such file" when a file of raw_dir has the same name written with
    other code points (NFC and NFD: a Mac decomposes プ into フ and a combining mark)."""
    wanted = unicodedata.normalize("NFC", file)
    try:
        like = [p.name for p in raw_dir.iterdir() if unicodedata.normalize("NFC", p.name) == wanted]
    except OSError:
        return ""
    return (f"; {like[0]!r} there is the same name written with other Unicode code points (as "
            "a Mac writes names): rename the file or the entry") if like else ""


def default_plan_id(file: str) -> str:
    """The plan of a file the manifest does not list: its name made a plan id as a manifest's
    must be (PLAN_ID, no `..`): `第2分野.txt` gives `2`; a name with no ASCII at all gives `plan-`
    and a short hash of the name, a name over 100 characters its first 91 and that hash."""
    digest = hashlib.sha256(file.encode("utf-8")).hexdigest()[:8]
    stem = re.sub(r"\.{2,}", ".", re.sub(r"[^A-Za-z0-9._-]+", "-", Path(file).stem)).strip("-._")
    if len(stem) > 100 or stem.lower() in RESERVED_PLAN_IDS or \
            stem.lower().endswith(URI_DOCUMENT_SUFFIXES):
        stem = f"{stem[:91].rstrip('-._')}-{digest}"
    return stem or f"plan-{digest}"


def with_defaults(meta: SourceMeta, config: Config) -> SourceMeta:
    """Fill what the manifest leaves out from pipeline.toml's default_source and the publication.
    The publisher is one: an entry that names another, or gives it another code or English
    name, takes none of the default's name, code, English name or area (秋田県 without its
    code is not 宮城県's 040002); one that names the default's publisher as the defaults do
    (by its name alone, or with its code) takes the rest."""
    defaults = {"publisher": config.publisher, "publisher_code": config.publisher_code,
                "license": config.license.id, **config.default_source}
    named = [key for key in PUBLISHER_KEYS if getattr(meta, key)]
    if any(getattr(meta, key) != defaults.get(key) for key in named) or \
            named and "publisher" not in named:
        defaults = {key: value for key, value in defaults.items() if key not in AUTHORITY_KEYS}
    values = {name: getattr(meta, name) or defaults.get(name, getattr(meta, name))
              for name in SourceMeta.__dataclass_fields__}
    values["publisher_bbox"] = tuple(values["publisher_bbox"])
    if not values["title"]:
        values["title"] = Path(meta.file).stem
    if not values["plan_id"]:
        values["plan_id"] = default_plan_id(meta.file)
    return SourceMeta(**values)


def read_source(path: Path, meta: SourceMeta) -> SourceDocument:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror}", path) from None
    text, encoding = decode(data, path)
    return SourceDocument(path=path, text=text, encoding=encoding,
                          sha256=hashlib.sha256(data).hexdigest(), size=len(data), meta=meta)


def read_sources(raw_dir: Path, config: Config,
                 known_licenses: set[str] = frozenset()) -> list[SourceDocument]:
    """All sources of a raw folder, decoded, with manifest metadata (or defaults); licence ids
    must be the publication's or one of known_licenses."""
    manifest = load_manifest(raw_dir)
    licenses, settings = {config.license.id, *known_licenses}, config.origin or DEFAULT_CONFIG_PATH
    publication = (config.license.id, settings)
    check_default_source(config.default_source, settings, licenses, publication)
    check_manifest(manifest, raw_dir, licenses, publication)
    sources = [read_source(p, with_defaults(manifest.get(p.name, SourceMeta(file=p.name)), config))
               for p in find_sources(raw_dir)]
    check_plans(sources, manifest, raw_dir / MANIFEST_NAME, not config.default_source.get("plan_id"),
                (config.publisher, config.publisher_code, config.spatial_bbox))
    return plan_by_plan(sources)


def plan_by_plan(sources: list[SourceDocument]) -> list[SourceDocument]:
    """The sources with the files of each plan together: the plans in the order of their first
    file, each plan's files in their own order. Every table then holds its rows plan by plan,
    as the exporters and the validation need, however the files are named
    (`field1-miyagi.txt`, `field1-fukushima.txt`, `field2-miyagi.txt`)."""
    first: dict[str, int] = {}
    for index, source in enumerate(sources):
        first.setdefault(source.meta.plan_id, index)
    return sorted(sources, key=lambda source: first[source.meta.plan_id])
