"""Pure numpy dedup primitives: normalization, exact keys, shingles, MinHash, band keys, Jaccard."""

import hashlib
import random
import unicodedata

import numpy as np
import pytest

from dps.dedup import signatures as S
from dps.dedup.signatures import (band_keys, candidate_probability, exact_keys, minhash, normalize_codepoints,
                                  normalize_for_dedup, optimal_bands, pair_jaccard, shingle_hashes, signatures,
                                  text_jaccard)

WORDS = ["오늘", "서울", "시청", "앞에서", "시민들이", "모여", "새로운", "정책을", "두고", "의견을", "나눴다", "경제",
         "전문가들은", "물가가", "계속", "오를", "것으로", "내다봤다", "학교", "급식", "메뉴가", "바뀌면서", "학생들의",
         "반응도", "엇갈렸다", "주말에는", "비가", "내리고", "기온이", "떨어지겠다"]


def random_doc(rng, n_words=120):
    return " ".join(rng.choice(WORDS) for _ in range(n_words))


def set_jaccard(a, b, n=5, ignore_spaces=True):
    a, b = (normalize_for_dedup(t, lowercase=True, strip_punctuation=True) for t in (a, b))
    if ignore_spaces:
        a, b = a.replace(" ", ""), b.replace(" ", "")
    sa, sb = ({t[i:i + n] for i in range(len(t) - n + 1)} for t in (a, b))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


# ---------------------------------------------------------------------------------------------- normalization

def test_normalization_collapses_whitespace_and_drops_invisible_characters():
    text = "  첫 줄\t\t입니다\n\n\u3000둘째\u200b 줄\ufeff  "
    assert normalize_for_dedup(text) == "첫 줄 입니다 둘째 줄"


def test_normalization_nfc_joins_decomposed_hangul():
    decomposed = unicodedata.normalize("NFD", "한국어 문장")
    assert decomposed != "한국어 문장"
    assert normalize_for_dedup(decomposed) == "한국어 문장"


def test_optional_lowercase_and_punctuation_removal():
    text = "Hello, 세계!! 😀 (속보) 가격은 1,000원…"
    assert normalize_for_dedup(text) == text
    assert normalize_for_dedup(text, lowercase=True) == "hello, 세계!! 😀 (속보) 가격은 1,000원…"
    assert normalize_for_dedup(text, lowercase=True, strip_punctuation=True) == "hello 세계 속보 가격은 1 000원"


def test_emoticon_jamo_are_letters_not_punctuation():
    assert normalize_for_dedup("재밌어요ㅋㅋㅋ ㅠㅠ", strip_punctuation=True) == "재밌어요ㅋㅋㅋ ㅠㅠ"


def test_batch_normalization_keeps_documents_apart():
    cp, offsets = normalize_codepoints(["", "  ", "가 ", " 나  다", None, "\u200b"])
    docs = [cp[s:e].tobytes().decode("utf-32-le") for s, e in zip(offsets[:-1], offsets[1:])]
    assert docs == ["", "", "가", "나 다", "", ""]


def test_normalization_never_raises_on_hostile_input():
    for text in ["", "   ", "\n\n", "가" * 1_000_000, "mixed 한국어 English 中文 日本語 😀🎉", "\x00\x01 제어"]:
        assert isinstance(normalize_for_dedup(text, lowercase=True, strip_punctuation=True), str)


# ---------------------------------------------------------------------------------------------------- exact keys

def test_exact_key_is_blake2b_of_normalized_text():
    keys = exact_keys(["서울  시청\n앞", "서울 시청 앞", "서울 시청 뒤", "", "  \n"])
    expected = hashlib.blake2b("서울 시청 앞".encode("utf-32-le"), digest_size=16).digest()
    assert keys[0] == keys[1] == expected
    assert keys[2] != expected and len(keys[2]) == 16
    assert keys[3] is None and keys[4] is None


