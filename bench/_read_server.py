"""The server half of bench/m4_timeline.py: `fedi serve` itself (settings from the FEDI_*
environment, its workers running), in a child process that stops when the benchmark does. Not
meant to be run by hand.

    _read_server.py --port P --parent PID
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run as a script: make the repository importable (fedi, inbox, outbox, keys).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import die_with_parent
from fedi.cli.main import main as fedi_main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True, help="the benchmark's pid")
    args = parser.parse_args()
    die_with_parent(args.parent)
    sys.exit(fedi_main(["serve", "--port", str(args.port)]))


if __name__ == "__main__":
    main()
