"""Footer canonicalization: encodings sorted in place, every other byte untouched, files still readable."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dps.spark.parquet_footer import canonical_footer, canonicalize_file


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    return bytes(out + bytes([n]))


def zigzag(n):
    return (n << 1) ^ (n >> 31)


def field(delta, ttype, payload=b""):
    return bytes([(delta << 4) | ttype]) + payload


def i32_list(values):
    return bytes([(len(values) << 4) | 5]) + b"".join(varint(zigzag(v)) for v in values)


def file_metadata(encodings_per_chunk):
    """A FileMetaData in Thrift compact bytes with the fields dps walks and a few it must skip."""
    chunks = b""
    for encodings in encodings_per_chunk:
        meta = (field(1, 5, varint(zigzag(6)))  # type: BYTE_ARRAY
                + field(1, 9, i32_list(encodings))  # encodings
                + field(1, 9, bytes([0x18]) + varint(4) + b"text")  # path_in_schema: list<binary>
                + field(2, 6, varint(zigzag(1234)))  # num_values (field 5, i64)
                + b"\x00")
        chunks += (field(1, 8, varint(3) + b"a/b")  # file_path
                   + field(1, 6, varint(zigzag(4)))  # file_offset
                   + field(1, 12, meta) + b"\x00")
    row_group = (field(1, 9, bytes([(len(encodings_per_chunk) << 4) | 12]) + chunks)
                 + field(1, 6, varint(zigzag(99)))  # total_byte_size
                 + field(1, 6, varint(zigzag(7)))  # num_rows
                 + b"\x00")
    kv = field(1, 12, field(1, 8, varint(1) + b"k") + field(1, 8, varint(1) + b"v") + b"\x00")
    return (field(1, 5, varint(zigzag(1)))  # version
            + field(1, 9, bytes([0x1C]) + field(4, 8, varint(4) + b"root") + b"\x00")  # schema: one element
            + field(1, 6, varint(zigzag(7)))  # num_rows
            + field(1, 9, bytes([0x1C]) + row_group)  # row_groups
            + field(1, 9, bytes([0x1C]) + kv[1:])  # key_value_metadata
            + field(1, 8, varint(7) + b"created")  # created_by
            + field(0, 1) + varint(zigzag(20))  # a boolean field with a long-form id, as newer writers may add
            + b"\x00")


def test_encodings_are_sorted_and_nothing_else_changes():
    messy = file_metadata([[4, 0, 3], [3, 2, 4, 0]])
    tidy = file_metadata([[0, 3, 4], [0, 2, 3, 4]])
    assert len(messy) == len(tidy)
    assert canonical_footer(messy) == tidy
    assert canonical_footer(tidy) == tidy


def test_every_order_gives_the_same_bytes():
    import itertools
    results = {canonical_footer(file_metadata([list(p)])) for p in itertools.permutations([4, 0, 3, 8])}
    assert len(results) == 1


def test_real_file_stays_readable_and_is_stable(tmp_path):
    path = tmp_path / "t.parquet"
    table = pa.table({"id": [f"d{i}" for i in range(50)], "source": ["news", "blog"] * 25,
                      "text": ["가나다" * i for i in range(50)]})
    pq.write_table(table, path, compression="zstd")
    canonicalize_file(str(path))
    first = path.read_bytes()
    assert canonicalize_file(str(path)) is False and path.read_bytes() == first
    assert pq.read_table(path).equals(table)
    meta = pq.read_metadata(path).row_group(0)
    for i in range(meta.num_columns):
        names = meta.column(i).encodings
        order = {"PLAIN": 0, "PLAIN_DICTIONARY": 2, "RLE": 3, "BIT_PACKED": 4, "RLE_DICTIONARY": 8}
        assert [order[n] for n in names] == sorted(order[n] for n in names)


def test_not_a_parquet_file(tmp_path):
    path = tmp_path / "x.parquet"
    path.write_bytes(b"hello world, not parquet")
    with pytest.raises(ValueError, match="not a Parquet file"):
        canonicalize_file(str(path))
