"""minhash verification's scoring body (no Spark): pairs sorted by src after their src's header row."""

import numpy as np
import pyarrow as pa

from dps.dedup.index import set_array
from dps.dedup.minhash import DST, SRC, _star_jaccard
from dps.dedup.signatures import pair_jaccard, shingle_sets

DOCS = ["가나다라마바사아자차", "가나다라마바사아자카", "가나다라마바사아", "하하하하하하하하", "가나다라마바사아자차"]


def test_each_pair_is_scored_against_its_srcs_set_also_across_batches():
    values, offsets = shingle_sets(DOCS, n=3)
    sets = set_array(values, offsets)

    def batch(rows):  # (src, dst or None for the header, document whose set the row carries)
        return pa.RecordBatch.from_arrays(
            [pa.array([bytes([r[0]]) for r in rows], pa.binary()),
             pa.array([None if r[1] is None else bytes([r[1]]) for r in rows], pa.binary()),
             sets.take(pa.array([r[2] for r in rows], pa.int64()))], names=[SRC, DST, "shingles"])

    batches = [batch([(0, None, 0), (0, 1, 1), (0, 2, 2)]), batch([(0, 4, 4), (3, None, 3), (3, 1, 1)]), batch([]),
               batch([(3, 2, 2)])]
    out = list(_star_jaccard(batches))
    assert [r.num_rows for r in out] == [2, 2, 0, 1]  # pairs only, batch by batch
    pairs = [(s[0], d[0]) for r in out for s, d in zip(r.column(0).to_pylist(), r.column(1).to_pylist())]
    assert pairs == [(0, 1), (0, 2), (0, 4), (3, 1), (3, 2)]
    got = [x for r in out for x in r.column(2).to_pylist()]
    want = pair_jaccard(values, offsets, np.array([0, 0, 0, 3, 3]), np.array([1, 2, 4, 1, 2]))
    assert got == want.tolist()
    assert got[2] == 1.0 and 0 < got[0] < 1 and got[3] == 0.0
