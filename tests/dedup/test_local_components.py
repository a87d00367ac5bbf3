"""The one-task connected components (dps.dedup.components.local_roots) against a plain union-find."""

import random

import numpy as np
import pytest

from dps.dedup.components import local_roots


def union_find_roots(n: int, edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [min(m for m in range(n) if find(m) == find(x)) for x in range(n)]


def solve(n, edges):
    u = np.array([a for a, _ in edges], dtype=np.int64)
    v = np.array([b for _, b in edges], dtype=np.int64)
    return local_roots(u, v, n).tolist()


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_match_union_find(seed):
    rng = random.Random(seed)
    n = rng.randrange(2, 300)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randrange(0, 2 * n))]
    assert solve(n, edges) == union_find_roots(n, edges)


@pytest.mark.parametrize("order", ["ascending", "descending", "shuffled"])
def test_long_chains_and_stars(order):
    # A chain is the slowest case for hooking (one root less per pass without compression); stars are the
    # common case in dedup (a hub and its copies).
    n = 2_000
    chain = [(i, i + 1) for i in range(0, 1_000)]
    star = [(1_500, j) for j in range(1_001, 2_000) if j != 1_500]
    edges = chain + star
    if order == "descending":
        edges = edges[::-1]
    elif order == "shuffled":
        random.Random(1).shuffle(edges)
    roots = solve(n, edges)
    assert roots[:1_001] == [0] * 1_001
    assert roots[1_001:] == [1_001] * 999


def test_nodes_without_edges_are_their_own_root():
    assert solve(4, [(2, 3)]) == [0, 1, 2, 2]
    assert solve(3, []) == [0, 1, 2]
