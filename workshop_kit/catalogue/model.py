"""Load and check the catalogue: the chapter's sections and exercises, as typed objects.

The catalogue is a TOML file (``workshop_kit/content/catalogue.toml`` by default, or the
file named by ``WORKSHOP_KIT_CATALOGUE``).  Everything a notebook asks — prompt, kind,
options, limits — comes from here, so a facilitator can reword a prompt or add an
attribute without touching code.  A malformed file fails at load with a message that
names the file, the exercise and the field.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal, TypeAlias

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .. import settings
from ..errors import CatalogueError

CATALOGUE_ENV = settings.CATALOGUE_ENV
DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "content" / "catalogue.toml"

KINDS = ("scale", "pick", "text", "budget", "grid", "log")
KIND_NAMES = {"scale": "Scale", "pick": "Choice", "text": "Free text", "budget": "Budget", "grid": "Map", "log": "Log"}  # as the facilitator's views name them
COMPARABLE_KINDS = ("scale", "pick", "budget", "log")  # kinds a follow-up can compare before and after
_WAVE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,23}$")
FIELD_TYPES = ("text", "choice", "date", "number")


@dataclass(frozen=True)
class Section:
    """One section of the chapter, shown as one notebook."""

    id: str
    number: int
    title: str
    part: int
    minutes: int
    summary: str = ""
    objectives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Axis:
    """One axis of a grid: what it measures and the words at its two ends."""

    label: str
    low: str
    high: str


@dataclass(frozen=True)
class Quadrants:
    """The names of a grid's four quadrants ("high" is above the middle of the grid's range)."""

    top_right: str  # high on both axes
    top_left: str  # high on the y axis only
    bottom_right: str  # high on the x axis only
    bottom_left: str  # low on both

    def names(self) -> tuple[str, str, str, str]:
        """The four names, top right first, then top left, bottom right, bottom left."""
        return (self.top_right, self.top_left, self.bottom_right, self.bottom_left)

    def by_position(self) -> dict[tuple[bool, bool], str]:
        """The names by (high on x, high on y), in the order of :meth:`names`."""
        return {(True, True): self.top_right, (False, True): self.top_left, (True, False): self.bottom_right, (False, False): self.bottom_left}


QUADRANT_KEYS = ("top_right", "top_left", "bottom_right", "bottom_left")

# What the development plan reads, by role: an exercise takes a role with ``plan = "<role>"`` in the
# catalogue, so a renamed id or a reworded prompt keeps the plan whole.  Each role needs an exercise of
# one kind, and for a log the fields the plan reads.  ``plan_heading = "..."`` puts an exercise's answer
# in the plan's summary under that heading, whatever its role.
PLAN_ROLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "goal": ("text", ()),  # the audacious goal, shown with the three below
    "goal-timeframe": ("pick", ()),
    "goal-ambition": ("scale", ()),
    "goal-aims": ("pick", ()),
    "appetite": ("scale", ()),  # appetite for risk, now and wanted: a drafted objective
    "brand": ("pick", ()),  # what I want to be known for, shown with the two below
    "brand-peer-value": ("log", ("quality", "value")),
    "brand-other": ("text", ()),
    "people": ("log", ("who", "need", "first")),  # people I need
    "stakeholders": ("grid", ()),  # placed and sorted by quadrant
    "commitments": ("log", ("deliverable", "stakeholder", "due", "status")),
    "learning-commitment": ("text", ()),  # a commitment to myself, due 13 weeks after it was saved
    "needs": ("pick", ()),  # support I need: the plan's development needs
    "comfort": ("scale", ()),  # comfort with risk and ambiguity, now and wanted
    "objectives": ("log", ("what", "how", "support", "by_when", "measure")),  # the plan's objectives (a Draft button)
}


@dataclass(frozen=True)
class Field:
    """One named field of a log row or a grid item."""

    name: str
    label: str
    type: str = "text"
    max_length: int = 200
    choices: tuple[str, ...] = ()
    min: int = 0
    max: int = 10
    required: bool = False


@dataclass(frozen=True, kw_only=True)
class ExerciseBase:
    """What every exercise has, whatever its kind: what is asked, where, and what the plan does with it.

    Each kind is a subclass with its own settings (:data:`Exercise` names them all).
    """

    kind: ClassVar[str]
    id: str
    section: str
    title: str
    prompt: str
    help: str = ""
    sensitive: bool = False
    dimension: str = ""
    feedback: bool = False  # closing feedback on the day: in the cohort report's "Closing feedback", not in the personal plan
    plan: str = ""  # the role this exercise plays in the development plan (PLAN_ROLES), if any
    plan_heading: str = ""  # the plan's summary shows this exercise's answer under this heading


@dataclass(frozen=True, kw_only=True)
class ScaleExercise(ExerciseBase):
    """A whole number from ``min`` to ``max``, or two of them for a paired scale (e.g. now and in 12 months)."""

    kind: ClassVar[Literal["scale"]] = "scale"
    min: int = 1
    max: int = 10
    low_label: str = ""
    high_label: str = ""
    pair: tuple[str, ...] = ()  # the two moments of a paired scale, or none
    self_rating: bool = False  # the high end is where the participant wants to be (the plan reads the gap)

    @property
    def paired(self) -> bool:
        """True for a scale asked twice, e.g. now and in 12 months."""
        return len(self.pair) == 2


@dataclass(frozen=True, kw_only=True)
class PickExercise(ExerciseBase):
    """``min_picks`` to ``max_picks`` of the options, with perhaps one of the participant's own."""

    kind: ClassVar[Literal["pick"]] = "pick"
    options: tuple[str, ...] = ()
    min_picks: int = 1
    max_picks: int = 1
    allow_custom: bool = False
    custom_max_length: int = 40


