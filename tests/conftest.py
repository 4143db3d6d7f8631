"""Shared fixtures for the end-to-end tests: the real source text, a CLI runner, and one
publication of the real source that every test file may reuse (`published`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
SOURCE_NAME = "miyagi-ict-plan-2014-2016-field2.txt"
CLI_TIMEOUT = 300


def _run_cli(*args: str | Path, cwd: Path = PROJECT_ROOT,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python -m pipeline ARGS` from the project root (so pipeline.toml is found), with `env`
    added to the environment."""
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd,
                          text=True, capture_output=True, timeout=CLI_TIMEOUT,
                          env={**os.environ, **env} if env else None)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def source_path() -> Path:
    """The real raw source: みやぎICT推進プラン(2014～2016) 分野2 行政の情報化 (UTF-8, LF)."""
    return RAW_DIR / SOURCE_NAME


@pytest.fixture(scope="session")
def source_name() -> str:
    return SOURCE_NAME


@pytest.fixture(scope="session")
def source_text(source_path: Path) -> str:
    return source_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def run_cli():
    """run_cli(*args, cwd=project root) -> CompletedProcess (text, stdout/stderr captured)."""
    return _run_cli


@pytest.fixture(scope="session")
def published_run(tmp_path_factory) -> subprocess.CompletedProcess:
    """The one publish of the real source (data/raw with its sources.toml manifest) into a
    fresh folder `<tmp>/out`; the folder is `published`."""
    out = tmp_path_factory.mktemp("published") / "out"
    result = _run_cli("publish", "--raw-dir", RAW_DIR, "--out-dir", out)
    result.out_dir = out
    return result


@pytest.fixture(scope="session")
def published(published_run) -> Path:
    """Out dir of a successful publication of the real source. Treat it as read-only."""
    assert published_run.returncode == 0, published_run.stderr
    return published_run.out_dir


@pytest.fixture
def server(monkeypatch):
    """A scripted HTTP server on 127.0.0.1 (tests/httpserver.py); proxies are bypassed for it,
    also in subprocesses."""
    from httpserver import ScriptedServer

    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with ScriptedServer() as scripted:
        yield scripted
