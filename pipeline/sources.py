"""Find, decode and checksum the raw source texts, and read their manifest (sources.toml).

Japanese offices save text as UTF-8 (with or without BOM) or as CP932 (Windows Shift_JIS).
CP932 is decoded with Python's cp932 codec: the plain shift_jis codec maps the wave dash
differently and would silently change characters such as ～.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .errors import ConfigError, SourceError

MANIFEST_NAME = "sources.toml"
# A plan id is part of URIs and file paths (plans/<plan_id>/): ASCII letters, digits, . _ -
PLAN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
MANIFEST_KEYS = {
    "file", "title", "title_en", "plan_id", "plan_title", "publisher", "publisher_en", "publisher_code",
    "page", "url", "period_start_fy", "period_end_fy", "license",
}


@dataclass(frozen=True)
class SourceMeta:
    """What the manifest says about one raw file; missing values default from pipeline.toml."""

    file: str
    title: str = ""
    title_en: str = ""
    plan_id: str = ""
    plan_title: str = ""
    publisher: str = ""
    publisher_en: str = ""
    publisher_code: str = ""
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


def find_sources(raw_dir: Path) -> list[Path]:
    """Every .txt file in the raw folder, in name order."""
    if not raw_dir.is_dir():
        raise SourceError("raw folder does not exist", raw_dir)
    paths = sorted(p for p in raw_dir.iterdir() if p.suffix.lower() == ".txt" and p.is_file())
    if not paths:
        raise SourceError("no .txt source files found", raw_dir)
    return paths


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode UTF-8 (BOM optional) or CP932; normalise line ends to LF."""
    if not data.removeprefix(b"\xef\xbb\xbf").strip():
        raise SourceError("file is empty", path)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise SourceError(f"binary data, not text (NUL byte at offset {offset})", path)
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _strict(data, "utf-8", path, skip=3), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = _strict(data, "cp932", path), "cp932"
    if _control_ratio(text) > 0.01:
        raise SourceError(f"binary data, not text (decoded as {encoding})", path)
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _strict(data: bytes, encoding: str, path: Path, skip: int = 0) -> str:
    """Decode data[skip:] strictly; an error names the byte, its offset in the file and line."""
    try:
        return data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        exc.start += skip
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"neither UTF-8 nor CP932 text (undecodable byte 0x{data[exc.start]:02x} "
            f"at offset {exc.start})", path, line) from None


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _control_ratio(text: str) -> float:
    return len(CONTROL_CHARS.findall(text)) / max(len(text), 1)


def load_manifest(raw_dir: Path) -> dict[str, SourceMeta]:
    """Read data/raw/sources.toml (optional) into metadata keyed by file name."""
    path = raw_dir / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("source", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"invalid TOML: {exc}", path) from None
    manifest: dict[str, SourceMeta] = {}
    for number, entry in enumerate(entries, 1):
        unknown = set(entry) - MANIFEST_KEYS
        if "file" not in entry or unknown:
            problem = f"unknown keys {sorted(unknown)}" if unknown else "no 'file' key"
            raise ConfigError(f"[[source]] entry {number}: {problem}", path)
        if "plan_id" in entry and not PLAN_ID.match(str(entry["plan_id"])):
            raise ConfigError(f"[[source]] entry {number} ({entry['file']}): plan_id "
                              f"{entry['plan_id']!r} must be ASCII letters, digits, '.', '_' or '-'", path)
        manifest[entry["file"]] = SourceMeta(**entry, in_manifest=True)
    return manifest


def default_plan_id(file: str) -> str:
    """The plan of a file the manifest does not list: its name made URI-safe (`第2分野.txt`
    gives `2`; a name with no ASCII at all gives `plan-` and a short hash of the name)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", Path(file).stem).strip("-._")
    return stem or "plan-" + hashlib.sha256(file.encode("utf-8")).hexdigest()[:8]


def with_defaults(meta: SourceMeta, config: Config) -> SourceMeta:
    """Fill what the manifest leaves out from pipeline.toml's default_source and the publication."""
    defaults = {"publisher": config.publisher, "publisher_code": config.publisher_code,
                "license": config.license.id, **config.default_source}
    values = {name: getattr(meta, name) or defaults.get(name, getattr(meta, name))
              for name in SourceMeta.__dataclass_fields__}
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


def read_sources(raw_dir: Path, config: Config) -> list[SourceDocument]:
    """All sources of a raw folder, decoded, with manifest metadata (or defaults)."""
    manifest = load_manifest(raw_dir)
    return [read_source(p, with_defaults(manifest.get(p.name, SourceMeta(file=p.name)), config))
            for p in find_sources(raw_dir)]
