"""Pure numpy dedup primitives: normalization, shingle hashing, MinHash signatures, LSH band keys, Jaccard.

No Spark, no pyarrow: every function takes a list of texts (one Arrow batch in the pipeline) and works on the
concatenation of their code points, so a batch of 2,048 short comments costs a handful of numpy calls, not
thousands. Nothing loops in Python per shingle or per character.

Hashing, all deterministic given the job seed (no built-in hash(), no global random state):
- shingle: a polynomial hash of its code points modulo 2^64, finished with murmur3's fmix64 (salted by the
  seed); the top 32 bits are the shingle's value x, uniformly spread whatever the text.
- permutation k of MinHash: h_k(x) = (a_k * x + b_k) mod 2^32 with a_k odd and b_k drawn from the seed: a
  bijection of the 32-bit values, one multiply and one add in uint32 per (shingle, permutation), where
  datasketch works modulo 2^61 - 1 in uint64 and needs a division. Its randomness comes from the seeded
  mixing of x; the 2-independent ((a x + b) mod 2^64) >> 32 ran at half the speed and measured the same
  estimator bias and variance (both at MinHash's theoretical sqrt(J (1 - J) / num_perm); see the tests).
- band key: the band's rows folded through fmix64, a 64-bit key per (document, band).
"""

from __future__ import annotations

import functools
import hashlib
import unicodedata

import numpy as np

SHINGLE_KINDS = ("char", "word", "morpheme")

_U64 = np.uint64
_SPACE = 0x20
_KEEP, _WHITESPACE, _PUNCT, _DROP = 0, 1, 2, 3
# Odd multiplier of the polynomial shingle hash (any odd constant works; this one is 2^64 / golden ratio).
_POLY = 0x9E3779B97F4A7C15
_POLY_INV = pow(_POLY, -1, 1 << 64)
# uint32 values per MinHash chunk (4 MB): 4 and 8 MB measured fastest among 2-32 MB on this machine.
_CHUNK_VALUES = 1 << 20
# Code points per shingling chunk: bounds the prefix-hash arrays whatever the batch holds.
_SHINGLE_CHUNK = 1 << 20
# Characters handled at once by the batch-level functions (see size_bounded).
MAX_CHARS = 1 << 22


# ---------------------------------------------------------------------------------------------- normalization

@functools.lru_cache(maxsize=1)
def _class_table() -> np.ndarray:
    """Class of every code point: whitespace, punctuation or symbol (P*, S*), invisible (Cc, Cf), or kept."""
    import regex

    table = np.full(0x110000, _KEEP, dtype=np.uint8)
    # One regex scan over every code point (surrogates excluded) is ~50x faster than unicodedata.category calls.
    cps = np.r_[np.arange(0xD800), np.arange(0xE000, 0x110000)].astype(np.uint32)
    every = cps.tobytes().decode("utf-32-le")
    for pattern, cls in ((r"[\p{P}\p{S}]", _PUNCT), (r"[\p{Cc}\p{Cf}]", _DROP)):
        hits = np.array([m.start() for m in regex.finditer(pattern, every)], dtype=np.int64)
        table[cps[hits]] = cls
    for cp in range(0x3100):  # every character str.isspace() accepts is below U+3100
        if chr(cp).isspace():
            table[cp] = _WHITESPACE
    return table