def test_exact_key_options():
    a, b = "Breaking: 속보!", "breaking 속보"
    assert exact_keys([a, b]) [0] != exact_keys([a, b])[1]
    k = exact_keys([a, b], lowercase=True, strip_punctuation=True)
    assert k[0] == k[1]


# ------------------------------------------------------------------------------------------------------ shingles

def test_char_shingles_count_and_position_independence():
    hashes, offsets = shingle_hashes(["가나다가나", "가나", "", "다가나다가나"], n=2)
    assert offsets.tolist() == [0, 4, 5, 5, 10]
    first = hashes[0:4].tolist()  # 가나 나다 다가 가나
    assert first[0] == first[3] and len(set(first)) == 3
    assert hashes[4] == first[0]  # the same bigram in another document hashes the same
    assert np.all(hashes < 2**32)


def test_too_short_documents_have_no_shingles():
    _, offsets = shingle_hashes(["가나다라", "가나다라마", "  가 나  "], n=5)
    assert np.diff(offsets).tolist() == [0, 1, 0]


def test_word_shingles():
    hashes, offsets = shingle_hashes(["오늘 서울 비", "오늘 서울", "서울 비 온다"], kind="word", n=2)
    assert np.diff(offsets).tolist() == [2, 1, 2]
    assert hashes[0] == hashes[2]  # "오늘 서울"
    assert hashes[1] == hashes[3]  # "서울 비"
    assert len(set(hashes.tolist())) == 3


def test_shingle_hashes_do_not_depend_on_the_batch_and_do_depend_on_the_seed():
    rng = random.Random(3)
    docs = [random_doc(rng, rng.randint(0, 50)) for _ in range(30)]
    alone = [shingle_hashes([d])[0].tolist() for d in docs]
    batch, offsets = shingle_hashes(docs)
    assert [batch[s:e].tolist() for s, e in zip(offsets[:-1], offsets[1:])] == alone
    assert shingle_hashes(docs[:3], seed=1)[0].tolist() != shingle_hashes(docs[:3], seed=2)[0].tolist()


def test_bad_shingle_options_raise():
    with pytest.raises(ValueError, match="shingle kind"):
        shingle_hashes(["가"], kind="syllable")
    with pytest.raises(ValueError, match="n-gram size"):
        shingle_hashes(["가"], n=0)


# ------------------------------------------------------------------------------------------------------ Jaccard

