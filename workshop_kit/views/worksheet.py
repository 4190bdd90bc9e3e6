"""The paper worksheet: every exercise of the catalogue, laid out to print on A4 for a laptop-free room.

``worksheet_html(catalogue)`` renders one printable page per section (Jinja2, autoescaped, so
a facilitator's reworded prompt is shown as text).  ``write_worksheet(path)`` writes it: a
``.html`` path gets the page itself; a ``.pdf`` path gets the page printed to PDF by a
Chrome, Chromium or Edge already on the machine (``WORKSHOP_KIT_BROWSER`` names one), with
the HTML kept beside it.  Everything is black and grey on white, so it reads the same from a
monochrome printer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from ..catalogue.model import Catalogue, GridExercise, LogExercise, PickExercise, TextExercise, default_catalogue
from ..errors import KitError

BROWSER_ENV = settings.BROWSER_ENV
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "msedge", "microsoft-edge")
CREDIT = (
    'Based on "Becoming a successful leader", chapter 4 of the Health CIO Handbook (Digital Health and the '
    "Health CIO Network): part one by Owen Powell, part two by Gareth Baxendale. The wording is workshop-kit's own."
)
LINE_CHARS = 70  # characters a handwritten line holds, roughly


class WorksheetError(KitError):
    """The worksheet could not be written (no browser for the PDF, or a folder that cannot be written)."""


@dataclass(frozen=True)
class Written:
    """Where the worksheet went: always the HTML page, and the PDF when one was asked for and made."""

    html: Path
    pdf: Path | None = None


def writing_lines(ex: TextExercise | GridExercise) -> int:
    """How many ruled lines a written answer gets: its length limit in handwriting, between 3 and 10."""
    return max(3, min(10, -(-ex.max_length // LINE_CHARS)))


def table_rows(ex: GridExercise | LogExercise) -> int:
    """How many blank rows a grid or log gets on paper (its limit, at most 6)."""
    return min(ex.max_rows, 6)


# The page's template: templates/worksheet.html, its style templates/worksheet.css (rendered through workshop_kit.templating).


def pick_rule(ex: PickExercise) -> str:
    """How many to tick, in words."""
    if ex.min_picks == ex.max_picks:
        return f"Tick exactly {ex.max_picks}."
    if ex.min_picks == 0:
        return f"Tick any, up to {ex.max_picks}, or none."
    return f"Tick {ex.min_picks} to {ex.max_picks}."


def worksheet_html(catalogue: Catalogue | None = None) -> str:
    """The printable worksheet for every section and exercise of the catalogue, as one HTML page."""
    from .. import templating

    catalogue = catalogue or default_catalogue()
    sections = [(s, catalogue.exercises_in(s.id)) for s in catalogue.sections]
    return templating.render(
        "worksheet.html", credit=CREDIT, sections=sections, writing_lines=writing_lines, table_rows=table_rows, pick_rule=pick_rule
    )


def find_browser() -> str | None:
    """A Chrome, Chromium or Edge to print with: ``WORKSHOP_KIT_BROWSER``, else the first found on the PATH."""
    named = os.environ.get(BROWSER_ENV)
    if named:
        return named if Path(named).exists() else shutil.which(named)
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_pdf(html_path: Path, pdf_path: Path, browser: str) -> None:
    """Print an HTML file to PDF with a headless Chromium-family browser (A4 comes from the page's own @page rule)."""
    with tempfile.TemporaryDirectory() as profile:
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox on
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WorksheetError(f"The browser {browser} could not print the worksheet ({exc}).") from None
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise WorksheetError(f"The browser {browser} did not make the PDF (exit code {done.returncode}). The HTML is at {html_path}.")


def write_worksheet(path: str | os.PathLike[str], catalogue: Catalogue | None = None) -> Written:
    """Write the worksheet: HTML for a .html path; for a .pdf path, the PDF and the HTML beside it."""
    target = Path(path).expanduser()
    html_path = target.with_suffix(".html")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(worksheet_html(catalogue), encoding="utf-8")
    except OSError as exc:
        raise WorksheetError(f"The worksheet could not be written to {target.parent} ({exc.strerror or exc}). Try another folder.") from None
    if target.suffix.lower() != ".pdf":
        return Written(html=html_path)
    browser = find_browser()
    if browser is None:
        raise WorksheetError(
            f"The worksheet is written as a web page, {html_path}, but no Chrome, Chromium or Edge was found to make the PDF. "
            f"Open the page in a browser and print it to PDF on A4, or name a browser in {BROWSER_ENV}."
        )
    print_pdf(html_path, target, browser)
    return Written(html=html_path, pdf=target)

