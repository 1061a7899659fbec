"""``python -m venprs.simulation calibrate``: recompute the calibration constants and print them as JSON."""

from __future__ import annotations

import json
import sys

from .calibration import calibrate


def main(argv: list[str]) -> int:
    """Run the command in ``argv``; returns the exit code."""
    if argv != ["calibrate"]:
        print("usage: python -m venprs.simulation calibrate\n"
              "  recomputes venprs.simulation.CALIBRATION (a few minutes) and prints it as JSON",
              file=sys.stderr)
        return 2
    print(json.dumps(calibrate(), indent=4))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