def normalize_codepoints(texts: list[str | None], *, lowercase: bool = False,
                         strip_punctuation: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Normalize a batch of texts; returns (code points uint32, offsets int64 of length len(texts) + 1).

    Document i is codepoints[offsets[i]:offsets[i + 1]]. Steps: NFC; optional lowercase; control and format
    characters (Cc, Cf: zero-width spaces, BOMs) removed; optional punctuation and symbols (P*, S*, emoji
    included) turned into spaces; every whitespace run (newlines included) collapsed to one space; no
    leading or trailing space. None counts as "".
    """
    parts = []
    for text in texts:
        text = text or ""
        if not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
        if lowercase:
            text = text.lower()
        parts.append(text.encode("utf-32-le", "surrogatepass"))
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts)) // 4, out=offsets[1:])
    cp = np.frombuffer(b"".join(parts), dtype=np.uint32)

    cls = _class_table()[cp]
    if strip_punctuation:
        cls[cls == _PUNCT] = _WHITESPACE
    drop = cls == _DROP
    if drop.any():
        offsets, cp, cls = _compact(offsets, ~drop, cp, cls)
    space = cls == _WHITESPACE
    # A space survives only after a non-space of the same document: runs collapse, leading spaces go.
    doc_start = np.zeros(len(cp) + 1, dtype=bool)
    doc_start[offsets] = True
    prev_space = doc_start[:-1].copy()
    prev_space[1:] |= space[:-1]
    keep = ~(space & prev_space)
    if not keep.all():
        offsets, cp, cls = _compact(offsets, keep, cp, cls)
        space = cls == _WHITESPACE
    # At most one space is left at the end of a document: drop it.
    boundary = np.zeros(len(cp) + 1, dtype=bool)
    boundary[offsets] = True
    trailing = space & boundary[1:]
    if trailing.any():
        offsets, cp, cls = _compact(offsets, ~trailing, cp, cls)
        space = cls == _WHITESPACE
    cp = cp.copy()
    cp[space] = _SPACE
    return cp, offsets


def _compact(offsets: np.ndarray, keep: np.ndarray, *arrays: np.ndarray):
    """Keep the marked positions of per-character arrays; document offsets follow. Returns (offsets, *arrays)."""
    kept_before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    return (kept_before[offsets], *(a[keep] for a in arrays))


def normalize_for_dedup(text: str, *, lowercase: bool = False, strip_punctuation: bool = False) -> str:
    """The normalized text dedup keys and shingles are computed from (see normalize_codepoints)."""
    cp, _ = normalize_codepoints([text], lowercase=lowercase, strip_punctuation=strip_punctuation)
    return cp.tobytes().decode("utf-32-le", "surrogatepass")


def exact_keys(texts: list[str | None], *, lowercase: bool = False,
               strip_punctuation: bool = False) -> list[bytes | None]:
    """128-bit BLAKE2b of each normalized text (as UTF-32-LE); None when nothing is left after normalizing."""
    keys = []
    for part in size_bounded(_lengths(texts)):
        cp, offsets = normalize_codepoints(texts[part], lowercase=lowercase, strip_punctuation=strip_punctuation)
        data = cp.tobytes()
        keys += [hashlib.blake2b(data[4 * s:4 * e], digest_size=16).digest() if e > s else None
                 for s, e in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    return keys


def size_bounded(lengths: list[int], max_chars: int | None = None) -> list[slice]:
    """Consecutive slices of documents (given their lengths) of at most max_chars characters each; a longer
    document gets a slice alone.

    The numpy work arrays take 10-20 bytes per character, so this bounds a worker's memory whatever an
    Arrow batch holds (2,048 rows of 1 MB documents would otherwise need tens of GB).
    """
    max_chars = max_chars or MAX_CHARS
    parts, start, size = [], 0, 0
    for i, n in enumerate(lengths):
        if size and size + n > max_chars:
            parts.append(slice(start, i))
            start, size = i, 0
        size += n
    if start < len(lengths) or not parts:
        parts.append(slice(start, len(lengths)))
    return parts


def _lengths(texts: list[str | None]) -> list[int]:
    return [len(t) if t else 0 for t in texts]


# ---------------------------------------------------------------------------------------------------- hashing

def fmix64(h: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finalizer: a bijection that spreads every input bit over the output (in place)."""
    h ^= h >> _U64(33)
    h *= _U64(0xFF51AFD7ED558CCD)
    h ^= h >> _U64(33)
    h *= _U64(0xC4CEB93FE1A85B53)
    h ^= h >> _U64(33)
    return h


def _salt(seed: int, purpose: int) -> np.uint64:
    return _U64(fmix64(np.array([(seed * 0x100000001B3 + purpose) & (2**64 - 1)], dtype=_U64))[0])


_POWER_CACHE: dict[int, np.ndarray] = {}


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 .. base**(count - 1) modulo 2^64 (uint64 products wrap); cached per process, grown by doubling."""
    cached = _POWER_CACHE.get(base)
    if cached is None or len(cached) < count:
        size = max(count, 2 * len(cached) if cached is not None else 1 << 16)
        cached = np.full(size, base, dtype=_U64)
        cached[0] = 1
        with np.errstate(over="ignore"):
            cached = np.cumprod(cached, dtype=_U64)
        _POWER_CACHE[base] = cached
    return cached[:count]


def _segment_hashes(cp: np.ndarray, starts: np.ndarray, ends: np.ndarray, salt: np.uint64) -> np.ndarray:
    """32-bit hash (uint32) of each code-point segment cp[starts[i]:ends[i]].

    Prefix sums of cp[j] * P^j give any segment's polynomial in two operations; multiplying by P^-start
    (P is odd, so invertible modulo 2^64) makes the hash independent of where the segment sits.
    """
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(cp) + 1, dtype=_U64)
        np.cumsum(cp.astype(_U64) * _powers(_POLY, len(cp)), out=prefix[1:])
        h = (prefix[ends] - prefix[starts]) * _powers(_POLY_INV, len(cp) + 1)[starts]
        h += (ends - starts).astype(_U64) * _U64(0x9FB21C651E98DF25)  # length, so "ab" and "a b" differ
        h ^= salt
        return (fmix64(h) >> _U64(32)).astype(np.uint32)


@functools.lru_cache(maxsize=1)
def _kiwi():
    """One Kiwi per process (loading takes seconds); the default `cong` model."""
    from kiwipiepy import Kiwi

    return Kiwi(num_workers=0)


def _morpheme_texts(texts: list[str | None]) -> list[str]:
    """Each text as its Kiwi morphemes joined by spaces, so word n-grams over it are morpheme n-grams."""
    kiwi = _kiwi()
    out = []
    for text in texts:
        text = text or ""
        out.append(" ".join(tok.form.replace(" ", "") for tok in kiwi.tokenize(text)) if text.strip() else "")
    return out


def shingle_hashes(texts: list[str | None], *, kind: str = "char", n: int = 5, lowercase: bool = True,
                   strip_punctuation: bool = True, ignore_spaces: bool = True,
                   seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every shingle of every text: (hashes uint32, offsets int64 of length len(texts) + 1).

    kind 'char': n consecutive characters of the normalized text, with spaces removed first when
    ignore_spaces (Korean spacing varies between copies of the same text); 'word': n consecutive
    space-separated words; 'morpheme': n consecutive Kiwi morphemes. A text with fewer than n characters
    (words, morphemes) has no shingle. Duplicate shingles are kept: a minimum does not care.
    """
    if kind not in SHINGLE_KINDS:
        raise ValueError(f"shingle kind must be one of {', '.join(SHINGLE_KINDS)}, got {kind!r}")
    if n < 1:
        raise ValueError(f"n-gram size must be >= 1, got {n}")
    if kind == "morpheme":
        texts, kind = _morpheme_texts(texts), "word"
    cp, offsets = normalize_codepoints(texts, lowercase=lowercase, strip_punctuation=strip_punctuation)
    if kind == "char" and ignore_spaces:
        offsets, cp = _compact(offsets, cp != _SPACE, cp)
    salt = _salt(seed, 1)
    hashes, counts = [], np.zeros(len(texts), dtype=np.int64)
    # Whole documents per chunk, so no shingle straddles two chunks.
    bounds = [0]
    for i in range(1, len(texts) + 1):
        if offsets[i] - offsets[bounds[-1]] >= _SHINGLE_CHUNK or i == len(texts):
            bounds.append(i)
    for d0, d1 in zip(bounds[:-1], bounds[1:]):
        base = offsets[d0]
        chunk = cp[base:offsets[d1]]
        doc_starts, doc_ends = offsets[d0:d1] - base, offsets[d0 + 1:d1 + 1] - base
        if kind == "char":
            per_doc = np.maximum(doc_ends - doc_starts - n + 1, 0)
            starts = _ranges(doc_starts, per_doc)
            ends = starts + n
        else:
            starts, ends, per_doc = _word_ngrams(chunk, doc_starts, doc_ends, n)
        hashes.append(_segment_hashes(chunk, starts, ends, salt))
        counts[d0:d1] = per_doc
    out_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out_offsets[1:])
    return (np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint32)), out_offsets


