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
