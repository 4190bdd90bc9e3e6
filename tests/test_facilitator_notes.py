"""Facilitator notes: one per notebook, naming only real exercises, with running orders that add up.

The notes in ``facilitator_notes/`` are prose, but they make promises a facilitator relies
on in front of a room: that an exercise id exists, that every exercise of a section is
covered, and that a running order's start times and minutes really add up.  These tests
keep the notes and the catalogue in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshop_kit.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "facilitator_notes"
RUNNING = NOTES / "00-running-the-workshop.md"

NOTEBOOKS = (
    "00-welcome",
    "01-managing-to-leading",
    "02-risk",
    "03-audacious-goals",
    "04-system",
    "05-relationships",
    "06-personal-brand",
    "07-pulling-together",
    "08-empathy",
    "09-iceberg-spotting",
    "10-i-to-we",
    "11-development-plan",
    "12-follow-up",
    "facilitator-dashboard",
    "facilitator-programme",
)
NOT_ON_THE_DAY = {"12-follow-up", "facilitator-dashboard", "facilitator-programme"}  # weeks later, or the facilitator's own

CATALOGUE = load_catalogue()
SECTION_SLUGS = {f"{s.number:02d}-{s.id}": s for s in CATALOGUE.sections}
# the chapter's sections: one length each (the plan, notebook 11, is shorter in the half day)
TIMED_SLUGS = {slug: s for slug, s in SECTION_SLUGS.items() if s.number <= 10}
PREFIXES = sorted({e.id.split(".", 1)[0] for e in CATALOGUE.exercises})
# An exercise id in prose: a catalogue prefix, a dot, then a lower-case slug (``risk.appetite``).
EXERCISE_ID = re.compile(r"(?<![\w./-])(" + "|".join(map(re.escape, PREFIXES)) + r")\.([a-z][a-z0-9-]*)")


def note_text(name: str) -> str:
    return (NOTES / f"{name}.md").read_text(encoding="utf-8")


def mentioned_ids(text: str) -> set[str]:
    return {f"{m.group(1)}.{m.group(2)}" for m in EXERCISE_ID.finditer(text)}


# --- markdown tables -----------------------------------------------------------------------


@dataclass
class Table:
    """One markdown table: the nearest heading above it, its header cells and body rows."""

    heading: str
    header: list[str]
    rows: list[list[str]]
    line: int

    def column(self, name: str) -> int:
        return [h.lower() for h in self.header].index(name.lower())


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_tables(text: str) -> list[Table]:
    tables: list[Table] = []
    heading, block, start = "", [], 0
    lines = text.splitlines() + [""]
    for number, line in enumerate(lines, 1):
        if line.lstrip().startswith("|"):
            if not block:
                start = number
            block.append(line)
            continue
        if block:
            if len(block) >= 2 and set(block[1].replace("|", "").strip()) <= set("-: "):
                tables.append(Table(heading, _cells(block[0]), [_cells(b) for b in block[2:]], start))
            block = []
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
    return tables


def _plain(cell: str) -> str:
    return cell.replace("*", "").replace("`", "").strip()


def _minutes(cell: str) -> int | None:
    match = re.match(r"\d+", _plain(cell))
    return int(match.group()) if match else None


def _clock(cell: str) -> int:
    hours, minutes = _plain(cell).split(":")
    return int(hours) * 60 + int(minutes)


def minute_tables(text: str) -> list[Table]:
    return [t for t in parse_tables(text) if any(h.lower() == "minutes" for h in t.header)]


def running_orders() -> dict[str, Table]:
    tables = [t for t in minute_tables(RUNNING.read_text(encoding="utf-8")) if any(h.lower() == "start" for h in t.header)]
    return {t.heading: t for t in tables}


def _is_total(row: list[str]) -> bool:
    return any(_plain(cell).lower() == "total" for cell in row)


def _total_row(table: Table) -> list[str]:
    totals = [r for r in table.rows if _is_total(r)]
    assert len(totals) == 1, f"the table under {table.heading!r} (line {table.line}) needs exactly one Total row"
    return totals[0]


def _half_and_full() -> tuple[Table, Table]:
    orders = running_orders()
    half = [t for h, t in orders.items() if h.lower().startswith("half day")]
    full = [t for h, t in orders.items() if h.lower().startswith("full day")]
    assert len(half) == 1 and len(full) == 1, f"expected one 'Half day' and one 'Full day' running order, found {list(orders)}"
    return half[0], full[0]


def _subsection(text: str, heading_start: str) -> str:
    """The text under the heading that starts with ``heading_start``, up to the next heading of any level."""
    match = re.search(rf"^(#+) {re.escape(heading_start)}.*?$(.*?)(?=^#+ |\Z)", text, re.M | re.S)
    assert match, f"no heading starting {heading_start!r}"
    return match.group(2)


# --- the tests ------------------------------------------------------------------------------


class TestOneNotePerNotebook:
    @pytest.mark.parametrize("name", NOTEBOOKS)
    def test_note_exists(self, name: str) -> None:
        """Every notebook in the fixed list has a note with the same number and slug."""
        assert (NOTES / f"{name}.md").is_file(), f"facilitator_notes/{name}.md is missing"

    def test_no_stray_notes(self) -> None:
        """Every note is either the running guide or matches a notebook, so none is left behind by a rename."""
        names = {p.stem for p in NOTES.glob("*.md")}
        assert names - set(NOTEBOOKS) - {RUNNING.stem} == set()

    def test_sections_match_notebook_names(self) -> None:
        """Every catalogue section has a notebook slug in the fixed list (number and id)."""
        assert set(SECTION_SLUGS) <= set(NOTEBOOKS)


class TestExerciseIds:
    @pytest.mark.parametrize("name", [RUNNING.stem, *NOTEBOOKS])
    def test_every_mentioned_id_exists(self, name: str) -> None:
        """Every exercise id a note mentions is an exercise in the catalogue."""
        unknown = sorted(i for i in mentioned_ids(note_text(name)) if i not in CATALOGUE)
        assert unknown == [], f"{name}.md mentions exercise ids that are not in the catalogue: {unknown}"

    @pytest.mark.parametrize("slug", sorted(SECTION_SLUGS))
    def test_every_exercise_covered_in_its_section_note(self, slug: str) -> None:
        """Every exercise of a section is mentioned in that section's note."""
        section = SECTION_SLUGS[slug]
        missing = [e.id for e in CATALOGUE.exercises_in(section.id) if e.id not in mentioned_ids(note_text(slug))]
        assert missing == [], f"{slug}.md does not mention {missing}"

    @pytest.mark.parametrize("slug", sorted(SECTION_SLUGS))
    def test_each_exercise_has_its_own_heading(self, slug: str) -> None:
        """Each exercise has a heading naming its id and its catalogue title, so a facilitator can find it."""
        text = note_text(slug)
        for exercise in CATALOGUE.exercises_in(SECTION_SLUGS[slug].id):
            heading = re.search(rf"^#+ .*`{re.escape(exercise.id)}`.*$", text, re.M)
            assert heading, f"{slug}.md has no heading for {exercise.id}"
            assert exercise.title in heading.group(), f"{slug}.md: the heading for {exercise.id} should carry its title {exercise.title!r}"


