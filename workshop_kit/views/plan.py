"""The personal development plan: one participant's saved answers, gathered into a document to keep.

``build_plan(store, participant, cohort)`` reads the participant's latest answer to every
exercise in the catalogue and returns a :class:`Plan`.  ``Plan.to_markdown()`` and
``Plan.to_html()`` render it (the HTML through Jinja2 with autoescaping, so anything the
participant typed is shown as text, never run as markup), and :mod:`workshop_kit.views.plan_documents`
lays it out as a personal development plan in Word and PDF; ``export_plan`` writes all four
files into a folder; ``development_plan()`` is the notebook widget with an "Export my plan" button.

Reading never writes: building a plan from a store that does not exist yet shows every
exercise as "not answered yet" without creating the store.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from .. import settings
from .._version import __version__
from ..bidi import isolate
from ..catalogue.model import BudgetExercise, Catalogue, Exercise, GridExercise, LogExercise, PickExercise, ScaleExercise, Section, TextExercise
from ..errors import KitError
from ..summaries.followup import BeforeAfter, before_and_after
from ..summaries.objectives import needs_list as _needs_list, role_answer
from ..summaries.personal import saved_answers
from .plan_documents import CREDIT, FEWER_THAN_THREE, room_words
from ..session.who import current_identity
from ..page_css import PAGE_CSS
from ..templating import macros, markup, render, style
from ..store.responses import default_store

PLAN_DIR_ENV, ROOM_ENV = settings.PLAN_DIR_ENV, settings.ROOM_ENV

# The Healthcare Leadership Model's nine dimensions (NHS Leadership Academy, 2013), in its order.
HLM_DIMENSIONS = (
    "Inspiring shared purpose",
    "Leading with care",
    "Evaluating information",
    "Connecting our service",
    "Sharing the vision",
    "Engaging the team",
    "Holding to account",
    "Developing capability",
    "Influencing for results",
)

NEXT_STEPS = (
    "Read this plan again in three months and mark what has changed.",
    "Take it to your next appraisal or supervision and agree one piece of support.",
    "Keep the commitments you made to colleagues: a promise kept builds more trust than any plan.",
)
MODEL_STEP = (
    "Try the Healthcare Leadership Model self-assessment, or ask for its 360° feedback, starting with {focus}: "
    "your own answers show the most room to grow there."
)
MODEL_STEP_NONE = (
    "Try the Healthcare Leadership Model self-assessment, or ask for its 360° feedback; "
    "answer the scales in the section notebooks and this plan will suggest where to start."
)
MODEL_INTRO = (
    "Read from your own scale answers: for a scale asked twice, the move you said you want; "
    "for a rating of yourself, the distance to the top of the scale. The most room comes first."
)
FOCUS_COUNT = 2


OBJECTIVE_FIELDS = (
    ("what", "What I will achieve"),
    ("how", "How I will do it"),
    ("support", "Support I need"),
    ("by_when", "By when"),
    ("measure", "How I will know"),
)
FOLLOW_UP_MISSING = "not answered at the follow-up yet — see notebook 12"
WORKSHOP_MISSING = "answered at the follow-up only, so there is nothing to compare with"


class PlanExportError(KitError):
    """The plan could not be written to the chosen folder."""


# --- the plan's parts --------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One piece of a rendered answer: a paragraph, a bulleted list or a table of plain text."""

    kind: str  # "text", "list" or "table"
    text: str = ""
    items: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


class _FromNotebook:
    """Something in the plan that comes from one notebook (``notebook``: two digits, e.g. "02")."""

    notebook: str

    @property
    def missing_note(self) -> str:
        """What the plan shows instead of a missing answer."""
        return f"not answered yet — see notebook {self.notebook}"


@dataclass(frozen=True)
class PlanItem(_FromNotebook):
    """One exercise in the plan, with the participant's answer (or a note that it is missing)."""

    exercise_id: str
    title: str
    prompt: str
    dimension: str
    notebook: str  # two digits, e.g. "02"
    blocks: tuple[Block, ...] = ()
    saved_at: dt.datetime | None = None

    @property
    def answered(self) -> bool:
        """True once the participant has saved an answer."""
        return self.saved_at is not None


@dataclass(frozen=True)
class PlanSection:
    """One section of the workshop and the participant's answers to its exercises."""

    number: int
    title: str
    notebook: str
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class Highlight(_FromNotebook):
    """One line of the plan's "at a glance" summary, drawn from one or more exercises."""

    label: str
    blocks: tuple[Block, ...]
    notebook: str
    role: str = ""  # the exercise's plan role in the catalogue, if any

    @property
    def answered(self) -> bool:
        """True when there is something to show."""
        return bool(self.blocks)


