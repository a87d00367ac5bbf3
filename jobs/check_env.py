"""spark-submit entry point: `spark-submit [options] jobs/check_env.py [--json PATH] [--no-kiwi]`.

Checks that the executors' Python workers run the shipped environment (dps, its dependencies, Kiwi's model) with
the same dps code and Python version as the driver; exit code 1 if not. No logic here: see dps/envcheck.py.
"""

import sys

from dps.cli import main

if __name__ == "__main__":
    sys.exit(main(["check-env", *sys.argv[1:]]))