class TestTimings:
    @pytest.mark.parametrize("slug", sorted(TIMED_SLUGS))
    def test_section_note_states_catalogue_minutes(self, slug: str) -> None:
        """A section note's stated time is the catalogue's minutes for that section."""
        match = re.search(r"\*\*Time:\*\*\s*(\d+) minutes", note_text(slug))
        assert match, f"{slug}.md has no '**Time:** N minutes' line"
        assert int(match.group(1)) == TIMED_SLUGS[slug].minutes

    @pytest.mark.parametrize("name", [RUNNING.stem, *NOTEBOOKS])
    def test_minute_tables_add_up(self, name: str) -> None:
        """In every table with a Minutes column, the rows add up to the Total row."""
        for table in minute_tables(note_text(name)):
            col = table.column("Minutes")
            body = [r for r in table.rows if not _is_total(r)]
            total = _minutes(_total_row(table)[col])
            summed = sum(m for r in body if (m := _minutes(r[col])) is not None)
            assert summed == total, f"{name}.md, table under {table.heading!r}: rows add up to {summed}, Total says {total}"

    @pytest.mark.parametrize("slug", sorted(TIMED_SLUGS))
    def test_section_breakdown_fills_the_section(self, slug: str) -> None:
        """A section note's timing breakdown totals the catalogue minutes for the section."""
        tables = minute_tables(note_text(slug))
        assert tables, f"{slug}.md has no timing table"
        for table in tables:
            assert _minutes(_total_row(table)[table.column("Minutes")]) == TIMED_SLUGS[slug].minutes

    def test_running_orders_start_times_chain(self) -> None:
        """In each running order every start time is the previous start plus its minutes, ending at Finish."""
        for table in running_orders().values():
            start, minutes = table.column("Start"), table.column("Minutes")
            body = [r for r in table.rows if not _is_total(r)]
            first = _clock(body[0][start])
            clock = first
            for row in body:
                assert _clock(row[start]) == clock, f"{table.heading!r}: row {row} should start at {clock // 60:02d}:{clock % 60:02d}"
                clock += _minutes(row[minutes]) or 0
            assert "finish" in _plain(body[-1][table.column("Session")]).lower(), f"{table.heading!r} should end with a Finish row"
            assert clock - first == _minutes(_total_row(table)[minutes])

    def test_running_orders_fit_their_length(self) -> None:
        """The half day totals about 3.5 hours and the full day about 6.5 hours (within 15 minutes)."""
        half, full = _half_and_full()
        assert abs(_minutes(_total_row(half)[half.column("Minutes")]) - 210) <= 15
        assert abs(_minutes(_total_row(full)[full.column("Minutes")]) - 390) <= 15

    def test_running_orders_include_breaks(self) -> None:
        """Both running orders include at least one break, and the full day a lunch."""
        half, full = _half_and_full()
        sessions = lambda t: [_plain(r[t.column("Session")]).lower() for r in t.rows]  # noqa: E731
        assert "break" in sessions(half)
        assert "break" in sessions(full) and "lunch" in sessions(full)

    def test_running_order_rows_use_catalogue_minutes(self) -> None:
        """A running-order row for a section notebook gets exactly that section's catalogue minutes."""
        for table in running_orders().values():
            for row in table.rows:
                notebook = _plain(row[table.column("Notebook")]) if len(row) > table.column("Notebook") else ""
                if notebook in TIMED_SLUGS:
                    assert _minutes(row[table.column("Minutes")]) == SECTION_SLUGS[notebook].minutes, f"{table.heading!r}: {notebook}"

    def test_full_day_runs_every_notebook(self) -> None:
        """The full day runs every participant notebook, in order."""
        _, full = _half_and_full()
        col = full.column("Notebook")
        order = [_plain(r[col]) for r in full.rows if _plain(r[col]) in NOTEBOOKS]
        assert order == [n for n in NOTEBOOKS if n not in NOT_ON_THE_DAY]

    def test_half_day_sends_the_rest_to_self_study(self) -> None:
        """Every section the half day leaves out is named under the half day as moved to self-study."""
        half, _ = _half_and_full()
        col = half.column("Notebook")
        run = {_plain(r[col]) for r in half.rows}
        assert "00-welcome" in run and "11-development-plan" in run
        left_out = [s for s in SECTION_SLUGS if s not in run]
        assert left_out, "a half day cannot hold every section; say which move to self-study"
        under_half_day = _subsection(RUNNING.read_text(encoding="utf-8"), "Half day")
        self_study = under_half_day.split("Moved to self-study", 1)
        assert len(self_study) == 2, "the half day should have a 'Moved to self-study' list"
        assert [s for s in left_out if f"`{s}`" not in self_study[1]] == []


