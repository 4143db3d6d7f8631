"""Zip files (PKWARE APPNOTE 6.3, without ZIP64) whose members are joined from deflate pieces
compressed apart.

A piece is raw deflate data ended by a sync flush: no final block, ending on a byte boundary, so
pieces compressed one by one (each with an empty dictionary) join, in order, into one valid
deflate stream once an empty final block follows. Each piece carries the CRC-32 and size of its
bytes, which combine without the bytes (crc32_combine, as zlib computes it). A member can so be
written from pieces kept between runs without compressing them again (see workbooks.py).
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import PipelineError

FINAL_BLOCK = zlib.compressobj(1, zlib.DEFLATED, -15).flush()    # an empty final block
ZIP_LIMIT = 0xFFFF_FFFF         # sizes and offsets from this on need ZIP64, not written here
VERSION = 20                    # 2.0: deflate
MADE_ON_UNIX = 3 << 8
POLYNOMIAL = 0xEDB88320         # CRC-32, reflected


@dataclass(frozen=True)
class Deflated:
    """Raw deflate data of `size` bytes whose CRC-32 is `crc`."""

    data: bytes
    crc: int
    size: int


def deflate(data: bytes, level: int) -> Deflated:
    """One piece: data compressed on its own, ended by a sync flush (not final)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
    return Deflated(compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH),
                    zlib.crc32(data), len(data))


def joined(pieces: list[Deflated]) -> Deflated:
    """The pieces in order as one finished deflate stream."""
    crc, size = 0, 0
    for piece in pieces:
        crc, size = crc32_combine(crc, piece.crc, piece.size), size + piece.size
    return Deflated(b"".join(piece.data for piece in pieces) + FINAL_BLOCK, crc, size)


def write_zip(path: Path, members: list[tuple[str, Deflated]], date_time: tuple) -> tuple[int, str]:
    """Write a zip of finished deflate streams (each member readable alone: owner read/write,
    the given date); returns the file's size and SHA-256, taken from the bytes written."""
    time = date_time[3] << 11 | date_time[4] << 5 | date_time[5] // 2
    date = (date_time[0] - 1980) << 9 | date_time[1] << 5 | date_time[2]
    digest, offset, directory = hashlib.sha256(), 0, []
    with path.open("wb") as handle:
        def put(data: bytes) -> None:
            nonlocal offset
            handle.write(data)
            digest.update(data)
            offset += len(data)

        for name, member in members:
            encoded = name.encode("ascii")
            if max(len(member.data), member.size, offset + len(member.data)) >= ZIP_LIMIT:
                raise PipelineError(f"{name} makes the file larger than a zip without ZIP64 "
                                    "holds (4 GiB)", path)
            fields = (VERSION, 0, zlib.DEFLATED, time, date, member.crc, len(member.data),
                      member.size, len(encoded))
            directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, MADE_ON_UNIX | VERSION,
                                         *fields, 0, 0, 0, 0, 0o600 << 16, offset) + encoded)
            put(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded)
            put(member.data)
        start = offset
        if start + sum(map(len, directory)) >= ZIP_LIMIT:
            raise PipelineError("the zip's directory would lie beyond what a zip without ZIP64 "
                                "holds (4 GiB)", path)
        for entry in directory:
            put(entry)
        put(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members),
                        offset - start, start, 0))
    return offset, digest.hexdigest()


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of two byte strings joined, from their CRCs and the second's size (zlib's
    crc32_combine: first × x^(8·size) mod P, then xor the second)."""
    return _multiply(_x_to_2_to_n(second_size, 3), first) ^ second


def _multiply(a: int, b: int) -> int:
    """a × b modulo the CRC polynomial (reflected bit order)."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ POLYNOMIAL if b & 1 else b >> 1
    return product


def _x_to_2_to_n(n: int, k: int) -> int:
    """x^(n·2^k) modulo the polynomial."""
    product = 1 << 31                   # x^0
    while n:
        if n & 1:
            product = _multiply(_POWERS[k & 31], product)
        n >>= 1
        k += 1
    return product


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, k = 0..31."""
    powers = [1 << 30]                  # x^1
    for _ in range(31):
        powers.append(_multiply(powers[-1], powers[-1]))
    return powers


_POWERS = _powers()