def shingle_sets(texts: list[str | None], **shingling) -> tuple[np.ndarray, np.ndarray]:
    """The shingle *sets* verification compares: (values uint32, offsets int64 of length len(texts) + 1), each
    document's distinct shingle_hashes values in ascending order. pair_jaccard gives the same similarity from
    these as from the texts (it de-duplicates first), so a set can stand in for its text (the nightly index
    stores sets, never text)."""
    hashes, offsets = shingle_hashes(texts, **shingling)
    doc = np.repeat(np.arange(len(texts), dtype=_U64), np.diff(offsets))
    tagged = sorted_distinct((doc << _U64(32)) | hashes.astype(_U64))
    counts = np.bincount((tagged >> _U64(32)).astype(np.int64), minlength=len(texts))
    out_offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out_offsets[1:])
    return (tagged & _U64(0xFFFFFFFF)).astype(np.uint32), out_offsets


def sorted_distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values of a 1-d array, ascending (np.unique's result). NumPy 2.4's np.unique hashes before it
    sorts: 15x slower than one sort and a neighbour comparison on 2 million uint64 (2.0 s against 0.13 s)."""
    values = np.sort(values)
    if len(values) > 1:
        distinct = np.empty(len(values), dtype=bool)
        distinct[0] = True
        np.not_equal(values[1:], values[:-1], out=distinct[1:])
        values = values[distinct]
    return values


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for each (s, c), without a Python loop."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    nonzero = counts > 0
    starts, counts = starts[nonzero], counts[nonzero]
    steps = np.ones(total, dtype=np.int64)
    first = np.zeros(len(counts), dtype=np.int64)
    np.cumsum(counts[:-1], out=first[1:])
    steps[first] = starts
    steps[first[1:]] -= starts[:-1] + counts[:-1] - 1
    return np.cumsum(steps)


def _word_ngrams(cp: np.ndarray, doc_starts: np.ndarray, doc_ends: np.ndarray, n: int):
    """Segments spanning n consecutive words (normalized text: single spaces, none at either end)."""
    is_space = cp == _SPACE
    pos = np.arange(len(cp))
    at_doc_start = np.zeros(len(cp) + 1, dtype=bool)
    at_doc_start[doc_starts] = True
    at_doc_end = np.zeros(len(cp) + 1, dtype=bool)
    at_doc_end[doc_ends] = True
    prev_space = np.r_[True, is_space[:-1]] if len(cp) else np.zeros(0, dtype=bool)
    next_space = np.r_[is_space[1:], True] if len(cp) else np.zeros(0, dtype=bool)
    word_starts = pos[~is_space & (prev_space | at_doc_start[:-1])]
    word_ends = pos[~is_space & (next_space | at_doc_end[1:])] + 1
    words_per_doc = np.searchsorted(word_starts, doc_ends) - np.searchsorted(word_starts, doc_starts)
    per_doc = np.maximum(words_per_doc - n + 1, 0)
    first_word = np.searchsorted(word_starts, doc_starts)
    index = _ranges(first_word, per_doc)
    return word_starts[index], word_ends[index + n - 1], per_doc


# ---------------------------------------------------------------------------------------------------- MinHash

@functools.lru_cache(maxsize=16)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.Generator(np.random.PCG64([seed, 0x6D696E68]))
    a = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, size=num_perm, dtype=np.uint32)
    return a, b


def minhash(hashes: np.ndarray, offsets: np.ndarray, *, num_perm: int = 128, seed: int = 0) -> np.ndarray:
    """MinHash signatures, uint32 array (documents x num_perm); a document without shingles gets all 2^32 - 1.

    hashes/offsets as returned by shingle_hashes. Shingles are processed in chunks through one reused
    (permutations x shingles) buffer of 4 MB: reducing along the contiguous axis measured ~3x faster than
    the (shingles x permutations) layout, and memory stays flat whatever the batch holds.
    """
    a, b = _permutations(num_perm, seed)
    a, b = a[:, None], b[:, None]
    hashes = hashes.astype(np.uint32, copy=False)
    ndocs = len(offsets) - 1
    sig = np.full((num_perm, ndocs), np.iinfo(np.uint32).max, dtype=np.uint32)
    chunk = max(1, _CHUNK_VALUES // num_perm)
    total = int(offsets[-1])
    buffer = np.empty((num_perm, min(chunk, total)), dtype=np.uint32)
    for c0 in range(0, total, chunk):
        c1 = min(total, c0 + chunk)
        values = buffer[:, :c1 - c0]
        np.multiply(a, hashes[None, c0:c1], out=values)  # uint32 arithmetic wraps: mod 2^32
        np.add(values, b, out=values)
        # Documents with shingles inside [c0, c1): one min-reduction per document segment.
        d0 = int(np.searchsorted(offsets, c0, side="right")) - 1
        d1 = int(np.searchsorted(offsets, c1, side="left"))
        docs = np.arange(d0, d1)
        seg_start = np.maximum(offsets[d0:d1], c0)
        nonempty = np.minimum(offsets[d0 + 1:d1 + 1], c1) > seg_start
        docs, seg_start = docs[nonempty], seg_start[nonempty]
        mins = np.minimum.reduceat(values, seg_start - c0, axis=1)
        sig[:, docs] = np.minimum(sig[:, docs], mins)
    return np.ascontiguousarray(sig.T)


def signatures(texts: list[str | None], *, num_perm: int = 128, kind: str = "char", n: int = 5,
               lowercase: bool = True, strip_punctuation: bool = True, ignore_spaces: bool = True,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures of a batch of texts: (uint32 documents x num_perm, bool has_shingles per document)."""
    sigs, has = [], []
    for part in size_bounded(_lengths(texts)):
        hashes, offsets = shingle_hashes(texts[part], kind=kind, n=n, lowercase=lowercase,
                                         strip_punctuation=strip_punctuation, ignore_spaces=ignore_spaces,
                                         seed=seed)
        sigs.append(minhash(hashes, offsets, num_perm=num_perm, seed=seed))
        has.append(np.diff(offsets) > 0)
    return np.concatenate(sigs), np.concatenate(has)


def band_keys(sig: np.ndarray, bands: int, rows: int, *, seed: int = 0) -> np.ndarray:
    """64-bit LSH key of each (document, band): int64 array (documents x bands).

    Band i covers signature columns [i * rows, (i + 1) * rows). Two documents share a band key when (up to a
    2^-64 collision) their signatures agree on all rows of that band.
    """
    if bands * rows > sig.shape[1]:
        raise ValueError(f"bands x rows = {bands * rows} exceeds the {sig.shape[1]} signature values")
    keys = np.empty((sig.shape[0], bands), dtype=_U64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            h = np.full(sig.shape[0], _salt(seed, 1000 + band), dtype=_U64)
            for col in range(band * rows, (band + 1) * rows):
                h ^= sig[:, col].astype(_U64)
                fmix64(h)
            keys[:, band] = h
    return keys.view(np.int64)


def optimal_bands(threshold: float, num_perm: int, false_negative_weight: float = 0.5) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false-positive/false-negative probability (datasketch's search)."""
    from datasketch.lsh import _optimal_param

    return _optimal_param(threshold, num_perm, 1.0 - false_negative_weight, false_negative_weight)


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """Probability that two documents with this Jaccard similarity share at least one band key."""
    return 1.0 - (1.0 - similarity ** rows) ** bands


# ---------------------------------------------------------------------------------------------------- Jaccard

def pair_jaccard(hashes: np.ndarray, offsets: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of documents left[i] and right[i] (float64 per pair).

    All pairs at once: each pair's shingles are tagged with the pair index, de-duplicated, and the
    intersections counted from one sort. Two empty sets have similarity 0 (never duplicates).
    """
    npairs = len(left)
    if npairs == 0:
        return np.zeros(0)
    counts = np.diff(offsets)

    def tagged_sets(docs):
        idx = _ranges(offsets[:-1][docs], counts[docs])
        pair = np.repeat(np.arange(npairs, dtype=_U64), counts[docs])
        return sorted_distinct((pair << _U64(32)) | hashes[idx].astype(_U64))

    a, b = tagged_sets(np.asarray(left)), tagged_sets(np.asarray(right))
    size_a = np.bincount((a >> _U64(32)).astype(np.int64), minlength=npairs)
    size_b = np.bincount((b >> _U64(32)).astype(np.int64), minlength=npairs)
    merged = np.sort(np.concatenate([a, b]))
    both = merged[1:][merged[1:] == merged[:-1]]
    inter = np.bincount((both >> _U64(32)).astype(np.int64), minlength=npairs)
    union = size_a + size_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def star_jaccard(hub: np.ndarray, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of one set `hub` with each of several sets (float64 per set), all given as sorted
    distinct uint32 values (shingle_sets); the sets are concatenated in `values`, `counts` long each. The same
    figures as pair_jaccard on each pair, in time linear in the members' sizes (times log of the hub's)."""
    if len(counts) == 0:
        return np.zeros(0)
    member = np.repeat(np.arange(len(counts)), counts)
    if len(hub):
        pos = np.minimum(np.searchsorted(hub, values), len(hub) - 1)
        inter = np.bincount(member[hub[pos] == values], minlength=len(counts))
    else:
        inter = np.zeros(len(counts), dtype=np.int64)
    union = len(hub) + counts - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def text_jaccard(a: str, b: str, *, kind: str = "char", n: int = 5, lowercase: bool = True,
                 strip_punctuation: bool = True, ignore_spaces: bool = True, seed: int = 0) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (as verification computes it)."""
    hashes, offsets = shingle_hashes([a, b], kind=kind, n=n, lowercase=lowercase,
                                     strip_punctuation=strip_punctuation, ignore_spaces=ignore_spaces, seed=seed)
    return float(pair_jaccard(hashes, offsets, np.array([0]), np.array([1]))[0])