@dataclass(frozen=True, kw_only=True)
class TextExercise(ExerciseBase):
    """Free text of at most ``max_length`` characters."""

    kind: ClassVar[Literal["text"]] = "text"
    max_length: int = 500


@dataclass(frozen=True, kw_only=True)
class BudgetExercise(ExerciseBase):
    """A total shared between the headings."""

    kind: ClassVar[Literal["budget"]] = "budget"
    headings: tuple[str, ...] = ()
    total: int = 100


@dataclass(frozen=True, kw_only=True)
class GridExercise(ExerciseBase):
    """Named items placed on two axes from ``min`` to ``max``, each with a tag and perhaps more fields."""

    kind: ClassVar[Literal["grid"]] = "grid"
    x_axis: Axis
    y_axis: Axis
    quadrants: Quadrants
    min: int = 1
    max: int = 10
    tags: tuple[str, ...] = ()
    tag_label: str = "Tag"
    item_label: str = "Name"
    fields: tuple[Field, ...] = ()
    max_rows: int = 30
    max_length: int = 80  # of an item's name

    def is_high(self, value: float) -> bool:
        """True above the middle of the grid's range (the middle itself counts as low)."""
        return value > (self.min + self.max) / 2

    def quadrant_of(self, x: float, y: float) -> str:
        """The name of the quadrant an item at (x, y) falls in."""
        return self.quadrants.by_position()[(self.is_high(x), self.is_high(y))]


@dataclass(frozen=True, kw_only=True)
class LogExercise(ExerciseBase):
    """Up to ``max_rows`` rows of the named fields."""

    kind: ClassVar[Literal["log"]] = "log"
    fields: tuple[Field, ...] = ()
    max_rows: int = 30


# One exercise of any kind.  Code that tests ``exercise.kind == "grid"`` sees a GridExercise after it.
Exercise: TypeAlias = ScaleExercise | PickExercise | TextExercise | BudgetExercise | GridExercise | LogExercise
EXERCISE_CLASSES: dict[str, type[Exercise]] = {cls.kind: cls for cls in (ScaleExercise, PickExercise, TextExercise, BudgetExercise, GridExercise, LogExercise)}


