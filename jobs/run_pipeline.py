"""spark-submit entry point: `spark-submit [options] jobs/run_pipeline.py --config CONFIG.yaml [--set k=v ...]`.

No logic here: everything is in the dps package, which must be importable on the driver and executors (see
docs/cluster.md: scripts/package_env.sh builds an archive of it for --archives).
"""

import sys

from dps.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--config":  # also accept the --config CONFIG form
        args = args[1:]
    sys.exit(main(["run", *args]))
