"""Facilitator notes: one per notebook, naming only real exercises, with running orders that add up.

The notes in ``facilitator_notes/`` are prose, but they make promises a facilitator relies
on in front of a room: that an exercise id exists, that every exercise of a section is
covered, and that a running order's start times and minutes really add up.  These tests
keep the notes and the catalogue in step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshop_kit.catalogue.model import load_catalogue

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


def _two_halves() -> tuple[Table, Table]:
    orders = running_orders()
    found = [t for h, t in orders.items() if h.lower().startswith("two half days")]
    assert len(found) == 2, f"expected two 'Two half days' running orders, found {list(orders)}"
    return found[0], found[1]


IN_THE_ROOM = re.compile(r"\*In the room:\* (.+)")


def in_the_room_prompts(slug: str) -> list[str]:
    cells = json.loads((ROOT / "notebooks" / f"{slug}.ipynb").read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return [m.group(1).strip() for m in IN_THE_ROOM.finditer(text)]


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

    @pytest.mark.parametrize("slug", sorted(SECTION_SLUGS))
    def test_in_the_room_prompts_are_timed_in_the_note(self, slug: str) -> None:
        """Every "In the room" prompt on a participant page is quoted word for word in its note, with minutes in the timing table."""
        prompts = in_the_room_prompts(slug)
        text = " ".join(note_text(slug).split())
        for prompt in prompts:
            assert " ".join(prompt.split()) in text, f"{slug}.md does not quote the notebook's In the room prompt: {prompt!r}"
        rows = [r for t in minute_tables(note_text(slug)) for r in t.rows if "in the room" in _plain(r[1]).lower()]
        assert len(rows) == len(prompts), f"{slug}.md: {len(prompts)} In the room prompt(s), {len(rows)} timed row(s)"
        assert all((_minutes(r[0]) or 0) > 0 for r in rows)

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
        """A half day (either kind) fits a morning, 4 hours at most; the full day fits 09:00 to 17:00."""
        half, full = _half_and_full()
        halves = [half, *_two_halves()]
        assert all(_minutes(_total_row(t)[t.column("Minutes")]) <= 240 for t in halves)
        assert 390 <= _minutes(_total_row(full)[full.column("Minutes")]) <= 480

    def test_every_order_starts_with_time_to_arrive(self) -> None:
        """Each running order opens with at least 15 minutes for a room of 30 to arrive and settle, inside the table."""
        for heading, table in running_orders().items():
            first = table.rows[0]
            assert "arrival" in _plain(first[table.column("Session")]).lower(), heading
            assert _minutes(first[table.column("Minutes")]) >= 15, heading

    def test_half_day_keeps_the_synthesis_and_final_action(self) -> None:
        """The half day runs section 7 (the synthesis and the chapter's final action) and the plan in the room."""
        half, _ = _half_and_full()
        run = [_plain(r[half.column("Notebook")]) for r in half.rows]
        assert "07-pulling-together" in run and "11-development-plan" in run

    def test_two_half_days_run_every_section_once_with_the_gap_used(self) -> None:
        """The two half days run every section notebook once, in order, with pre-work and a task between the halves."""
        first, second = _two_halves()
        run = [_plain(r[t.column("Notebook")]) for t in (first, second) for r in t.rows]
        sections = [n for n in run if n in SECTION_SLUGS]
        assert sections == sorted(SECTION_SLUGS)
        assert "00-welcome" in run and "11-development-plan" in run
        text = RUNNING.read_text(encoding="utf-8")
        assert "**Pre-work**" in _subsection(text, "Two half days — first half")
        assert "**Between the halves**" in _subsection(text, "Two half days — first half")

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


PACK = ROOT / "facilitator_pack"
PACK_FILES = ("ground-rules.md", "pre-reading.md", "evaluation-form.md", "accessibility.md", "follow-up.md")


class TestFacilitatorPack:
    def test_pack_has_every_part_and_its_readme_names_them(self) -> None:
        """The pack has ground rules, pre-reading, an evaluation form, accessibility notes and a follow-up design, each named in its README with the worksheet command."""
        readme = (PACK / "README.md").read_text(encoding="utf-8")
        for name in PACK_FILES:
            assert (PACK / name).is_file(), name
            assert f"`{name}`" in readme, name
        assert "workshop-kit worksheet --out worksheet.pdf" in readme

    def test_ground_rules_cover_chatham_house_and_what_is_private(self) -> None:
        """The ground rules name the Chatham House rule and say what is private and what is shared."""
        rules = (PACK / "ground-rules.md").read_text(encoding="utf-8")
        assert "Chatham House" in rules and "**Private**" in rules and "own entry" in rules

    def test_pre_reading_credits_the_chapter_and_says_where_it_is(self) -> None:
        """The pre-reading credits the chapter and both authors and says where it is published."""
        text = (PACK / "pre-reading.md").read_text(encoding="utf-8")
        for credit in ("Health CIO Handbook", "Becoming a successful leader", "Owen Powell", "Gareth Baxendale", "Digital Health", "digitalhealth.net"):
            assert credit in text

    def test_follow_up_offers_a_set_or_a_check_in_and_its_table_adds_up(self) -> None:
        """The follow-up design offers an action-learning set or a 6–8 week check-in, and the check-in's minutes add up."""
        text = (PACK / "follow-up.md").read_text(encoding="utf-8")
        assert "action-learning set" in text and "6–8 week check-in" in text
        for table in minute_tables(text):
            body = [r for r in table.rows if not _is_total(r)]
            assert sum(_minutes(r[0]) or 0 for r in body) == _minutes(_total_row(table)[0])

    @pytest.mark.parametrize("name", ("README.md", *PACK_FILES))
    def test_no_machine_paths(self, name: str) -> None:
        """No pack file holds an absolute path from somebody's machine."""
        assert not re.search(r"(?<![\w.])/(home|Users|work|tmp|root)/", (PACK / name).read_text(encoding="utf-8"))
