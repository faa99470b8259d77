"""`python -m benchmarks`: run every benchmark (or one) and print a table for each."""

import argparse
import logging
import sys
import time
from collections.abc import Callable

from benchmarks import (
    check_ins,
    fanout,
    library,
    many_workspaces,
    tip_over_http,
    tip_while_fanning_out,
)

BENCHMARKS: dict[str, Callable[[bool], bool]] = {
    "http": tip_over_http.run,
    "library": library.run,
    "fanout": fanout.run,
    "busy": tip_while_fanning_out.run,
    "coaching": check_ins.run,
    "workspaces": many_workspaces.run,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: which benchmarks, and how long to run them."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure tipbot against its targets. Exits 1 when any target is missed.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="shorter runs (under a minute), for a smoke test"
    )
    parser.add_argument(
        "--only", choices=sorted(BENCHMARKS), action="append", help="run only this benchmark"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks in order; 0 when every target is met, else 1."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    chosen = args.only or list(BENCHMARKS)
    all_met = True
    for index, name in enumerate(chosen):
        if index:
            print()
        started = time.perf_counter()
        met = BENCHMARKS[name](args.quick)
        print(f"({name}: {time.perf_counter() - started:.1f} s)")
        all_met = all_met and met
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
