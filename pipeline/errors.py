"""The pipeline's own exception types: every one names the file (and line where known)."""

from __future__ import annotations

import io
import os
from pathlib import Path


class PipelineError(Exception):
    """An error in the input or the run, reported to the user as one line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line

    def __reduce__(self):
        """Keep file and line when the error crosses a process boundary (parallel extraction)."""
        return (self.__class__, (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class SourceError(PipelineError):
    """A raw source file cannot be read or decoded (empty, binary, unknown encoding)."""


class ExtractionError(PipelineError):
    """The text of a source does not have the structure of a plan document."""


class ConfigError(PipelineError):
    """The configuration or the sources manifest is invalid."""


class StoreError(PipelineError):
    """The graph could not be loaded into the store, or a query failed; `path` is the
    endpoint (without credentials) or the file."""


MAX_FINDINGS = 50           # shown of a validation's findings, then one line counting the rest


class ValidationFailed(PipelineError):
    """The built tables do not satisfy their Table Schemas; `findings` lists each problem."""

    @classmethod
    def capped(cls, message: str, findings: list[str], path: str | Path | None = None):
        """The failure with its first MAX_FINDINGS findings and a line counting the others."""
        shown = findings[:MAX_FINDINGS]
        if len(findings) > MAX_FINDINGS:
            shown.append(f"… and {len(findings) - MAX_FINDINGS} more")
        return cls(message, shown, path)

    def __init__(self, message: str, findings: list[str], path: str | Path | None = None,
                 line: int | None = None):
        super().__init__(message, path, line)
        self.findings = findings

    def __reduce__(self):
        return (self.__class__, (self.message, self.findings, self.path, self.line))


def describe(error: BaseException) -> str:
    """A foreign exception in one line: its type and the first line of its message."""
    lines = str(error).strip().split("\n")
    return f"{type(error).__name__}: {lines[0]}" if lines[0] else type(error).__name__


def failed_file(error: BaseException) -> str | None:
    """The file an OSError is about: its filename, else (a write's names none: a full disk, a
    file size limit) the file open for writing in the innermost frame of its traceback that
    holds one; None when neither is known, or for another error (a bug names no file)."""
    if not isinstance(error, OSError):
        return None
    name = getattr(error, "filename", None)
    if isinstance(name, (str, os.PathLike)):
        return os.fspath(name)
    frames = []
    trace = error.__traceback__
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        for value in frame.f_locals.values():
            if (name := _written_file(value)) is not None:
                return name
    return None


def _written_file(value: object) -> str | None:
    """The name of value when it is a file open for writing (or closed since)."""
    if not isinstance(value, io.IOBase):
        return None
    try:
        name, mode = value.name, value.mode         # (gzip's mode is a number)
    except (AttributeError, ValueError):
        return None
    writes = isinstance(mode, str) and not set(mode).isdisjoint("wax+")
    return name if writes and isinstance(name, str) and not name.startswith("<") else None


def resolved(path: Path, option: str) -> Path:
    """path made absolute, its links followed; one that goes round a loop of links is an error
    naming it (Path.resolve raises RuntimeError there before Python 3.13)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        raise PipelineError(f"cannot be followed: it goes round a loop of symbolic links: "
                            f"choose another {option}", path) from None


def undecodable_byte(text: str) -> tuple[int, int] | None:
    """(index, byte) of the first byte of text that is not UTF-8, None if there is none: Python
    reads such a byte of a file name, the command line or stdin as a lone surrogate (U+DC80 to
    U+DCFF), which no file of the publication can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start, ord(text[exc.start]) & 0xff
    return None
