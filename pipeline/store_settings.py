"""The settings of `load-store`: which store, which graph, how many lines per request, how
often and how long to try, with the credentials never printed (redact).

Settings, from lowest to highest precedence: built-in defaults, `[store]` in pipeline.toml,
the environment (SPARQL_GSP_ENDPOINT, SPARQL_UPDATE_ENDPOINT, SPARQL_USER, SPARQL_PASSWORD),
the command line.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from .config import Config, is_iri, settings_name, toml_line
from .errors import StoreError

BATCH_SIZE = 50_000               # N-Triples lines per request
DEFAULT_TRIES = 3
DEFAULT_BACKOFF = 1.0             # seconds before the 2nd try; doubled before each further try
DEFAULT_TIMEOUT = (10.0, 300.0)   # (connect, read) seconds; read is per socket read
MAX_SECONDS = 86_400              # a timeout, backoff or pause (sockets and sleep take no more)

ENV_GSP = "SPARQL_GSP_ENDPOINT"
ENV_UPDATE = "SPARQL_UPDATE_ENDPOINT"
ENV_USER = "SPARQL_USER"
ENV_PASSWORD = "SPARQL_PASSWORD"
STORE_KEYS = {"gsp_endpoint": str, "update_endpoint": str, "graph": str, "user": str,
              "password": str, "batch_size": int, "tries": int, "backoff": (int, float),
              "timeout": (int, float)}
OPTIONS = {"gsp_endpoint": "--endpoint", "update_endpoint": "--update-endpoint", "graph": "--graph",
           "batch_size": "--batch-size", "tries": "--tries", "backoff": "--backoff",
           "timeout": "--timeout"}

# scheme://, then the userinfo up to the last @ of the authority (which ends at / ? or #)
_USERINFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")


@dataclass(frozen=True)
class StoreSettings:
    gsp_endpoint: str
    graph: str | None               # None: one named graph per plan
    update_endpoint: str | None = None
    user: str | None = None
    password: str | None = None
    batch_size: int = BATCH_SIZE
    tries: int = DEFAULT_TRIES
    backoff: float = DEFAULT_BACKOFF
    timeout: tuple[float, float] = DEFAULT_TIMEOUT


def resolve_settings(config: Config, env: Mapping[str, str] | None = None, *,
                     endpoint: str | None = None, update_endpoint: str | None = None,
                     gsp_only: bool = False, graph: str | None = None,
                     batch_size: int | None = None, tries: int | None = None,
                     backoff: float | None = None, timeout: float | None = None) -> StoreSettings:
    """Defaults < `[store]` of pipeline.toml < environment < command line."""
    env = os.environ if env is None else env
    table = dict(getattr(config, "store", None) or {})
    for key, value in table.items():
        if key not in STORE_KEYS:
            raise StoreError(f"unknown setting in [store]: {key} (known: {', '.join(sorted(STORE_KEYS))})",
                             settings_name(config), _line(settings_name(config), key))
        if not isinstance(value, STORE_KEYS[key]) or isinstance(value, bool):
            raise StoreError(f"[store] {key} has the wrong type ({type(value).__name__})",
                             settings_name(config), _line(settings_name(config), key))

    def pick(cli, env_name, key):
        """(value, where): where names the option, variable or settings file it comes from."""
        if cli is not None:
            return cli, (OPTIONS.get(key, key), None)
        if env_name and env.get(env_name):
            return env[env_name], (f"${env_name}", None)
        return table.get(key), (f"[store] {key}", settings_name(config))

    def setting(cli, key, check, default):
        value, where = pick(cli, None, key)
        return default if value is None else check(value, where)

    gsp, where = pick(endpoint, ENV_GSP, "gsp_endpoint")
    if not gsp:
        raise StoreError(f"no Graph Store endpoint: set {ENV_GSP} (e.g. http://127.0.0.1:7878/store), "
                         f"gsp_endpoint in [store] of {settings_name(config)}, or --endpoint")
    _check_url(gsp, where)
    update, where = (None, None) if gsp_only else pick(update_endpoint, ENV_UPDATE, "update_endpoint")
    if update:
        _check_url(update, where)
    settings = StoreSettings(
        gsp_endpoint=gsp,
        update_endpoint=update or None,
        graph=_graph(*pick(graph, None, "graph")),
        user=pick(None, ENV_USER, "user")[0] or None,
        password=pick(None, ENV_PASSWORD, "password")[0],
        batch_size=setting(batch_size, "batch_size", _count, BATCH_SIZE),
        tries=setting(tries, "tries", _count, DEFAULT_TRIES),
        backoff=setting(backoff, "backoff", _pause, DEFAULT_BACKOFF),
    )
    read = setting(timeout, "timeout", _timeout, None)
    if read is not None:
        settings = replace(settings, timeout=(min(DEFAULT_TIMEOUT[0], read), read))
    return settings


def _graph(value: str | None, where) -> str | None:
    if value and not (value.isprintable() and is_iri(value)):    # (no space-like character)
        _refuse(where, f"{value!r} is not an absolute IRI")
    return value or None


def _refuse(where: tuple[str, str | None], problem: str):
    """One line naming the setting (`--timeout`, `$SPARQL_GSP_ENDPOINT`, `[store] timeout` of
    the settings file) and what is wrong with its value."""
    label, path = where
    raise StoreError(f"{label} {problem}", path,
                     _line(path, label.removeprefix("[store] ")) if path else None)


def _line(path: str, key: str) -> int | None:
    """The line of `key` in [store] of the settings file at path."""
    return toml_line(Path(path), "store", 1, key)


def _check_url(url: str, where) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # raises for a port out of range
    except ValueError as exc:
        _refuse(where, f"{redact(url)} is not a valid URL ({exc})")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        _refuse(where, f"{redact(url)} is not an http(s) URL")


def _count(value: int, where) -> int:
    if value < 1:
        _refuse(where, f"must be at least 1, not {value}")
    return value


def _pause(value: float, where) -> float:
    if not (math.isfinite(value) and 0 <= value <= MAX_SECONDS):
        _refuse(where, f"must be a number of seconds from 0 to {MAX_SECONDS}, not {value:g}")
    return float(value)


def _timeout(value: float, where) -> float:
    if not (math.isfinite(value) and 0 < value <= MAX_SECONDS):
        _refuse(where, f"must be a number of seconds above 0, at most {MAX_SECONDS}, not {value:g}")
    return float(value)


def redact(url: str) -> str:
    """The URL without user:password@ (never print credentials); the rest as it is, so it also
    serves for a URL that does not parse (http://[::1/x, a port out of range)."""
    return _USERINFO.sub(r"\1", url, count=1)