@dataclass(frozen=True)
class Evidence:
    """One of the participant's scale answers, read for the model view: how much room to grow it shows."""

    title: str
    words: str
    room: float  # 0 (none) to 1 (the whole scale)


@dataclass(frozen=True)
class Objective:
    """One development objective, as the participant wrote it in notebook 11 (``by_when`` an ISO date or "")."""

    what: str
    how: str = ""
    support: str = ""
    by_when: str = ""
    measure: str = ""

    @property
    def by_when_text(self) -> str:
        """The date in words ("31 March 2027"), or "no date set"."""
        return date_words(self.by_when) or "no date set"

    def rows(self) -> tuple[tuple[str, str], ...]:
        """(label, value) pairs for a two-column table, every field shown (empty ones as "not set")."""
        values = {"what": self.what, "how": self.how, "support": self.support, "by_when": self.by_when_text, "measure": self.measure}
        return tuple((label, values[name] or "not set") for name, label in OBJECTIVE_FIELDS)


@dataclass(frozen=True)
class Commitment:
    """Something the participant promised, with its date if they gave one (from the meeting log and notebook 10)."""

    what: str
    for_whom: str = ""
    due: str = ""  # ISO date or ""
    status: str = ""

    @property
    def due_text(self) -> str:
        """The due date in words, or "no date set"."""
        return date_words(self.due) or "no date set"


def date_words(value: str) -> str:
    """An ISO date as words ("31 March 2027"); anything else is returned as it is."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class DimensionView:
    """One Healthcare Leadership Model dimension and what the participant's own answers say about it."""

    dimension: str
    evidence: tuple[Evidence, ...]

    @property
    def room(self) -> float:
        """The most room to grow any of its answers shows."""
        return max((e.room for e in self.evidence), default=0.0)