class TestRunningGuide:
    def test_chapter_and_authors_credited(self) -> None:
        """The running guide credits the chapter and both of its authors."""
        text = RUNNING.read_text(encoding="utf-8")
        for credit in ("Health CIO Handbook", "Becoming a successful leader", "Owen Powell", "Gareth Baxendale"):
            assert credit in text, f"00-running-the-workshop.md should credit {credit!r}"

    @pytest.mark.parametrize(
        "heading",
        ["Running orders", "Room and technical set-up", "Starting the kit for a room", "Privacy statement", "When a participant's laptop fails", "Self-study and programme leads"],
    )
    def test_guide_has_section(self, heading: str) -> None:
        """The running guide has each section a facilitator looks for on the day."""
        assert re.search(rf"^## {re.escape(heading)}", RUNNING.read_text(encoding="utf-8"), re.M)

    @pytest.mark.parametrize("command", ["make lab", "workshop-kit serve --cohort", "workshop-kit demo --participants", "workshop-kit report --cohort", "workshop-kit forget --participant"])
    def test_guide_names_the_commands(self, command: str) -> None:
        """The running guide tells the facilitator which command does each job."""
        assert command in RUNNING.read_text(encoding="utf-8")

    @pytest.mark.parametrize("name", [RUNNING.stem, *NOTEBOOKS])
    def test_no_machine_paths(self, name: str) -> None:
        """No note contains an absolute path from somebody's machine."""
        assert not re.search(r"(?<![\w.])/(home|Users|work|tmp|root)/", note_text(name))
