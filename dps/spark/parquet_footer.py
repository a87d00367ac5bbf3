"""Make Spark's Parquet footers deterministic: sort each column chunk's list of encodings.

parquet-java collects a column chunk's encodings in a HashSet of enum constants, whose iteration order follows
identity hash codes: the same rows written by two JVMs give footers that list e.g. (RLE, PLAIN, BIT_PACKED) in
different orders (apache/parquet-java#3215), so shards differed between runs in a few footer bytes. Sorting
the list rewrites the footer with the same length, in place; readers ignore the order.

Only the Thrift compact protocol needed to walk FileMetaData -> row_groups -> columns -> meta_data ->
encodings is implemented; every other field is skipped by its type.
"""

from __future__ import annotations

import os
import struct

MAGIC = b"PAR1"
# Compact-protocol type ids.
_BOOL_TRUE, _BOOL_FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
# Field ids on the path to the encodings (parquet.thrift).
_FILE_ROW_GROUPS, _ROW_GROUP_COLUMNS, _CHUNK_META, _META_ENCODINGS = 4, 1, 3, 2


class _Reader:
    def __init__(self, buf: bytearray, pos: int = 0):
        self.buf, self.pos = buf, pos

    def byte(self) -> int:
        b = self.buf[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def skip(self, ttype: int) -> None:
        if ttype in (_BOOL_TRUE, _BOOL_FALSE):
            return  # a struct field's value is in its type nibble (list elements go through _skip_list)
        if ttype == _BYTE:
            self.pos += 1
        elif ttype in (_I16, _I32, _I64):
            self.varint()
        elif ttype == _DOUBLE:
            self.pos += 8
        elif ttype == _BINARY:
            n = self.varint()
            self.pos += n
        elif ttype in (_LIST, _SET):
            self.list(lambda elem: self.skip_element(elem))
        elif ttype == _MAP:
            n = self.varint()
            if n:
                kinds = self.byte()
                for _ in range(n):
                    self.skip_element(kinds >> 4)
                    self.skip_element(kinds & 0x0F)
        elif ttype == _STRUCT:
            self.struct({})
        else:
            raise ValueError(f"unknown Thrift compact type {ttype} at byte {self.pos}")

    def skip_element(self, ttype: int) -> None:
        if ttype in (_BOOL_TRUE, _BOOL_FALSE):
            self.pos += 1  # inside lists and maps a boolean takes a byte
        else:
            self.skip(ttype)

    def list(self, on_element) -> None:
        header = self.byte()
        size, elem = header >> 4, header & 0x0F
        if size == 15:
            size = self.varint()
        for _ in range(size):
            on_element(elem)

    def struct(self, handlers: dict) -> None:
        """Walk a struct; handlers[field id](type) consumes that field's value, other fields are skipped."""
        last = 0
        while True:
            header = self.byte()
            if header == 0:
                return
            delta, ttype = header >> 4, header & 0x0F
            if delta:
                field = last + delta
            else:
                raw = self.varint()
                field = (raw >> 1) ^ -(raw & 1)
            last = field
            (handlers.get(field) or self.skip)(ttype)


def _sort_list_in_place(r: _Reader) -> None:
    """A list of i32 varints: sorted by value and written back over the same bytes (same length)."""
    header = r.byte()
    size = header >> 4
    if size == 15:
        size = r.varint()
    start = r.pos
    values = [r.varint() for _ in range(size)]
    encoded = b"".join(_varint(v) for v in sorted(values, key=lambda z: (z >> 1) ^ -(z & 1)))
    assert len(encoded) == r.pos - start, "re-encoded list changed length"
    r.buf[start:r.pos] = encoded


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        if value < 0x80:
            out.append(value)
            return bytes(out)
        out.append((value & 0x7F) | 0x80)
        value >>= 7


def canonical_footer(footer: bytes) -> bytes:
    """The FileMetaData bytes with every column chunk's encodings sorted."""
    buf = bytearray(footer)
    r = _Reader(buf)

    def meta(_t):
        r.struct({_META_ENCODINGS: lambda _t: _sort_list_in_place(r)})

    def chunk(_t):
        r.struct({_CHUNK_META: meta})

    def row_group(_t):
        r.struct({_ROW_GROUP_COLUMNS: lambda _t: r.list(chunk)})

    r.struct({_FILE_ROW_GROUPS: lambda _t: r.list(row_group)})
    return bytes(buf)


def canonicalize_file(path: str) -> bool:
    """Rewrite a local Parquet file's footer in place if its encodings were unsorted; True if it changed."""
    with open(path, "r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        fh.seek(size - 8)
        tail = fh.read(8)
        if tail[4:] != MAGIC:
            raise ValueError(f"{path}: not a Parquet file (no PAR1 at the end)")
        length = struct.unpack("<i", tail[:4])[0]
        fh.seek(size - 8 - length)
        footer = fh.read(length)
        fixed = canonical_footer(footer)
        if fixed == footer:
            return False
        fh.seek(size - 8 - length)
        fh.write(fixed)
        return True
