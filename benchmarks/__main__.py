"""``python -m benchmarks [--size ci|small|1m|10m] [--backend sqlite|postgres|both]
[--json out.json]`` — the province-scale benchmark. See docs/benchmarks.md."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from benchmarks.suite import default_backends, print_report, run_suite, write_json
from benchmarks.workload import SIZES, resolve_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--size",
        choices=sorted(SIZES),
        help="workload size (default small; COGOV_BENCH_SIZE overrides)",
    )
    parser.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "sqlite", "postgres", "both"],
        help="auto: SQLite, plus PostgreSQL when COGOV_BENCH_POSTGRES_URL or "
        "COGOV_TEST_POSTGRES_URL is set",
    )
    parser.add_argument("--json", type=Path, help="write the full results here")
    parser.add_argument("--seed", type=int, default=20260302)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also record the top functions (cProfile) of the main sections",
    )
    parser.add_argument("--workdir", type=Path, help="where SQLite files go (default: /tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite files")
    args = parser.parse_args(argv)
    size = resolve_size(args.size)
    console = Console(stderr=True)
    report = run_suite(
        size,
        default_backends(args.backend),
        seed=args.seed,
        profile=args.profile,
        workdir=args.workdir,
        keep=args.keep,
        console=console,
        on_progress=(lambda partial: write_json(partial, args.json)) if args.json else None,
    )
    print_report(report, Console(width=160))
    if args.json:
        write_json(report, args.json)
        console.log(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