def test_jaccard_matches_python_sets():
    rng = random.Random(5)
    for _ in range(20):
        a = random_doc(rng, 60)
        words = a.split()
        for _ in range(rng.randint(0, 15)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        b = " ".join(words)
        assert text_jaccard(a, b) == pytest.approx(set_jaccard(a, b), abs=1e-12)
        assert text_jaccard(a, b, ignore_spaces=False) == pytest.approx(set_jaccard(a, b, ignore_spaces=False),
                                                                       abs=1e-12)


def test_character_shingles_ignore_spacing_by_default():
    a, b = "오늘 서울 시청 앞에서 시민들이 모여 의견을 나눴다", "오늘서울 시청앞에서 시민들이모여 의견을나눴다"
    assert text_jaccard(a, b) == 1.0
    assert text_jaccard(a, b, ignore_spaces=False) < 0.6
    _, offsets = shingle_hashes(["가 나 다 라 마"], n=5)
    assert np.diff(offsets).tolist() == [1]


def test_pair_jaccard_batch_and_empty_sets():
    hashes, offsets = shingle_hashes(["가나다라마바", "가나다라마바", "가나다라마사", "가", ""], n=3)
    sim = pair_jaccard(hashes, offsets, np.array([0, 0, 3, 0]), np.array([1, 2, 4, 3]))
    assert sim.tolist() == [1.0, pytest.approx(3 / 5), 0.0, 0.0]
    assert pair_jaccard(hashes, offsets, np.array([], dtype=int), np.array([], dtype=int)).tolist() == []


def test_star_jaccard_gives_pair_jaccards_figures_for_one_set_against_many():
    rng = random.Random(5)
    docs = [random_doc(rng, rng.randint(0, 60)) for _ in range(40)] + ["", "가"]
    values, offsets = S.shingle_sets(docs, n=5)
    counts = np.diff(offsets)
    for hub in (0, 1, len(docs) - 2):
        members = np.array([i for i in range(len(docs)) if i != hub])
        got = S.star_jaccard(values[offsets[hub]:offsets[hub + 1]],
                             np.concatenate([values[offsets[i]:offsets[i + 1]] for i in members]), counts[members])
        want = pair_jaccard(values, offsets, np.full(len(members), hub), members)
        assert got.tolist() == want.tolist()  # the same floats, not merely close
    assert S.star_jaccard(values[:0], values[:0], np.zeros(0, dtype=np.int64)).tolist() == []


# ------------------------------------------------------------------------------------------------------ MinHash

def test_signature_estimates_jaccard_without_bias():
    rng = random.Random(7)
    pairs = []
    for _ in range(300):
        a = random_doc(rng, 80)
        words = a.split()
        for _ in range(rng.randint(1, 12)):
            words[rng.randrange(len(words))] = rng.choice(WORDS)
        pairs.append((a, " ".join(words)))
    sig_a, _ = signatures([a for a, _ in pairs], num_perm=128, seed=1)
    sig_b, _ = signatures([b for _, b in pairs], num_perm=128, seed=1)
    estimate = (sig_a == sig_b).mean(axis=1)
    truth = np.array([text_jaccard(a, b) for a, b in pairs])
    error = estimate - truth
    assert abs(error.mean()) < 0.01  # unbiased
    assert error.std() < 1.3 * np.sqrt(truth * (1 - truth) / 128).mean()  # MinHash's own variance


def test_signatures_do_not_depend_on_chunking(monkeypatch):
    rng = random.Random(11)
    docs = [random_doc(rng, rng.randint(0, 40)) for _ in range(40)]
    expected, has = signatures(docs, num_perm=16, seed=4)
    monkeypatch.setattr(S, "_CHUNK_VALUES", 16 * 7)  # 7 shingles per chunk: documents straddle chunks
    got, _ = signatures(docs, num_perm=16, seed=4)
    assert np.array_equal(got, expected)
    one_by_one = np.vstack([signatures([d], num_perm=16, seed=4)[0] for d in docs])
    assert np.array_equal(one_by_one, expected)
    assert has.tolist() == [len(d.replace(" ", "")) >= 5 for d in docs]


def test_size_bounded_slices_and_results_do_not_depend_on_them(monkeypatch):
    assert S.size_bounded([3, 3, 9, 0, 1], max_chars=6) == [slice(0, 2), slice(2, 3), slice(3, 5)]
    assert S.size_bounded([]) == [slice(0, 0)]
    rng = random.Random(12)
    docs = [random_doc(rng, rng.randint(0, 60)) for _ in range(30)]
    expected = signatures(docs, num_perm=8), exact_keys(docs)
    monkeypatch.setattr(S, "MAX_CHARS", 100)
    got = signatures(docs, num_perm=8), exact_keys(docs)
    assert np.array_equal(got[0][0], expected[0][0]) and np.array_equal(got[0][1], expected[0][1])
    assert got[1] == expected[1]
    sig, has = signatures([], num_perm=8)
    assert sig.shape == (0, 8) and has.shape == (0,)


def test_document_without_shingles_gets_the_empty_signature():
    sig, has = signatures(["짧다", "이 문장은 충분히 길다"], num_perm=8)
    assert has.tolist() == [False, True]
    assert np.all(sig[0] == 2**32 - 1) and not np.all(sig[1] == 2**32 - 1)


def test_identical_texts_identical_signatures_and_seed_changes_them():
    a = "주말에는 비가 내리고 기온이 떨어지겠다"
    s1, _ = signatures([a, a + "   ", a], num_perm=32, seed=9)
    assert np.array_equal(s1[0], s1[1]) and np.array_equal(s1[0], s1[2])
    s2, _ = signatures([a], num_perm=32, seed=10)
    assert not np.array_equal(s1[0], s2[0])


def test_minhash_of_nothing():
    sig = minhash(np.zeros(0, dtype=np.uint64), np.zeros(3, dtype=np.int64), num_perm=4)
    assert sig.shape == (2, 4) and np.all(sig == 2**32 - 1)


# -------------------------------------------------------------------------------------------------- band keys

def test_band_keys_change_only_where_the_signature_does():
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(3, 12), dtype=np.uint32)
    sig[1] = sig[0]
    sig[2] = sig[0]
    sig[2, 5] ^= 1  # row 5 lies in band 1 (rows 4-7)
    keys = band_keys(sig, 3, 4, seed=2)
    assert keys.shape == (3, 3) and keys.dtype == np.int64
    assert keys[0].tolist() == keys[1].tolist()
    assert (keys[0] == keys[2]).tolist() == [True, False, True]
    assert len(set(keys[0].tolist())) == 3  # equal rows in different bands still give different keys
    assert band_keys(sig, 3, 4, seed=3)[0].tolist() != keys[0].tolist()