@dataclass(frozen=True)
class Plan:
    """A participant's personal development plan, ready to render as Markdown or HTML."""

    participant: str
    cohort: str
    made_on: dt.date
    highlights: tuple[Highlight, ...]
    sections: tuple[PlanSection, ...]
    dimensions: tuple[DimensionView, ...]  # only dimensions the participant's scale answers speak to
    kit_version: str = __version__
    display_name: str = ""
    follow_up: tuple[BeforeAfter, ...] = ()  # the re-asked exercises, once anything was saved at the follow-up
    follow_up_title: str = ""
    objectives: tuple[Objective, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    needs: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The name the plan is made out to: the display name if there is one (a room), else the participant."""
        return self.display_name or self.participant

    @property
    def answered(self) -> int:
        """How many exercises the participant has answered."""
        return sum(item.answered for s in self.sections for item in s.items)

    @property
    def total(self) -> int:
        """How many exercises the plan covers: the catalogue's, less the closing feedback on the day."""
        return sum(len(s.items) for s in self.sections)

    @property
    def focus(self) -> tuple[DimensionView, ...]:
        """The dimensions where the participant's own answers show the most room to grow (at most two)."""
        growing = sorted((d for d in self.dimensions if d.room > 0), key=lambda d: -d.room)
        return tuple(growing[:FOCUS_COUNT])

    @property
    def model_step(self) -> str:
        """The next step about the Healthcare Leadership Model, naming this participant's focus dimensions."""
        focus = " and ".join(d.dimension.casefold() for d in self.focus)
        return MODEL_STEP.format(focus=focus) if focus else MODEL_STEP_NONE

    @property
    def next_steps(self) -> tuple[str, ...]:
        """The closing suggestions, the model's one naming this participant's focus dimensions."""
        return (*NEXT_STEPS[:2], self.model_step, *NEXT_STEPS[2:])

    @property
    def made_on_text(self) -> str:
        """The plan's date in words, e.g. "3 February 2026"."""
        return f"{self.made_on.day} {self.made_on:%B %Y}"

    @property
    def file_stem(self) -> str:
        """A safe file name (no extension): development-plan-<name>-<date>."""
        slug = re.sub(r"[^\w]+", "-", self.name.casefold()).strip("-_")[:40] or "participant"
        return f"development-plan-{slug}-{self.made_on.isoformat()}"

    def to_markdown(self) -> str:
        """The plan as a Markdown document, readable as plain text; participant text is escaped."""
        return _markdown(self)

    def to_html(self, *, fragment: bool = False) -> str:
        """The plan as a standalone HTML page (or, with ``fragment=True``, just its body)."""
        return render(  # participant text keeps its own direction (workshop_kit.bidi)
            "plan.html" if fragment else "plan_page.html",
            isolating=True,
            plan=self,
            credit=CREDIT,
            model_intro=MODEL_INTRO,
            fewer_than_three=FEWER_THAN_THREE,
            follow_up_missing=FOLLOW_UP_MISSING,
            workshop_missing=WORKSHOP_MISSING,
            room_words=room_words,
        )


# --- building ----------------------------------------------------------------------------


def notebook_number(section: Section) -> str:
    """The two-digit number of a section's notebook, e.g. "02"."""
    return f"{section.number:02d}"


def notebook_file(section: Section) -> str:
    """The file name of a section's notebook, e.g. "02-risk.ipynb"."""
    return f"{section.number:02d}-{section.id}.ipynb"


def build_plan(
    store: Any,
    participant: str,
    cohort: str,
    *,
    catalogue: Catalogue | None = None,
    today: dt.date | None = None,
    display_name: str = "",
) -> Plan:
    """Gather one participant's latest answers, section by section, into a :class:`Plan`.

    ``display_name`` names the plan when the participant key is not a name (a room's ``room-…`` key).
    """
    catalogue = catalogue or store.catalogue
    from ..catalogue.waves import split_wave

    answers = saved_answers(store, participant, split_wave(cohort, catalogue)[0])  # a follow-up wave's plan starts from the workshop
    pairs = before_and_after(store, participant, cohort, catalogue=catalogue)
    numbers = {s.id: notebook_number(s) for s in catalogue.sections}
    items: dict[str, PlanItem] = {}
    sections = []
    for section in catalogue.sections:
        section_items = []
        for exercise in catalogue.exercises_in(section.id):
            if exercise.feedback:  # feedback on the day goes to the cohort report, not into the participant's plan
                continue
            response = answers.get(exercise.id)
            item = PlanItem(
                exercise_id=exercise.id,
                title=exercise.title,
                prompt=exercise.prompt,
                dimension=exercise.dimension,
                notebook=numbers[section.id],
                blocks=answer_blocks(exercise, response.answer) if response else (),
                saved_at=response.saved_at if response else None,
            )
            items[exercise.id] = item
            section_items.append(item)
        sections.append(PlanSection(section.number, section.title, numbers[section.id], tuple(section_items)))
    highlights = _highlights(catalogue, answers, numbers)
    return Plan(
        participant=participant,
        cohort=cohort,
        made_on=today or dt.date.today(),
        highlights=highlights,
        sections=tuple(sections),
        dimensions=_dimensions(catalogue, answers),
        display_name=display_name,
        follow_up=pairs if any(p.after is not None for p in pairs) else (),
        follow_up_title=catalogue.follow_up.title if catalogue.follow_up else "",
        objectives=_objectives(catalogue, answers),
        commitments=_commitment_list(catalogue, answers),
        needs=_needs_list(catalogue, answers),
    )


def _objectives(catalogue: Catalogue, answers: dict[str, Any]) -> tuple[Objective, ...]:
    rows = role_answer(catalogue, answers, "objectives")
    out = []
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, dict) and str(row.get("what") or "").strip():
            out.append(Objective(**{name: _cell(row.get(name)) for name, _label in OBJECTIVE_FIELDS}))
    return tuple(out)


def _commitment_list(catalogue: Catalogue, answers: dict[str, Any]) -> tuple[Commitment, ...]:
    out = []
    rows = role_answer(catalogue, answers, "commitments")
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, dict) and row.get("deliverable"):
            out.append(Commitment(_cell(row["deliverable"]), _cell(row.get("stakeholder")), _cell(row.get("due")), _cell(row.get("status"))))
    learning, learning_ex = role_answer(catalogue, answers, "learning-commitment"), catalogue.for_plan("learning-commitment")
    if learning and learning_ex is not None:
        saved = answers[learning_ex.id].saved_at
        due = (saved.date() + dt.timedelta(days=91)).isoformat() if isinstance(saved, dt.datetime) else ""
        out.append(Commitment(f"Learning: {learning}", "myself", due, ""))
    return tuple(out)


