"""Bytes into unbuffered files: a range of another file copied by the kernel, or data written
whole (an unbuffered write may take part of it)."""

from __future__ import annotations

import os


def copy_range(source, out, start: int, end: int) -> None:
    """Bytes start..end of the open file source appended to the unbuffered file out: copied
    by the kernel (copy_file_range) where it can, else read and written."""
    copy = getattr(os, "copy_file_range", None)
    while start < end:
        try:
            copied = copy(source.fileno(), out.fileno(), end - start, start) if copy else 0
        except OSError:                 # not between these files here: read and write
            copied = 0
        if not copied:
            source.seek(start)
            data = source.read(end - start)
            if len(data) != end - start:
                raise OSError(f"{source.name}: {end - start} bytes to copy from {start}, "
                              f"{len(data)} there")
            write_all(out, data)
            return
        start += copied


def write_all(out, data: bytes) -> None:
    """All of data to an unbuffered file."""
    view = memoryview(data)
    while view:
        view = view[out.write(view):]