def test_band_keys_reject_too_many_rows():
    with pytest.raises(ValueError, match="exceeds"):
        band_keys(np.zeros((1, 8), dtype=np.uint32), 3, 3)


def test_optimal_bands_use_datasketch_search():
    from datasketch.lsh import _optimal_param

    assert optimal_bands(0.8, 128, 0.5) == _optimal_param(0.8, 128, 0.5, 0.5) == (9, 13)
    bands, rows = optimal_bands(0.8, 128, 0.9)
    assert bands * rows <= 128
    # Weighting misses higher moves the S-curve left: more recall at 0.85.
    assert candidate_probability(0.85, bands, rows) > candidate_probability(0.85, 9, 13)
    assert candidate_probability(1.0, bands, rows) == 1.0 and candidate_probability(0.0, bands, rows) == 0.0


def test_shingle_sets_give_the_same_jaccard_as_the_texts():
    """The nightly index stores shingle sets instead of text: verification from sets must equal verification
    from texts, for every pair (similar, unrelated, short, empty)."""
    from dps.dedup.index import set_array, set_values

    rng = random.Random(5)
    base = "서울시는 19일 시청에서 2023년 예산안을 발표했다. 문의 010-2345-6789, hong@naver.com "
    texts = [base * 3, base * 3 + "추가 문장입니다.", base.replace("서울", "부산") * 3, "짧다", "", None,
             "가나다라마바사" * 20, "ㅋㅋㅋㅋㅋ 좋아요!! 👍 " * 5]
    texts += ["".join(rng.choice("가나다라 마바사아") for _ in range(rng.randint(0, 200))) for _ in range(40)]
    values, offsets = S.shingle_sets(texts, seed=3)
    stored = set_values(set_array(values, offsets))  # through the index's Arrow column and back
    assert all(np.array_equal(a, b) for a, b in zip(stored, (values, offsets)))
    hashes, hash_offsets = S.shingle_hashes(texts, seed=3)
    for i in range(len(texts)):
        one = values[offsets[i]:offsets[i + 1]]
        assert np.all(one[1:] > one[:-1])  # ascending, distinct
        assert set(one.tolist()) == set(hashes[hash_offsets[i]:hash_offsets[i + 1]].tolist())
    left, right = np.repeat(np.arange(len(texts)), len(texts)), np.tile(np.arange(len(texts)), len(texts))
    from_sets = S.pair_jaccard(values, offsets, left, right)
    from_texts = S.pair_jaccard(hashes, hash_offsets, left, right)
    assert np.array_equal(from_sets, from_texts)
    assert from_sets[1] > 0.8 and from_sets[6] == 0.0 and from_sets[0] == 1.0  # near, unrelated, itself
