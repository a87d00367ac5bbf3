import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for all end-to-end tests (starting one costs ~5 s)."""
    from dps.config import JobConfig, InputConfig, OutputConfig, SparkConfig
    from dps.spark.session import build_session

    cfg = JobConfig(source="tests", input=InputConfig(paths=("x",)), output=OutputConfig(path="x"), stages=(),
                    spark=SparkConfig(master="local[2]", driver_memory="1g",
                                      settings={"spark.sql.shuffle.partitions": "4"}))
    session = build_session(cfg)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_local(spark, tmp_path_factory):
    """configs/sample.yaml run in local mode (the shared session): the reference for runs elsewhere.
    Returns (kept folder, rejected folder, report)."""
    from dps.config import load_config
    from dps.pipeline import run

    out = tmp_path_factory.mktemp("sample_local")
    config = load_config(os.path.join(ROOT, "configs", "sample.yaml"),
                         [f"input.paths={os.path.join(ROOT, 'sample', 'corpus.jsonl')}",
                          f"output.path={out / 'kept'}", f"output.rejected_path={out / 'rejected'}"])
    report = run(config, spark, echo=lambda _message: None)
    return str(out / "kept"), str(out / "rejected"), report
