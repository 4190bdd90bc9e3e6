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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshop-kit", description="Leadership workshops for NHS digital leaders.")
    commands = parser.add_subparsers(dest="command", required=True)
    lab = commands.add_parser("lab", help="open JupyterLab on the welcome notebook (self-study)")
    lab.add_argument("--notebooks", help="folder of notebooks (default: the kit's own)")
    lab.set_defaults(run=_lab)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
