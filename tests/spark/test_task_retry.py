"""A task that fails once is retried by Spark, and the output and report are those of a run without the failure
(counts come from the data, not from accumulators a retried task would add to twice)."""

import os
import subprocess
import sys

import pytest

from dps.devcluster import compare_outputs
from dps.registry import BoundStage, Stage
from dps.spark.arrow import FAULT_CONF, fault_partition

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_fault_setting_names_a_stage_and_optionally_a_task():
    chain = [BoundStage(Stage("normalize", "map", str.strip)), BoundStage(Stage("other", "map", str.lower))]
    assert fault_partition(None, chain) is None
    assert fault_partition("", chain) is None
    assert fault_partition("normalize", chain) == 0
    assert fault_partition("other:3", chain) == 3
    assert fault_partition("tag_pii:0", chain) is None  # another Arrow pass
    with pytest.raises(ValueError, match=f"{FAULT_CONF}=normalize:x: expected STAGE or STAGE:PARTITION"):
        fault_partition("normalize:x", chain)


@pytest.mark.spark
def test_a_task_failing_once_is_retried_and_output_and_report_are_unchanged(sample_local, tmp_path):
    kept, rejected, report = sample_local
    result = subprocess.run(
        [sys.executable, "-m", "dps.cli", "run", os.path.join(ROOT, "configs", "sample.yaml"),
         "--set", f"input.paths={os.path.join(ROOT, 'sample', 'corpus.jsonl')}",
         "--set", f"output.path={tmp_path / 'kept'}", "--set", f"output.rejected_path={tmp_path / 'rejected'}",
         "--set", "spark.master=local[2,2]",  # local mode retries a failed task only when given a retry count
         "--set", f"spark.settings.{FAULT_CONF}=normalize:0"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "dps: injected fault" in result.stderr  # the first attempt did fail
    assert f"OK: input {report.input_records}" in result.stdout
    assert compare_outputs(kept, str(tmp_path / "kept"), config_may_differ=("spark",)) == []
    assert compare_outputs(rejected, str(tmp_path / "rejected"), config_may_differ=("spark",)) == []