def _dimensions(catalogue: Catalogue, answers: dict[str, Any]) -> tuple[DimensionView, ...]:
    """The model view: for each dimension, the participant's scale answers that show room to grow (or none)."""
    found: dict[str, list[Evidence]] = {}
    for exercise in catalogue.exercises:
        response = answers.get(exercise.id)
        if exercise.dimension and exercise.kind == "scale" and response is not None:
            evidence = scale_evidence(exercise, response.answer)
            if evidence is not None:
                found.setdefault(exercise.dimension, []).append(evidence)
    order = {name: i for i, name in enumerate(HLM_DIMENSIONS)}
    names = sorted(found, key=lambda d: (order.get(d, len(order)), d))
    return tuple(DimensionView(d, tuple(sorted(found[d], key=lambda e: -e.room))) for d in names)


def scale_evidence(ex: ScaleExercise, answer: Any) -> Evidence | None:
    """What one scale answer says about room to grow: the wanted move (paired) or the distance to the top (a self-rating)."""
    span = ex.max - ex.min
    try:
        if ex.paired:
            now, target = int(answer["now"]), int(answer["target"])
            return Evidence(ex.title, f"{ex.pair[0]} {now}, {ex.pair[1].casefold()} {target}", max(target - now, 0) / span)
        if ex.self_rating:
            value = int(answer)
            return Evidence(ex.title, f"{value} of {ex.max} ({ex.high_label.casefold()} is {ex.max})", (ex.max - value) / span)
    except (KeyError, TypeError, ValueError):
        return None  # the catalogue changed after this answer was saved
    return None


# --- answers as blocks ---------------------------------------------------------------------


def answer_blocks(exercise: Exercise, answer: Any) -> tuple[Block, ...]:
    """A saved answer as plain-text blocks, according to its exercise's kind."""
    try:
        return _RENDERERS[exercise.kind](exercise, answer)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        # The catalogue changed after this answer was saved; show it as it was stored.
        return (Block("text", text=str(answer)),)


def _scale(ex: ScaleExercise, answer: Any) -> tuple[Block, ...]:
    ends = f"on a scale from {ex.min} ({ex.low_label}) to {ex.max} ({ex.high_label})"
    if not ex.paired:
        return (Block("text", text=f"{int(answer)}, {ends}."),)
    now, target = int(answer["now"]), int(answer["target"])
    line = f"{ex.pair[0]}: {now} · {ex.pair[1]}: {target}, {ends}."
    return (Block("text", text=f"{line}\n{shift_words(ex, now, target)}"),)


def shift_words(ex: ScaleExercise, now: int, target: int) -> str:
    """The move between a paired scale's two answers, in words."""
    gap = target - now
    if gap == 0:
        return "No change wanted."
    towards = ex.high_label if gap > 0 else ex.low_label
    points = "point" if abs(gap) == 1 else "points"
    return f"A shift of {abs(gap)} {points} towards “{towards}”."


def _pick(ex: PickExercise, answer: Any) -> tuple[Block, ...]:
    picks = [str(p) for p in answer]
    if not picks:
        return (Block("text", text="None of these."),)
    known = set(ex.options)
    return (Block("list", items=tuple(p if p in known else f"{p} (my own)" for p in picks)),)


def _text(ex: TextExercise, answer: Any) -> tuple[Block, ...]:
    return (Block("text", text=str(answer)),)


def _budget(ex: BudgetExercise, answer: Any) -> tuple[Block, ...]:
    unit = "%" if ex.total == 100 else f" of {ex.total}"
    rows = tuple((h, f"{answer[h]:g}{unit}") for h in ex.headings)
    return (Block("table", headers=("Heading", "Share"), rows=rows),)


def _grid(ex: GridExercise, answer: Any) -> tuple[Block, ...]:
    headers = (ex.item_label, ex.tag_label, ex.x_axis.label, ex.y_axis.label, "Where it sits", *(f.label for f in ex.fields))
    rows = tuple(
        (
            str(item["name"]),
            str(item["tag"]),
            str(item["x"]),
            str(item["y"]),
            ex.quadrant_of(int(item["x"]), int(item["y"])),
            *(_cell(item.get(f.name)) for f in ex.fields),
        )
        for item in answer
    )
    return (Block("table", headers=headers, rows=rows),)


def _log(ex: LogExercise, answer: Any) -> tuple[Block, ...]:
    headers = tuple(f.label for f in ex.fields)
    rows = tuple(tuple(_cell(row.get(f.name)) for f in ex.fields) for row in answer)
    return (Block("table", headers=headers, rows=rows),)


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


