"""Connected components with Spark DataFrame operations: the large-star / small-star algorithm.

Kiveris, Lattanzi, Mirrokni, Rastogi, Vassilvitskii, "Connected Components in MapReduce and Beyond"
(SoCC 2014). Both steps are a group-by and a join over the edge list; alternating them turns every
component into a star around its smallest node in O(log^2 n) rounds (a handful in practice). Nothing is
collected to the driver: each round's edges are checkpointed (see `materialize`), which also keeps the
query plan from doubling every round. Node ids can be any orderable Spark type (dedup uses 16-byte binary).
"""

from __future__ import annotations

SRC, DST = "src", "dst"


def materialize(df):
    """Compute `df` now and cut its lineage: a reliable checkpoint when the SparkContext has a checkpoint
    directory (survives losing executors, e.g. on preemptible nodes), else a local checkpoint (executor
    storage, no extra I/O)."""
    if df.sparkSession.sparkContext.getCheckpointDir():
        return df.checkpoint(eager=True)
    return df.localCheckpoint(eager=True)


def _oriented(edges):
    """Each undirected edge once, as (larger, smaller); self-loops dropped."""
    from pyspark.sql import functions as F

    return (edges.where(F.col(SRC) != F.col(DST))
            .select(F.greatest(SRC, DST).alias(SRC), F.least(SRC, DST).alias(DST))
            .distinct())


def large_star(edges):
    """Link every node's larger neighbours to the smallest node of its closed neighbourhood."""
    from pyspark.sql import functions as F

    both = edges.select(F.col(SRC).alias("u"), F.col(DST).alias("v")).unionByName(
        edges.select(F.col(DST).alias("u"), F.col(SRC).alias("v")))
    smallest = both.groupBy("u").agg(F.min("v").alias("m")).select("u", F.least("u", "m").alias("m"))
    return (both.join(smallest, "u").where(F.col("v") > F.col("u"))
            .select(F.col("v").alias(SRC), F.col("m").alias(DST)).distinct())


def small_star(edges):
    """Link every node and its smaller neighbours to the smallest of them (edges oriented larger -> smaller)."""
    from pyspark.sql import functions as F

    smallest = edges.groupBy(SRC).agg(F.min(DST).alias("m"))
    neighbours = (edges.join(smallest, SRC).where(F.col(DST) != F.col("m"))
                  .select(F.col(DST).alias(SRC), F.col("m").alias(DST)))
    return neighbours.unionByName(smallest.select(SRC, F.col("m").alias(DST))).distinct()


def is_star_forest(edges) -> bool:
    """True when every component is a star around its smallest node: each node points to one node, which
    points nowhere. (Edges oriented larger -> smaller, as small_star leaves them.)"""
    from pyspark.sql import functions as F

    ends = edges.select(F.col(SRC).alias("n"), F.lit(1).alias("out"), F.lit(0).alias("in")).unionByName(
        edges.select(F.col(DST).alias("n"), F.lit(0).alias("out"), F.lit(1).alias("in")))
    bad = ends.groupBy("n").agg(F.sum("out").alias("out"), F.sum("in").alias("in")).where(
        (F.col("out") > 1) | ((F.col("out") > 0) & (F.col("in") > 0)))
    return bad.isEmpty()


def connected_components(edges, *, max_rounds: int = 60):
    """(node, root) for every node that has an edge, root = the smallest node of its component.

    `edges`: a DataFrame with columns src and dst (undirected; duplicates and self-loops are fine).
    """
    from pyspark.sql import functions as F

    current = _oriented(edges)
    for _ in range(max_rounds):
        current = materialize(small_star(large_star(current)))
        if is_star_forest(current):
            roots = current.select(F.col(DST).alias("node")).distinct().withColumn("root", F.col("node"))
            leaves = current.select(F.col(SRC).alias("node"), F.col(DST).alias("root"))
            return leaves.unionByName(roots)
    raise RuntimeError(f"connected components did not converge in {max_rounds} rounds")