@dataclass(frozen=True)
class FollowUp:
    """The follow-up wave: which exercises are asked again, some weeks after the workshop.

    Its answers are saved under the cohort's wave name, ``<cohort>@<wave>`` (see
    :mod:`workshop_kit.catalogue.waves`), so they sit beside the workshop's answers without replacing them.
    """

    wave: str
    title: str
    weeks: tuple[int, int]
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """All sections and exercises, in chapter order, from one file."""

    path: Path
    sections: tuple[Section, ...]
    exercises: tuple[Exercise, ...]
    _by_id: dict[str, Exercise] = field(default_factory=dict, repr=False, compare=False)
    follow_up: FollowUp | None = None

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id, or a plain-English error naming it."""
        try:
            return self._by_id[exercise_id]
        except (KeyError, TypeError):  # TypeError: not even a string (e.g. from an import file)
            raise CatalogueError(
                f"There is no exercise called {exercise_id!r} in the catalogue ({self.path.name})."
            ) from None

    def section(self, section_id: str) -> Section:
        """The section with this id."""
        for section in self.sections:
            if section.id == section_id:
                return section
        raise CatalogueError(f"There is no section called {section_id!r} in the catalogue ({self.path.name}).")

    def exercises_in(self, section_id: str) -> tuple[Exercise, ...]:
        """The exercises of one section, in catalogue order."""
        return tuple(e for e in self.exercises if e.section == section_id)

    @property
    def feedback(self) -> tuple[Exercise, ...]:
        """The closing feedback exercises (``feedback = true``), in catalogue order."""
        return tuple(e for e in self.exercises if e.feedback)

    def __contains__(self, exercise_id: object) -> bool:
        return exercise_id in self._by_id

    def for_plan(self, role: str) -> Exercise | None:
        """The exercise that plays ``role`` in the development plan (see PLAN_ROLES), or None."""
        return next((e for e in self.exercises if e.plan == role), None)


# --- loading ------------------------------------------------------------------------


class _Reader:
    """Reads typed values out of one TOML table, naming the place on any error."""

    def __init__(self, path: Path, where: str, table: dict[str, Any]):
        self.path, self.where, self.table = path, where, table

    def fail(self, name: str, message: str) -> CatalogueError:
        return CatalogueError(f"{self.path}: {self.where}, field '{name}': {message}")

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = ..., *, nonempty: bool = False) -> Any:
        if name not in self.table:
            if default is ...:
                return self._missing(name)
            return default
        value = self.table[name]
        ok = isinstance(value, kind) and not (isinstance(value, bool) and kind in (int, (int,)))
        if not ok:
            expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(name, f"expected {_plain(expected)}, got {value!r}")
        if nonempty and isinstance(value, str) and not value.strip():
            raise self.fail(name, "must not be empty")
        return value

    def _missing(self, name: str) -> Any:
        raise self.fail(name, "is missing")

    def strings(self, name: str, default: Any = ..., *, nonempty: bool = False) -> tuple[str, ...]:
        values = self.get(name, list, default)
        if values is None:
            return ()
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise self.fail(name, "expected a list of non-empty strings")
        if len(set(values)) != len(values):
            dupes = sorted({v for v in values if values.count(v) > 1})
            raise self.fail(name, f"lists {', '.join(dupes)} more than once")
        if nonempty and not values:
            raise self.fail(name, "must list at least one entry")
        return tuple(values)


def _plain(type_name: str) -> str:
    return {"str": "text", "int": "a whole number", "bool": "true or false", "list": "a list", "dict": "a table"}.get(
        type_name, type_name
    )


def _read_section(path: Path, index: int, table: dict[str, Any]) -> Section:
    r = _Reader(path, f"section #{index + 1} ({table.get('id', '?')})", table)
    return Section(
        id=r.get("id", str, nonempty=True),
        number=r.get("number", int),
        title=r.get("title", str, nonempty=True),
        part=r.get("part", int, 1),
        minutes=r.get("minutes", int, 20),
        summary=r.get("summary", str, ""),
        objectives=r.strings("objectives", ()),
    )


def _read_axis(r: _Reader, name: str) -> Axis:
    table = r.get(name, dict)
    sub = _Reader(r.path, f"{r.where}.{name}", table)
    return Axis(label=sub.get("label", str, nonempty=True), low=sub.get("low", str, nonempty=True), high=sub.get("high", str, nonempty=True))


def _read_quadrants(r: _Reader, x: Axis, y: Axis) -> Quadrants:
    table = r.get("quadrants", dict, {})
    if not table:  # named from the axes' ends
        return Quadrants(f"{y.high} · {x.high.lower()}", f"{y.high} · {x.low.lower()}", f"{y.low} · {x.high.lower()}", f"{y.low} · {x.low.lower()}")
    sub = _Reader(r.path, f"{r.where}.quadrants", table)
    unknown = sorted(set(table) - set(QUADRANT_KEYS))
    if unknown:
        raise r.fail("quadrants", f"names the four quadrants {', '.join(QUADRANT_KEYS)}; {', '.join(unknown)} is not one of them")
    names = [sub.get(key, str, nonempty=True).strip() for key in QUADRANT_KEYS]
    if len({n.casefold() for n in names}) < 4:
        raise r.fail("quadrants", "needs four different names")
    if max(len(n) for n in names) > 40:
        raise r.fail("quadrants", "names must be at most 40 characters, so they fit on the map")
    return Quadrants(*names)


def _read_fields(r: _Reader, *, required: bool) -> tuple[Field, ...]:
    tables = r.get("fields", list, ... if required else [])
    fields = []
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            raise r.fail("fields", f"entry #{i + 1} should be a table with name, label and type")
        sub = _Reader(r.path, f"{r.where}, fields #{i + 1} ({table.get('name', '?')})", table)
        f = Field(
            name=sub.get("name", str, nonempty=True),
            label=sub.get("label", str, nonempty=True),
            type=sub.get("type", str, "text"),
            max_length=sub.get("max_length", int, 200),
            choices=sub.strings("choices", ()),
            min=sub.get("min", int, 0),
            max=sub.get("max", int, 10),
            required=sub.get("required", bool, False),
        )
        if f.type not in FIELD_TYPES:
            raise sub.fail("type", f"must be one of {', '.join(FIELD_TYPES)} (got {f.type!r})")
        if f.type == "choice" and len(f.choices) < 2:
            raise sub.fail("choices", "a choice field needs at least two choices")
        if f.type == "number" and f.min >= f.max:
            raise sub.fail("max", f"must be larger than min ({f.min}), got {f.max}")
        if f.max_length < 1:
            raise sub.fail("max_length", f"must be at least 1, got {f.max_length}")
        fields.append(f)
    names = [f.name for f in fields]
    if len(set(names)) != len(names):
        raise r.fail("fields", "two fields share a name")
    if required and not fields:
        raise r.fail("fields", "must list at least one field")
    return tuple(fields)


def _read_exercise(path: Path, index: int, table: dict[str, Any], section_ids: set[str]) -> Exercise:
    r = _Reader(path, f"exercise #{index + 1} ({table.get('id', '?')})", table)
    ex_id = r.get("id", str, nonempty=True)
    r.where = f"exercise '{ex_id}'"
    kind = r.get("kind", str)
    if kind not in KINDS:
        raise r.fail("kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
    section = r.get("section", str, nonempty=True)
    if section not in section_ids:
        raise r.fail("section", f"names a section that is not in the catalogue ({section!r})")
    common = dict(
        id=ex_id,
        section=section,
        title=r.get("title", str, nonempty=True),
        prompt=r.get("prompt", str, nonempty=True),
        help=r.get("help", str, ""),
        sensitive=r.get("sensitive", bool, False),
        dimension=r.get("dimension", str, ""),
        feedback=r.get("feedback", bool, False),
        plan=r.get("plan", str, ""),
        plan_heading=r.get("plan_heading", str, "").strip(),
    )
    exercise = EXERCISE_CLASSES[kind](**common, **_KIND_READERS[kind](r))
    _check_plan_role(r, exercise)
    return exercise


def _check_plan_role(r: _Reader, ex: Exercise) -> None:
    if len(ex.plan_heading) > 80:
        raise r.fail("plan_heading", "must be at most 80 characters")
    if not ex.plan:
        return
    if ex.plan not in PLAN_ROLES:
        raise r.fail("plan", f"must be one of {', '.join(PLAN_ROLES)} (got {ex.plan!r})")
    kind, needed = PLAN_ROLES[ex.plan]
    if ex.kind != kind:
        raise r.fail("plan", f"the plan's {ex.plan!r} is a {kind} exercise; this one is a {ex.kind}")
    fields = ex.fields if ex.kind == "log" else ()
    missing = [name for name in needed if name not in {f.name for f in fields}]
    if missing:
        raise r.fail("plan", f"the plan's {ex.plan!r} reads the fields {', '.join(needed)}; this log has no {', '.join(missing)}")


def _scale(r: _Reader) -> dict[str, Any]:
    lo, hi = r.get("min", int, 1), r.get("max", int, 10)
    if lo >= hi:
        raise r.fail("max", f"must be larger than min ({lo}), got {hi}")
    if hi - lo > 100:
        raise r.fail("max", f"a scale can have at most 101 points, got {lo}–{hi}")
    pair = r.strings("pair", ())
    if pair and len(pair) != 2:
        raise r.fail("pair", f"must name exactly two moments, e.g. ['Now', 'In 12 months'] (got {len(pair)})")
    return dict(
        min=lo,
        max=hi,
        low_label=r.get("low_label", str, nonempty=True),
        high_label=r.get("high_label", str, nonempty=True),
        pair=pair,
        self_rating=r.get("self_rating", bool, False),
    )


def _pick(r: _Reader) -> dict[str, Any]:
    options = r.strings("options", nonempty=True)
    allow_custom = r.get("allow_custom", bool, False)
    if "pick" in r.table:
        n = r.get("pick", int)
        lo = hi = n
        name = "pick"
    else:
        lo, hi = r.get("min_picks", int, 1), r.get("max_picks", int, len(options))
        name = "max_picks"
    if lo < 0 or hi < 1 or lo > hi:
        raise r.fail(name, f"needs 0 ≤ min_picks ≤ max_picks and at least 1 pick (got {lo}–{hi})")
    if hi > len(options) and not allow_custom:
        raise r.fail(name, f"asks for {hi} picks but the list has only {len(options)} options")
    if hi > len(options) + 1 and allow_custom:
        raise r.fail(name, f"asks for {hi} picks but the list has only {len(options)} options plus one of the participant's own")
    return dict(options=options, min_picks=lo, max_picks=hi, allow_custom=allow_custom, custom_max_length=r.get("custom_max_length", int, 40))


def _text(r: _Reader) -> dict[str, Any]:
    n = r.get("max_length", int, 500)
    if not 1 <= n <= 5000:
        raise r.fail("max_length", f"must be between 1 and 5000 characters, got {n}")
    return dict(max_length=n)


def _budget(r: _Reader) -> dict[str, Any]:
    headings = r.strings("headings", nonempty=True)
    if len(headings) < 2:
        raise r.fail("headings", "a budget needs at least two headings to share between")
    total = r.get("total", int, 100)
    if total < 1:
        raise r.fail("total", f"must be a positive whole number, got {total}")
    return dict(headings=headings, total=total)


def _grid(r: _Reader) -> dict[str, Any]:
    lo, hi = r.get("min", int, 1), r.get("max", int, 10)
    if lo >= hi:
        raise r.fail("max", f"must be larger than min ({lo}), got {hi}")
    x_axis, y_axis = _read_axis(r, "x_axis"), _read_axis(r, "y_axis")
    return dict(
        min=lo,
        max=hi,
        x_axis=x_axis,
        y_axis=y_axis,
        quadrants=_read_quadrants(r, x_axis, y_axis),
        tags=r.strings("tags", nonempty=True),
        tag_label=r.get("tag_label", str, "Tag"),
        item_label=r.get("item_label", str, "Name"),
        fields=_read_fields(r, required=False),
        max_rows=_positive(r, "max_rows", 30),
        max_length=_positive(r, "max_length", 80),
    )


def _log(r: _Reader) -> dict[str, Any]:
    return dict(fields=_read_fields(r, required=True), max_rows=_positive(r, "max_rows", 30))


def _positive(r: _Reader, name: str, default: int) -> int:
    n = r.get(name, int, default)
    if n < 1:
        raise r.fail(name, f"must be at least 1, got {n}")
    return n


_KIND_READERS = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}


def load_catalogue(path: str | os.PathLike[str] | None = None) -> Catalogue:
    """Read and check a catalogue file: the given path, ``WORKSHOP_KIT_CATALOGUE``, or the kit's own."""
    path = Path(path or os.environ.get(CATALOGUE_ENV) or DEFAULT_CATALOGUE)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise CatalogueError(f"{path}: the catalogue file does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: this is not valid TOML ({exc}).") from None
    top = _Reader(path, "top level", data)
    sections = tuple(_read_section(path, i, t) for i, t in enumerate(_tables(top, "sections")))
    _no_duplicates(path, "section", [s.id for s in sections])
    section_ids = {s.id for s in sections}
    exercises = tuple(_read_exercise(path, i, t, section_ids) for i, t in enumerate(_tables(top, "exercises")))
    _no_duplicates(path, "exercise", [e.id for e in exercises])
    roles = [e.plan for e in exercises if e.plan]
    for role in sorted({x for x in roles if roles.count(x) > 1}):
        raise CatalogueError(f"{path}: plan role '{role}' is given to more than one exercise ({', '.join(e.id for e in exercises if e.plan == role)}); the plan reads one.")
    by_id = {e.id: e for e in exercises}
    follow_up = _read_follow_up(path, data["follow_up"], by_id) if "follow_up" in data else None
    return Catalogue(path=path, sections=sections, exercises=exercises, _by_id=by_id, follow_up=follow_up)