# Each renderer takes its own kind's exercise; answer_blocks picks the one for the exercise's kind.
_RENDERERS: dict[str, Callable[[Any, Any], tuple[Block, ...]]] = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}


# --- the "at a glance" summary ---------------------------------------------------------------


def _role(catalogue: Catalogue, answers: dict[str, Any], role: str) -> tuple[Exercise | None, Any]:
    """The exercise playing ``role`` in the plan and the participant's saved answer to it (None, None without one)."""
    return catalogue.for_plan(role), role_answer(catalogue, answers, role)


def _saved(answers: dict[str, Any], ex: Exercise) -> Any:
    response = answers.get(ex.id)
    return response.answer if response else None


def _highlights(catalogue: Catalogue, answers: dict[str, Any], numbers: dict[str, str]) -> tuple[Highlight, ...]:
    """The plan's summary: every exercise the catalogue gives a ``plan_heading``, in the chapter's order.

    Its role, if it has one the plan reads more into (the goal, the brand, people, stakeholders,
    commitments), decides what goes under the heading; otherwise the answer as it was saved."""
    out = []
    for section in catalogue.sections:
        for ex in catalogue.exercises_in(section.id):
            if ex.plan_heading and not ex.feedback:
                build = _ROLE_BLOCKS.get(ex.plan, _as_saved)
                out.append(Highlight(ex.plan_heading, tuple(build(catalogue, ex, answers)), numbers[section.id], role=ex.plan))
    return tuple(out)


def _as_saved(catalogue: Catalogue, ex: Exercise, answers: dict[str, Any]) -> tuple[Block, ...]:
    answer = _saved(answers, ex)
    return answer_blocks(ex, answer) if answer not in (None, [], "") else ()


def _goal(catalogue: Catalogue, ex: Exercise, answers: dict[str, Any]) -> list[Block]:
    goal = _saved(answers, ex)
    if goal is None:
        return []
    blocks = [Block("text", text=str(goal))]
    details = []
    _, when = _role(catalogue, answers, "goal-timeframe")
    if when:
        details.append(f"Time frame: {', '.join(map(str, when))}")
    ambition_ex, ambition = _role(catalogue, answers, "goal-ambition")
    if ambition is not None and ambition_ex is not None and ambition_ex.kind == "scale":
        details.append(f"Ambition: {ambition} out of {ambition_ex.max}")
    _, aims = _role(catalogue, answers, "goal-aims")
    if aims:
        details.append(f"Serves: {', '.join(map(str, aims))}")
    if details:
        blocks.append(Block("list", items=tuple(details)))
    return blocks


def _brand(catalogue: Catalogue, ex: PickExercise, answers: dict[str, Any]) -> list[Block]:
    picks = _saved(answers, ex)
    _, rated = _role(catalogue, answers, "brand-peer-value")
    values = {str(r.get("quality")): r.get("value") for r in rated or () if isinstance(r, dict) and r.get("value") is not None}
    items = [f"{p} (my own)" if p not in ex.options else p for p in map(str, picks or ())]
    items = [f"{i}: senior peers would value it {values[i]} of 10" if i in values else i for i in items]
    items += [f"{q}: senior peers would value it {v} of 10" for q, v in values.items() if q not in map(str, picks or ())]
    _, others = _role(catalogue, answers, "brand-other")
    blocks: list[Block] = [Block("list", items=tuple(items))] if items else []
    if others:
        blocks.append(Block("text", text=f"Other qualities that matter: {others}"))
    return blocks


def _people(catalogue: Catalogue, ex: Exercise, answers: dict[str, Any]) -> list[Block]:
    lines = []
    for row in _saved(answers, ex) or ():
        if isinstance(row, dict) and row.get("who"):
            line = str(row["who"]) + (f": {row['need']}" if row.get("need") else "")
            lines.append(line + (f" (first conversation by {row['first']})" if row.get("first") else ""))
    return [Block("list", items=tuple(lines))] if lines else []


def _stakeholders(catalogue: Catalogue, ex: GridExercise, answers: dict[str, Any]) -> tuple[Block, ...]:
    items = _saved(answers, ex)
    if not items:
        return ()
    try:
        placed = sorted(
            ((ex.quadrant_of(int(i["x"]), int(i["y"])), str(i["name"]), str(i["tag"])) for i in items),
            key=lambda t: (ex.quadrants.names().index(t[0]), t[1].casefold()),
        )
        return (Block("list", items=tuple(f"{name} ({tag}): {where}" for where, name, tag in placed)),)
    except (KeyError, TypeError, ValueError):
        return answer_blocks(ex, items)


