"""The one command: ``python -m benchmarks [--quick] [--only SECTION ...] [--data DIR]``.

Prints the machine, then a table of measured figures with their targets.  Figures are
wall-clock times on whatever else the machine is doing, so the load average before and
after each section is printed too: compare runs only on a quiet machine.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import common

SECTIONS = ("save", "refresh", "startup", "files", "room", "kernel", "programme", "presenter")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Measure what participants and facilitators wait for.")
    parser.add_argument("--quick", action="store_true", help="smaller cohorts (no 30,000), fewer rounds: a couple of minutes")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="run only these sections")
    parser.add_argument("--data", type=Path, help="keep the generated demo stores in this folder and reuse them next time")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures (saves, and the largest cohort's refresh)")
    parser.add_argument("--no-browser", action="store_true", help="skip the Voila page in Chromium")
    parser.add_argument("--room-sizes", nargs="+", type=int, metavar="N", help="room: how many participants open a page at once (default 1 10 30 100; --quick: 1 10 30)")
    parser.add_argument("--layout", choices=("auto", "old", "new"), default="auto", help="room: how workshop-kit serve runs the room (old: a kernel per page; new: --expect N; default: new if serve has --expect)")
    parser.add_argument("--room-timeout", type=float, default=360, metavar="SECONDS", help="room: how long a phase may take before the rest count as not ready (default 360)")
    parser.add_argument("--no-bare", action="store_true", help="room: skip the bare one-widget Voila page (it measures Voila itself, not the kit)")
    parser.add_argument("--room-open-on", action="store_true", help="room, new layout: also measure a server told the room opens on section 02 (serve --open-on 2)")
    parser.add_argument("--room-before", metavar="REVISION", help="room and kernel: also measure the kit at this git revision (e.g. main), from its own checkout, beside this tree in the same run")
    parser.add_argument("--room-kinds", nargs="+", choices=("kit", "kit-open", "before", "before-open", "bare"), help="room: measure only these servers (kit, kit-open = --open-on, before, before-open = the --room-before revision, bare)")
    parser.add_argument("--room-linger", type=float, default=210, metavar="SECONDS", help="room, new layout: wait up to this long after the pages close for their kernels to go (default 210; 0: do not wait)")
    args = parser.parse_args(argv)
    sections = args.only or SECTIONS

    sys.path.insert(0, str(common.ROOT))  # tests.pg_server, and the package from the checkout
    info = common.machine()
    print("workshop-kit benchmarks" + (" (--quick)" if args.quick else ""))
    for key, value in info.items():
        print(f"  {key:7s} {value}")
    figures: list[common.Figure] = []
    started = time.perf_counter()
    for section in sections:
        before = common.load_average()
        print(f"\n[{section}] running … (load average {before})", flush=True)
        t0 = time.perf_counter()
        if section == "save":
            from . import save_latency

            got = save_latency.run(args.quick, postgres=not args.no_postgres)
        elif section == "refresh":
            from . import refresh

            got = refresh.run(args.quick, data=args.data, postgres=not args.no_postgres)
        elif section == "startup":
            from . import startup

            got = startup.run(args.quick, browser=not args.no_browser)
        elif section == "programme":
            from . import programme

            got = programme.run(args.quick, postgres=not args.no_postgres)
        elif section == "presenter":
            from . import presenter

            got = presenter.run(args.quick, browser=not args.no_browser)
        elif section == "kernel":
            from . import room_kernel

            got = room_kernel.run(args.quick, before=args.room_before)
        elif section == "files":
            from . import files

            got = files.run(args.quick, data=args.data)
        else:
            from . import room

            got = room.run(args.quick, browser=not args.no_browser, sizes=args.room_sizes, layout=args.layout, timeout=args.room_timeout, linger=args.room_linger, bare=not args.no_bare, open_on=args.room_open_on, before=args.room_before, only_kinds=args.room_kinds)
        after = common.load_average()
        print(f"[{section}] done in {time.perf_counter() - t0:.0f} s (load average {after})")
        for f in got:
            if "load " in f.note:  # measured per phase already (room)
                continue
            f.note = f"{f.note}; load {before.split()[0]}→{after.split()[0]}" if f.note else f"load {before.split()[0]}→{after.split()[0]}"
        figures.extend(got)
    print(f"\nTotal {time.perf_counter() - started:.0f} s. Figures (p50/p99: nearest-rank percentiles; load: 1-minute load average before→after the section):\n")
    print(common.table(figures))
    missed = [f for f in figures if f.met is False]
    print(f"\n{len(missed)} figure(s) missed their target." if missed else "\nEvery figure with a target met it.")
    return 0
