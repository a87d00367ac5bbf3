"""`dps check-env` in local mode (the cluster test runs it on executors) and how it reports problems."""

import sys

import pytest

from dps.envcheck import check, problems_of, summary


@pytest.mark.spark
def test_local_workers_run_this_python_and_this_dps(spark):
    result = check(spark, tasks=2, load_kiwi=False)
    assert result["problems"] == []
    assert len(result["executors"]) == 2
    for e in result["executors"]:
        assert e["python"] == sys.executable and e["errors"] == []
        assert e["dps_code"] == result["driver"]["dps_code"]
        assert {"numpy", "pyarrow", "kiwipiepy_model", "pyspark"} <= set(e["modules"])
    assert summary(result).endswith("OK: executors import dps and its dependencies")


def test_summary_names_every_problem():
    driver = {"python_version": "3.11.7", "python": "/venv/bin/python", "dps": "0.1.0", "dps_file": "/x/dps"}
    executor = {"host": "node-1", "python": "./environment/bin/python", "python_version": "3.11.7",
                "dps_file": None, "errors": ["import dps: ModuleNotFoundError: No module named 'dps'"]}
    text = summary({"driver": driver, "executors": [executor],
                    "problems": ["task 0 on node-1: import dps: ModuleNotFoundError: No module named 'dps'"]})
    assert "dps from (not importable)" in text
    assert text.splitlines()[-2:] == ["PROBLEM: task 0 on node-1: import dps: ModuleNotFoundError: No module named "
                                      "'dps'", "FAILED: 1 problem(s)"]


def test_stale_archive_other_python_and_failed_imports_are_problems():
    driver = {"python_version": "3.11.7", "dps_code": "aaa"}
    base = {"partition": 0, "host": "node-1", "python": "./environment/bin/python", "python_version": "3.11.9",
            "dps_code": "aaa", "dps_file": "/w/environment/dps/__init__.py", "errors": []}
    assert problems_of(driver, [base]) == []  # another patch release is fine
    stale = problems_of(driver, [{**base, "dps_code": "bbb"}])
    assert len(stale) == 1 and "dps code differs from the driver's" in stale[0] and "rebuild the archive" in stale[0]
    assert problems_of(driver, [{**base, "python_version": "3.12.1"}]) == [
        "task 0 on node-1 (./environment/bin/python): Python 3.12.1, driver 3.11.7"]
    missing = problems_of(driver, [{**base, "dps_code": None, "errors": ["import dps: ModuleNotFoundError: x"]}])
    assert missing == ["task 0 on node-1 (./environment/bin/python): import dps: ModuleNotFoundError: x"]