def _commitments(catalogue: Catalogue, ex: Exercise, answers: dict[str, Any]) -> list[Block]:
    lines = []
    for row in _saved(answers, ex) or ():
        if not isinstance(row, dict) or not row.get("deliverable"):
            continue
        line = str(row["deliverable"])
        if row.get("stakeholder"):
            line += f" (for {row['stakeholder']}"
            line += f", due {row['due']})" if row.get("due") else ")"
        elif row.get("due"):
            line += f" (due {row['due']})"
        if row.get("status"):
            line += f" — {row['status']}"
        lines.append(line)
    _, learning = _role(catalogue, answers, "learning-commitment")
    if learning:
        lines.append(f"Learning: {learning}")
    return [Block("list", items=tuple(lines))] if lines else []


# What a role's heading shows beyond the answer as saved; every other heading shows the answer.
# Each takes the exercise of its role's kind (PLAN_ROLES, checked at load).
_ROLE_BLOCKS: dict[str, Callable[..., Sequence[Block]]] = {"goal": _goal, "brand": _brand, "people": _people, "stakeholders": _stakeholders, "commitments": _commitments}


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~&])")
_MD_BULLET = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)


def md_escape(text: str) -> str:
    """Text safe to put in Markdown: markup characters are backslash-escaped, so it shows as typed; direction isolated."""
    escaped = _MD_SPECIAL.sub(r"\\\1", isolate(str(text)))
    escaped = _MD_BULLET.sub(r"\1\\\2", escaped)
    return _MD_NUMBERED.sub(r"\1\\\2", escaped)


def _md_cell(text: str) -> str:
    return md_escape(" ".join(str(text).split())) or " "


