"""The Jinja2 environment of the portal: autoescaping on, the project's templates
(`templates/`) behind an optional folder of a division's own templates that override any of
them by name (`[site] templates` in pipeline.toml), compiled once and shared by the worker
processes, and the few filters the templates use. A printed value is escaped by
`escaped_output` (markupsafe's escaping without a Markup object per value).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

import markupsafe
from jinja2 import (ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader,
                    StrictUndefined)
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from ...errors import PipelineError
from ...partcache import CacheStats, PartCache

TEMPLATES = Path(__file__).resolve().with_name("templates")
URL_SAFE_PATH = re.compile(r"[A-Za-z0-9/_.~-]*\Z")
# markupsafe's C escaping of a str, returning a str (markupsafe >= 3; before, `escape` was C)
_escape_str = getattr(markupsafe, "_escape_inner", escape)


def escaped_output(value) -> str:
    """A value printed by `{{ … }}`, HTML-escaped as markupsafe's `escape` does it (a Markup
    as it is, a number as its text), returned as a plain str: the page is joined into one str
    anyway, and wrapping each of its hundreds of values in a Markup object first cost a quarter
    of a page."""
    if type(value) is str:
        return _escape_str(value)
    html = getattr(value, "__html__", None)             # a Markup: already HTML
    return html() if html is not None else _escape_str(str(value))


class PortalCodeGenerator(CodeGenerator):
    """Compiles `{{ value }}` with autoescaping to `escaped_output(value)` instead of
    `escape(value)` (the same text; see `escaped_output`)."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escaped_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


class PortalEnvironment(Environment):
    """`record.title` reads a dict's key first: the records are dicts, and Jinja's usual order
    (the attribute, then the key) costs an exception per lookup on the hot path of the pages."""

    code_generator_class = PortalCodeGenerator
    escaped_output = staticmethod(escaped_output)

    def getattr(self, obj, attribute):
        if obj.__class__ is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def environment(override: Path | None = None, compiled: Path | None = None) -> Environment:
    """Templates from `override` first (a division's restyling), then the project's own; with
    `compiled`, a folder where Jinja2 keeps them compiled between runs (keyed by each template's
    name and source, under Jinja2's and Python's versions: a template changed is compiled
    again; 0.13 s of each run otherwise)."""
    folders = [override] if override else []
    env = PortalEnvironment(loader=ChoiceLoader([FileSystemLoader(str(f)) for f in (*folders, TEMPLATES)]),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, undefined=StrictUndefined, auto_reload=False,
                      cache_size=-1, bytecode_cache=_bytecode_cache(compiled))
    env.filters.update(href=href, json_script=json_script, thousands="{:,}".format,
                       day=lambda timestamp: (timestamp or "")[:10], human_size=human_size)
    env.tests["web_url"] = is_web_url
    return env


def check_templates(folder: Path) -> None:
    """Every template of a division's folder is a file of UTF-8 text: one that is not is named
    here (by its line, for a byte that is no UTF-8), not by the codec halfway through the pages
    (Jinja2 passes over a folder, a broken link or a pipe in silence, for the project's own)."""
    for path in sorted(folder.rglob("*.html")):
        if not path.is_file():
            raise PipelineError("template: not a file (a folder, a broken link or a pipe): the "
                                "portal would use its own template in its place", path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise PipelineError(f"template: cannot read: {exc.strerror}", path) from None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PipelineError(f"template: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                                f"offset {exc.start})", path,
                                data[:exc.start].count(b"\n") + 1) from None


class CompiledTemplates(FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates, each kept as an entry of partcache.py (its bytes
    checked by their SHA-256; Jinja2 checks only a header): one that cannot be read (cut short,
    a byte changed) is removed and the template compiled again, never a failed publish nor a
    page rendered by code no compiler wrote; one that cannot be written only costs the
    compiling next time."""

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._entries().load(self.pattern % bucket.key, CacheStats())
        if isinstance(code, bytes):
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._entries().store(self.pattern % bucket.key, bucket.bytecode_to_string(), CacheStats())

    def _entries(self) -> PartCache:
        return PartCache(Path(self.directory))


def _bytecode_cache(folder: Path | None) -> CompiledTemplates | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:                     # no cache then: only costs the compiling
        return None
    return CompiledTemplates(str(folder))


def href(path: str) -> str:
    """A relative link to a file of the site (non-ASCII characters percent-encoded)."""
    return path if URL_SAFE_PATH.match(path) else _quoted(path)


@lru_cache(maxsize=1 << 17)
def _quoted(path: str) -> str:
    return quote(path, safe="/-_.~")


def is_web_url(url) -> bool:
    """An http(s) URL with a host: linked as printed; anything else is shown as text."""
    return bool(url) and _is_web_url(str(url))


@lru_cache(maxsize=1 << 16)
def _is_web_url(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:                  # `http://[::1/x`: an unclosed IPv6 host
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_json_line = json.JSONEncoder(ensure_ascii=False).encode     # json.dumps(x, ensure_ascii=False)


def json_text(data) -> str:
    """JSON that cannot end a <script> element: `<`, `>` and `&` become \\u escapes (so no value
    closes the element or opens a comment); JSON.parse reads it as is. A list is written one
    item per line (the C encoder, fast for thousands of records)."""
    if isinstance(data, list):
        text = "[\n" + ",\n".join(map(_json_line, data)) + "\n]"
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def json_script(data, type: str = "application/json", id: str | None = None) -> Markup:
    """`data` in a `<script type=…>` element (see `json_text`)."""
    identifier = Markup(' id="{}"').format(id) if id else ""
    return Markup('<script type="{}"{}>\n').format(type, identifier) + \
        Markup(json_text(data)) + Markup("\n</script>")


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}"
    return f"{size} B"
