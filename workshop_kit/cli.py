"""The ``workshop-kit`` command: start the kit, and the facilitator's tools."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _lab(args: argparse.Namespace) -> int:
    """Start JupyterLab on the welcome notebook, for self-study."""
    folder = Path(args.notebooks or NOTEBOOKS)
    if not folder.is_dir():
        print(f"The notebooks folder {folder} does not exist.", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", "jupyter", "lab", "00-welcome.ipynb", f"--notebook-dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    try:
        return subprocess.call(command, cwd=folder)
    except KeyboardInterrupt:
        return 0


def _store(args: argparse.Namespace):
    from .store import ResponseStore

    return ResponseStore(args.store)


def _kit_errors(command):
    """Run a facilitator command, turning the kit's own errors into a plain message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        from .errors import KitError

        try:
            return command(args)
        except KitError as exc:
            print(exc, file=sys.stderr)
            return 1

    return run


@_kit_errors
def _export(args: argparse.Namespace) -> int:
    """Write one participant's answers (history included) to a JSON file."""
    from .admin import export_participant

    with _store(args) as store:
        n = export_participant(store, args.participant, args.cohort, args.out)
    print(f"Wrote {n} answers by {args.participant} in {args.cohort} to {args.out}.")
    return 0


@_kit_errors
def _import(args: argparse.Namespace) -> int:
    """Add the answers in an export file to the store (all or nothing)."""
    from .admin import import_file

    with _store(args) as store:
        result = import_file(store, args.file)
    print(f"{result.added} added, {result.skipped} skipped (already in the store).")
    return 0


@_kit_errors
def _forget(args: argparse.Namespace) -> int:
    """Delete one participant's answers in one cohort, after confirmation."""
    from .admin import ConfirmationRefused, forget_participant

    if not args.yes and not sys.stdin.isatty():
        print("Refusing to delete without confirmation: run this in a terminal, or add --yes.", file=sys.stderr)
        return 2

    def ask(prompt: str) -> str:
        try:
            return input(prompt)
        except EOFError:
            return ""

    with _store(args) as store:
        try:
            n = forget_participant(store, args.participant, args.cohort, confirm=None if args.yes else ask)
        except ConfirmationRefused as exc:
            print(exc, file=sys.stderr)
            return 1
    if n == 0:
        print(f"No answers by {args.participant} in {args.cohort}; nothing was deleted.")
    else:
        print(f"Deleted {n} answers by {args.participant} in {args.cohort}. Delete any exported copies too.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshop-kit", description="Leadership workshops for NHS digital leaders.")
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open JupyterLab on the welcome notebook (self-study)")
    lab.add_argument("--notebooks", help="folder of notebooks (default: the kit's own)")
    lab.set_defaults(run=_lab)
    store_help = "the store: a file path or database URL (default: WORKSHOP_KIT_STORE, then the default file)"
    export = commands.add_parser("export", help="write one participant's answers to a JSON file (subject access)")
    export.add_argument("--participant", required=True)
    export.add_argument("--cohort", required=True)
    export.add_argument("--out", required=True, help="the JSON file to write")
    export.add_argument("--store", help=store_help)
    export.set_defaults(run=_export)
    imp = commands.add_parser("import", help="add the answers in an export file to the store")
    imp.add_argument("file", help="the JSON file written by export")
    imp.add_argument("--store", help=store_help)
    imp.set_defaults(run=_import)
    forget = commands.add_parser("forget", help="delete one participant's answers in one cohort (erasure)")
    forget.add_argument("--participant", required=True)
    forget.add_argument("--cohort", required=True)
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    forget.add_argument("--store", help=store_help)
    forget.set_defaults(run=_forget)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