def _md_blocks(blocks: tuple[Block, ...]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if block.kind == "text":
            lines = str(block.text).split("\n")
            out.append("\n".join(f"> {md_escape(line)}".rstrip() for line in lines))
        elif block.kind == "list":
            out.append("\n".join(f"- {_md_cell(item)}" for item in block.items))
        else:
            table = ["| " + " | ".join(_md_cell(h) for h in block.headers) + " |", "|" + "---|" * len(block.headers)]
            table += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
            out.append("\n".join(table))
        out.append("")
    return out


def _markdown(plan: Plan) -> str:
    lines = [
        f"# Personal development plan: {md_escape(plan.name)}",
        "",
        f"- Cohort: {md_escape(plan.cohort)}",
        f"- Made on: {plan.made_on_text}",
        f"- Exercises answered: {plan.answered} of {plan.total}",
        "",
        f"*{md_escape(CREDIT)}*",
        "",
        "## My development objectives",
        "",
    ]
    for n, objective in enumerate(plan.objectives, start=1):
        lines += [f"### Objective {n}: {_md_cell(objective.what)}", ""]
        lines += [f"- {label}: {_md_cell(value)}" for label, value in objective.rows()[1:]] + [""]
    if len(plan.objectives) < 3:
        lines += [f"*{md_escape(FEWER_THAN_THREE)}*", ""]
    lines += ["## My commitments", ""]
    lines += [f"- {_md_cell(c.what)}{' (for ' + _md_cell(c.for_whom) + ')' if c.for_whom else ''}: {c.due_text}{' — ' + _md_cell(c.status) if c.status else ''}" for c in plan.commitments]
    lines += ["" if plan.commitments else "*No commitments saved yet — see notebooks 05 and 10*", ""]
    lines += ["## At a glance", ""]
    for highlight in plan.highlights:
        lines += [f"### {md_escape(highlight.label)}", ""]
        lines += _md_blocks(highlight.blocks) if highlight.answered else [f"*{highlight.missing_note}*", ""]
    if plan.follow_up:
        lines += [f"## Before and after: {md_escape(plan.follow_up_title)}", ""]
        for pair in plan.follow_up:
            lines += [f"### {md_escape(pair.exercise.title)}", ""]
            if pair.both:
                lines += [f"- {_md_cell(line)}" for line in pair.change] + [""]
            else:
                lines += [f"*{FOLLOW_UP_MISSING if pair.after is None else WORKSHOP_MISSING}*", ""]
    lines += ["## Section by section", ""]
    for section in plan.sections:
        lines += [f"### {section.number}. {md_escape(section.title)} (notebook {section.notebook})", ""]
        for item in section.items:
            lines += [f"#### {md_escape(item.title)}", ""]
            meta = f"Healthcare Leadership Model: {md_escape(item.dimension)}" if item.dimension else ""
            if item.answered:
                meta = "; ".join(x for x in (meta, f"saved {item.saved_at:%d %b %Y}") if x)
            if meta:
                lines += [f"*{meta}*", ""]
            lines += _md_blocks(item.blocks) if item.answered else [f"*{item.missing_note}*", ""]
    lines += ["## Where your answers point: the Healthcare Leadership Model", "", md_escape(MODEL_INTRO), ""]
    if plan.dimensions:
        for d in plan.dimensions:
            said = "; ".join(f"{e.title}: {e.words}" for e in d.evidence)
            lines.append(f"- **{md_escape(d.dimension)}** ({room_words(d.room)}): {md_escape(said)}")
    else:
        lines.append("*No scale answered yet, so nothing to read here.*")
    lines += ["", "## Next steps", ""]
    lines += [f"- {md_escape(step)}" for step in plan.next_steps]
    lines += ["", f"*workshop-kit {plan.kit_version}*", ""]
    return "\n".join(lines)


# --- HTML (Jinja2, autoescaped) -----------------------------------------------------------------

_PREVIEW_STYLE = ".wk-plan-scroll { max-height: 36rem; overflow: auto; border: 1px solid var(--nhs-grey-3); padding: 0 0.8rem; }"


# --- export --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportedPlan:
    """Where an exported plan went."""

    markdown: Path
    html: Path
    docx: Path
    pdf: Path


def default_plan_folder() -> Path:
    """``WORKSHOP_KIT_PLAN_DIR``, else the user's Documents folder if there is one, else their home folder."""
    if os.environ.get(PLAN_DIR_ENV):
        return Path(os.environ[PLAN_DIR_ENV]).expanduser()
    home = Path.home()
    documents = home / "Documents"
    return documents if documents.is_dir() else home


def plan_files(plan: Plan) -> dict[str, bytes]:
    """The plan in every format, by file extension: Word, PDF, web page and plain text."""
    from .plan_documents import plan_docx, plan_pdf

    return {"docx": plan_docx(plan), "pdf": plan_pdf(plan), "html": plan.to_html().encode("utf-8"), "md": plan.to_markdown().encode("utf-8")}


def export_plan(plan: Plan, folder: str | os.PathLike[str] | None = None) -> ExportedPlan:
    """Write the plan as Word, PDF, HTML and Markdown into a folder (created if needed); returns the four paths."""
    target = Path(folder).expanduser() if folder not in (None, "") else default_plan_folder()
    files = plan_files(plan)
    try:
        target.mkdir(parents=True, exist_ok=True)
        paths = ExportedPlan(**{("markdown" if ext == "md" else ext): target / f"{plan.file_stem}.{ext}" for ext in files})
        for ext, data in files.items():
            path = target / f"{plan.file_stem}.{ext}"
            tmp = path.with_name(path.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
    except OSError as exc:
        raise PlanExportError(f"Your plan could not be saved in the folder {target} ({exc.strerror or exc}). Try another folder.") from None
    return paths


# --- the notebook widget --------------------------------------------------------------------------


_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html;charset=utf-8",
    "md": "text/markdown;charset=utf-8",
    "json": "application/json;charset=utf-8",
}
_LABELS = {
    "docx": "Download for your appraisal (Word)",
    "pdf": "Download for your appraisal (PDF)",
    "html": "Download the web page (HTML)",
    "md": "Download the plain text (Markdown)",
}


def _download_link(content: str | bytes, filename: str, mime: str, label: str) -> str:
    """A link that downloads the content as a file in the participant's own browser (no server write)."""
    data = base64.b64encode(content.encode("utf-8") if isinstance(content, str) else content).decode("ascii")
    return str(_pieces().download(filename, f"data:{mime};base64,{data}", label))


def _pieces() -> Any:
    """The widget's pieces of HTML (templates/plan_widget.html)."""
    return macros("plan_widget.html")


def _room_on() -> bool:
    return settings.in_room()


class DevelopmentPlan(widgets.VBox):
    """Shows the participant's plan and exports it (Word, PDF, HTML, Markdown) to a folder they choose.

    In a room served by Voilà (``WORKSHOP_KIT_ROOM``) the page runs on the facilitator's
    machine, so nothing is written there: Export offers the files as downloads instead,
    and there is no folder box (a participant must not choose paths on someone else's computer).
    """

    def __init__(self, store: Any = None, participant: str | None = None, cohort: str | None = None, folder: str | None = None):
        super().__init__()
        self.store = store if store is not None else default_store()
        self._participant, self._cohort = participant, cohort
        self.participant, self.cohort = "", ""
        self.plan: Plan | None = None
        self.room = _room_on()
        self.add_class("wk-development-plan")
        self.intro = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh my plan", icon="refresh", tooltip="Read your saved answers again")
        self.refresh_button.add_class("wk-plan-refresh")
        self.folder = widgets.Text(
            value=str(folder or default_plan_folder()),
            description="Save to folder",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(40rem, 95%)", display="none" if self.room else None),
        )
        self.folder.add_class("wk-plan-folder")
        self.export_button = widgets.Button(
            description="Export my plan", button_style="primary", icon="download", layout=widgets.Layout(width="14rem")
        )
        self.export_button.add_class("wk-plan-export")
        self.status = widgets.HTML()
        self.status.add_class("wk-plan-status")
        self.preview = widgets.HTML()  # scrolls inside a focusable region of its own (see refresh), so keyboards can scroll it
        self.preview.add_class("wk-plan-preview")
        self.refresh_button.on_click(self._on_refresh_click)
        self.export_button.on_click(self._on_export_click)
        files = "a Word document and a PDF laid out as a personal development plan for your appraisal, a web page, and a plain-text copy"
        keep = str(_pieces().keep(self.room, files))
        self.children = [
            self.intro,
            self.refresh_button,
            widgets.HTML(keep),
            self.folder,
            self.export_button,
            self.status,
            widgets.HTML(str(_pieces().so_far())),
            self.preview,
        ]
        self.refresh()

    def refresh(self) -> Plan | None:
        """Re-read the saved answers and redraw the preview."""
        try:
            who = current_identity(self._participant, self._cohort, store=self.store)
            self.participant, self.cohort = who.participant, who.cohort
            self.plan = build_plan(self.store, self.participant, self.cohort, display_name=self._display_name())
        except KitError as exc:
            self.plan = None
            self.intro.value = str(_pieces().alert(str(exc)))
            self.preview.value = ""
            self.preview.layout.display = "none"
            return None
        self.intro.value = str(_pieces().intro(isolate(self.plan.name), isolate(self.cohort), self.plan.answered, self.plan.total))
        self.preview.value = str(_pieces().preview(markup(style("plan.css", extra=PAGE_CSS + _PREVIEW_STYLE)), markup(self.plan.to_html(fragment=True))))
        self.preview.layout.display = None
        return self.plan

    def _display_name(self) -> str:
        if not self.room or self._participant is not None:
            return ""
        from ..session.room import room_person

        return room_person(store=self.store).display_name

    def _links(self, plan: Plan) -> str:
        from ..store.transfer import answers_json

        answers, _count = answers_json(self.store, self.cohort, self.participant)
        links = [_download_link(data, f"{plan.file_stem}.{ext}", _MIME[ext], _LABELS[ext]) for ext, data in plan_files(plan).items()]
        links.append(_download_link(answers, f"{plan.file_stem}-answers.json", _MIME["json"], "Download my answers file (to send to a facilitator)"))
        return str(markup(" · ".join(links)))  # each link built by the template above

    def export(self) -> ExportedPlan | None:
        """Write the four files and say where they went (in a room: offer them as downloads); errors in words."""
        plan = self.refresh()
        if plan is None:
            self.status.value = str(_pieces().not_saved("Your answers could not be read (see above)."))
            return None
        if self.room:
            self.status.value = str(_pieces().ready(markup(self._links(plan))))
            return None
        try:
            paths = export_plan(plan, self.folder.value.strip() or None)
        except PlanExportError as exc:
            self.status.value = str(_pieces().not_saved(str(exc)))
            return None
        self.status.value = str(_pieces().saved(paths, markup(self._links(plan))))
        return paths

    def _on_refresh_click(self, button: Any) -> None:
        self.refresh()

    def _on_export_click(self, button: Any) -> None:
        self.export()


def development_plan(store: Any = None, participant: str | None = None, cohort: str | None = None, folder: str | None = None) -> DevelopmentPlan:
    """The plan widget for notebook 11: a preview, a folder box and an "Export my plan" button."""
    return DevelopmentPlan(store=store, participant=participant, cohort=cohort, folder=folder)