def _read_follow_up(path: Path, table: Any, by_id: dict[str, Exercise]) -> FollowUp:
    """The [follow_up] table: a wave name, a title, the weeks it is taken in, and the exercises asked again."""
    if not isinstance(table, dict):
        raise CatalogueError(f"{path}: top level, field 'follow_up': expected a table, got {table!r}")
    r = _Reader(path, "the [follow_up] table", table)
    wave = r.get("wave", str, "follow-up")
    if not _WAVE_NAME.match(wave):
        raise r.fail("wave", f"must be a short lower-case name of letters, digits and hyphens, e.g. 'follow-up' (got {wave!r})")
    weeks = r.get("weeks", list, [6, 12])
    if len(weeks) != 2 or not all(isinstance(w, int) and not isinstance(w, bool) for w in weeks) or not 0 < weeks[0] <= weeks[1]:
        raise r.fail("weeks", f"must be two whole numbers of weeks, earliest first, e.g. [6, 12] (got {weeks!r})")
    ids = r.strings("exercises", nonempty=True)
    for exercise_id in ids:
        if exercise_id not in by_id:
            raise r.fail("exercises", f"names an exercise that is not in the catalogue ({exercise_id!r})")
        if by_id[exercise_id].kind not in COMPARABLE_KINDS:
            raise r.fail("exercises", f"'{exercise_id}' is a {by_id[exercise_id].kind} exercise; a follow-up can only compare {', '.join(COMPARABLE_KINDS)} exercises")
    return FollowUp(wave=wave, title=r.get("title", str, "Follow-up", nonempty=True), weeks=(weeks[0], weeks[1]), exercises=ids)


def _tables(top: _Reader, name: str) -> list[dict[str, Any]]:
    """The [[name]] tables, refusing a list that holds anything else."""
    entries = top.get(name, list)
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise top.fail(name, f"entry #{i + 1} should be a [[{name}]] table, got {entry!r}")
    return entries


def _no_duplicates(path: Path, what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise CatalogueError(f"{path}: {what} '{item_id}', field 'id': the id is used more than once.")
        seen.add(item_id)


@lru_cache(maxsize=8)
def _cached(path: str, mtime: float) -> Catalogue:
    return load_catalogue(path)


def default_catalogue() -> Catalogue:
    """The catalogue in use (``WORKSHOP_KIT_CATALOGUE`` or the kit's own), reloaded when the file changes."""
    path = Path(os.environ.get(CATALOGUE_ENV) or DEFAULT_CATALOGUE)
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        raise CatalogueError(f"{path}: the catalogue file does not exist (check {CATALOGUE_ENV}).") from None
    return _cached(str(path), mtime)
