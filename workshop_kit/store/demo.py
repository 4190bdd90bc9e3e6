"""A demo cohort: realistic, varied answers to every exercise, so a facilitator can rehearse.

:func:`demo_rows` builds the rows (valid answers in their stored form, see ``answers.py``)
without touching a store; :func:`make_demo_cohort` writes them in bulk.  The same seed
gives the same rows, with the same ids, so running the demo twice adds nothing the
second time.  Built for speed: 30,000 participants are a few seconds of work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from functools import lru_cache
from itertools import islice
from typing import Any

from .._version import __version__
from ..catalogue.model import BudgetExercise, Catalogue, Field, GridExercise, LogExercise, PickExercise, ScaleExercise, TextExercise, default_catalogue
from .responses import Response, ResponseStore

FIRST_NAMES = """Aisha Alex Amara Ben Bethan Carys Chen Chloe Dan Deepa Eilidh Emeka Fatima Femi Fiona
Gareth Grace Hannah Harpreet Ian Imran Isla Jack James Jo Kate Kwame Laura Leah Liam Mairead Marcus
Maria Mei Mo Nadia Niamh Nikhil Olu Owen Priya Rachel Rhys Rosa Ruth Sam Sanjay Sarah Sean Siobhan
Tom Tariq Una Wei Yusuf Zara""".split()
LAST_NAMES = """Adebayo Ahmed Baxter Bennett Campbell Chowdhury Clarke Davies Edwards Evans Fraser
Gallagher Green Hughes Hussain Islam Jones Kaur Kelly Khan Lewis Li MacDonald Martin Morgan Murphy
Nash Nowak Okafor Osei Owusu Patel Price Quinn Rahman Reid Roberts Robinson Shah Singh Smith Taylor
Thomas Turner Walker Watson Williams Wilson Wright Young""".split()

CUSTOM_PICKS = [
    "Clinical safety officer",
    "Data and analytics",
    "Cyber security",
    "Patient safety",
    "Digital inclusion",
    "Procurement",
    "Resilient",
    "Calm under pressure",
    "Honest",
    "Curious",
    "Our ICB digital team",
    "Shadowing a board member",
]

TEXT = {
    "goal.statement": (
        ["Every clinician in our ICS", "Every patient in our area", "Our frontline staff", "Our community teams", "Every ward"],
        [
            "sees one shared record",
            "can book and change appointments online",
            "spends half the time on admin",
            "gets results the same day",
            "works paper-free",
            "logs in once for every system",
        ],
        ["within three years.", "by the end of next year.", "without extra headcount.", "and trusts the data they see.", "."],
    ),
    "iwe.learning-commitment": (
        ["I will", "Over the next quarter I will", "By the summer I will", "Each month I will"],
        [
            "read one board paper outside IT",
            "meet a clinical director for coffee",
            "shadow our finance director",
            "finish a coaching course",
            "ask my team to lead the roadmap session",
            "practise presenting without slides",
        ],
        ["and note what I learned.", "and ask my mentor for feedback.", "and review it with my manager.", "and share it with my team."],
    ),
}
FEEDBACK_TEXT = {  # the closing minute card: said about the day, so never padded with GENERIC_TEXT
    "close.worked": (
        ["The", "For me the", "Honestly, the", "I liked the"],
        ["risk appetite scales", "stakeholder grid", "audacious goal session", "pairs conversations", "iceberg spotting", "time budget"],
        ["made me think.", "were worth the day.", "gave me something to take back.", "was the best part.", "."],
    ),
    "close.change": (
        ["More time for", "Less time on", "I would have liked more", "Please add a break before"],
        ["the pairs work", "the welcome", "examples from other trusts", "the development plan", "the afternoon sections", "discussion at tables"],
        ["next time.", "in the afternoon.", "and fewer slides.", "."],
    ),
}
GENERIC_TEXT = (
    ["I think", "Honestly,", "In our trust", "For me", "Looking at the year ahead,"],
    [
        "the board expects quick wins",
        "our clinical leads want more say",
        "the budget is the real constraint",
        "we need better data before deciding",
        "my team is ready for more responsibility",
        "the ICS agenda will shape everything",
    ],
    ["and I need to plan for it.", "so I will start small.", "which worries me a little.", "and that is the opportunity."],
)

GRID_ITEMS = {
    "system.map": [
        ("My deputy", "My team"),
        ("Service desk lead", "My team"),
        ("Infrastructure team", "My team"),
        ("Chief executive", "My organisation"),
        ("Finance director", "My organisation"),
        ("Medical director", "My organisation"),
        ("Chief nurse", "My organisation"),
        ("CCIO", "My organisation"),
        ("Clinical directors", "My organisation"),
        ("Information governance lead", "My organisation"),
        ("ICB digital lead", "Local health community (ICS)"),
        ("Neighbouring trust CIO", "Local health community (ICS)"),
        ("GP federation", "Local health community (ICS)"),
        ("Local authority IT", "Local health community (ICS)"),
        ("Shared care record board", "Local health community (ICS)"),
        ("NHS England region", "National"),
        ("National digital programmes", "National"),
        ("EPR supplier", "National"),
    ],
    "iceberg.horizon": [
        ("AI scribes in clinics", "Technology"),
        ("Federated data platform", "Technology"),
        ("Ageing network hardware", "Technology"),
        ("New cyber standards", "Policy"),
        ("ICB merger", "Policy"),
        ("Single patient record", "Policy"),
        ("Capital budget cut", "Finance"),
        ("Recurrent savings target", "Finance"),
        ("Digital skills shortage", "Workforce"),
        ("Strikes and rota gaps", "Workforce"),
        ("Virtual wards", "Clinical practice"),
        ("Genomic testing", "Clinical practice"),
        ("Patients expect app access", "Public expectations"),
        ("Online booking everywhere", "Public expectations"),
    ],
}
LOG_NAMES = {
    "stakeholder": ["Finance director", "Medical director", "Chief nurse", "ICB digital lead", "Head of estates", "COO", "CCIO", "Clinical director, surgery"],
    "group": ["Ward clerks", "Night staff", "Patients", "Service desk", "Supplier team", "Junior doctors", "Pharmacy", "Community nurses"],
}
PHRASES = [
    "Worried about winter pressures",
    "Wants faster reporting",
    "Needs fewer logins",
    "A clear timetable",
    "Monthly update on progress",
    "Fix the printing problems",
    "Would welcome training",
    "Sceptical but open",
    "Keen to pilot",
]
BUDGETS = {
    "week.time-budget": [6.0, 2.5, 1.5, 1.0],
    "week.time-budget-target": [3.0, 3.0, 2.5, 2.0],
}

Generator = Callable[[random.Random, float], Any]
BATCH = 50_000  # rows per transaction when writing a demo cohort


def _clip(value: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(value)))


def _scale(ex: ScaleExercise, rng: random.Random) -> Generator:
    span = ex.max - ex.min
    centre = ex.min + span * rng.uniform(0.3, 0.65)
    if not ex.paired:
        return lambda r, bold: _clip(r.gauss(centre + bold * span * 0.12, span * 0.18), ex.min, ex.max)
    lift = span * rng.uniform(0.12, 0.3)

    def paired(r: random.Random, bold: float) -> dict[str, int]:
        now = _clip(r.gauss(centre + bold * span * 0.12, span * 0.18), ex.min, ex.max)
        return {"now": now, "target": _clip(now + r.gauss(lift, span * 0.12), ex.min, ex.max)}

    return paired


def _pick(ex: PickExercise, rng: random.Random) -> Generator:
    weights = [rng.random() ** 2 + 0.05 for _ in ex.options]
    options = list(ex.options)
    folded = {o.casefold() for o in options}
    own = [c[: ex.custom_max_length] for c in CUSTOM_PICKS if c.casefold() not in folded]
    most = min(ex.max_picks, len(options))
    weight = dict(zip(options, weights))

    def pick(r: random.Random, bold: float) -> list[str]:
        k = _clip(r.triangular(ex.min_picks, most, ex.min_picks + (most - ex.min_picks) * 0.3), ex.min_picks, most)
        # weighted sampling without replacement (Efraimidis–Spirakis keys)
        chosen = sorted(options, key=lambda o: -(r.random() ** (1 / weight[o])))[:k]
        if ex.allow_custom and own and r.random() < 0.12:
            if len(chosen) < ex.max_picks:
                chosen.append(_choice(r, own))
            else:  # a full hand: swap the last pick for an entry of their own
                chosen[-1] = _choice(r, own)
        return chosen

    return pick


def _sentence(parts: tuple[list[str], list[str], list[str]], r: random.Random, limit: int) -> str:
    text = " ".join(_choice(r, p) for p in parts).replace(" .", ".")
    if r.random() < 0.4:
        text += " " + " ".join(_choice(r, p) for p in GENERIC_TEXT).replace(" .", ".")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def _text(ex: TextExercise, rng: random.Random) -> Generator:
    if ex.id in FEEDBACK_TEXT:
        parts = FEEDBACK_TEXT[ex.id]
        return lambda r, bold: " ".join(_choice(r, p) for p in parts).replace(" .", ".")[: ex.max_length]
    parts = TEXT.get(ex.id, GENERIC_TEXT)
    return lambda r, bold: _sentence(parts, r, ex.max_length)


def _budget(ex: BudgetExercise, rng: random.Random) -> Generator:
    alphas = BUDGETS.get(ex.id) or [rng.uniform(1, 4) for _ in ex.headings]
    alphas = (alphas + [2.0] * len(ex.headings))[: len(ex.headings)]
    step = 5 if ex.total % 5 == 0 else 1

    def budget(r: random.Random, bold: float) -> dict[str, int]:
        weights = [r.gammavariate(a, 1.0) + 1e-9 for a in alphas]
        scale = ex.total / sum(weights)
        shares = [round(w * scale / step) * step for w in weights]
        biggest = max(range(len(shares)), key=shares.__getitem__)
        shares[biggest] += ex.total - sum(shares)
        if shares[biggest] < 0:  # rounding pushed it below zero: give everything to it
            shares = [0] * len(shares)
            shares[biggest] = ex.total
        return dict(zip(ex.headings, shares))

    return budget


@lru_cache(maxsize=None)
def _numbered(label: str) -> tuple[str, ...]:
    return tuple(f"{label} {i}" for i in range(1, 9))


def _field_value(f: Field, r: random.Random, today: dt.date) -> Any:
    if f.type == "choice":
        return _choice(r, f.choices)
    if f.type == "number":
        return _randint(r, f.min, f.max)
    if f.type == "date":
        return (today + dt.timedelta(days=_randint(r, -30, 90))).isoformat()
    if f.required:
        return _choice(r, LOG_NAMES.get(f.name) or _numbered(f.label))[: f.max_length]
    return _choice(r, PHRASES)[: f.max_length] if r.random() < 0.8 else ""


def _grid(ex: GridExercise, rng: random.Random) -> Generator:
    bank = [(n[: ex.max_length], t) for n, t in GRID_ITEMS.get(ex.id, []) if t in ex.tags]
    bank = bank or [(f"{ex.item_label} {i}"[: ex.max_length], ex.tags[i % len(ex.tags)]) for i in range(1, 13)]
    today = dt.date.today()

    def grid(r: random.Random, bold: float) -> list[dict[str, Any]]:
        k = _randint(r, min(3, len(bank)), min(8, len(bank), ex.max_rows))
        items = []
        for name, tag in r.sample(bank, k):
            item = {"name": name, "x": _randint(r, ex.min, ex.max), "y": _randint(r, ex.min, ex.max), "tag": tag}
            item.update({f.name: _field_value(f, r, today) for f in ex.fields})
            items.append(item)
        return items

    return grid


def _log(ex: LogExercise, rng: random.Random) -> Generator:
    today = dt.date.today()

    def log(r: random.Random, bold: float) -> list[dict[str, Any]]:
        rows = []
        for _ in range(_randint(r, 1, min(6, ex.max_rows))):
            row = {f.name: _field_value(f, r, today) for f in ex.fields}
            if all(v in ("", None) for v in row.values()):
                first = ex.fields[0]
                row[first.name] = _field_value(Field(first.name, first.label, first.type, first.max_length, first.choices, first.min, first.max, True), r, today)
            rows.append(row)
        return rows

    return log


# Each maker takes its own kind's exercise; the demo picks the one for the exercise's kind.
_MAKERS: dict[str, Callable[[Any, random.Random], Generator]] = {"scale": _scale, "pick": _pick, "text": _text, "budget": _budget, "grid": _grid, "log": _log}


def participant_names(count: int) -> list[str]:
    """``count`` distinct, realistic names (a number is added once the combinations run out)."""
    combos = [f"{f} {l}" for l in LAST_NAMES for f in FIRST_NAMES]
    random.Random(7).shuffle(combos)
    return [combos[i] if i < len(combos) else f"{combos[i % len(combos)]} {i // len(combos) + 1}" for i in range(count)]


def demo_rows(
    participants: int = 30, cohort: str = "demo", seed: int | None = None, *, catalogue: Catalogue | None = None
) -> list[Response]:
    """Rows for a demo cohort: most participants answer most exercises, some more than once."""
    return list(iter_demo_rows(participants, cohort, seed, catalogue=catalogue))


def iter_demo_rows(
    participants: int = 30, cohort: str = "demo", seed: int | None = None, *, catalogue: Catalogue | None = None
) -> Iterator[Response]:
    """The rows of :func:`demo_rows`, one at a time (for cohorts too big to hold at once)."""
    catalogue = catalogue or default_catalogue()
    rng = random.Random(seed)
    makers = [(ex, _MAKERS[ex.kind](ex, rng), 0.8 if ex.kind == "text" else 0.93) for ex in catalogue.exercises]
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=3)
    for name in participant_names(participants):
        bold = rng.gauss(0, 1)
        when = start + dt.timedelta(seconds=_randint(rng, 0, 1800))
        for ex, make, rate in makers:
            if rng.random() > rate:
                continue
            when += dt.timedelta(seconds=_randint(rng, 20, 240))
            if rng.random() < 0.05:  # an earlier version, later changed
                yield Response(_uid(rng), cohort, name, ex.id, make(rng, bold), when - dt.timedelta(seconds=10), __version__)
            yield Response(_uid(rng), cohort, name, ex.id, make(rng, bold), when, __version__)


def iter_follow_up_rows(
    participants: int = 30, cohort: str = "demo", seed: int | None = None, *, catalogue: Catalogue | None = None, share: float = 0.8
) -> Iterator[Response]:
    """Follow-up rows for a demo cohort: ``share`` of its participants (the same names) answer the re-asked exercises again, a little bolder."""
    from ..catalogue.waves import follow_up_of, wave_cohort

    catalogue = catalogue or default_catalogue()
    follow_up = follow_up_of(catalogue)
    later = wave_cohort(cohort, follow_up.wave)
    rng = random.Random(None if seed is None else seed + 1)
    makers = [(ex, _MAKERS[ex.kind](ex, rng)) for ex in (catalogue.exercise(i) for i in follow_up.exercises)]
    start = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(hours=1)
    for name in participant_names(participants)[: round(participants * share)]:
        bold = rng.gauss(0.8, 1)  # six weeks on, most have moved a little
        when = start + dt.timedelta(seconds=_randint(rng, 0, 1800))
        for ex, make in makers:
            when += dt.timedelta(seconds=_randint(rng, 20, 240))
            yield Response(_uid(rng), later, name, ex.id, make(rng, bold), when, __version__)


def make_demo_follow_up(store: ResponseStore | None = None, participants: int = 30, cohort: str = "demo", seed: int | None = None, share: float = 0.8) -> int:
    """Add a demo cohort's follow-up wave (see :func:`iter_follow_up_rows`); returns how many rows were added."""
    if store is None:
        from .responses import default_store

        store = default_store()
    rows = iter_follow_up_rows(participants, cohort, seed, catalogue=store.catalogue, share=share)
    added = 0
    while batch := list(islice(rows, BATCH)):
        added += store.add_responses(batch)
    return added


def _uid(rng: random.Random) -> str:
    """A version-4 UUID drawn from the seeded generator (same seed, same ids)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def _randint(r: random.Random, lo: int, hi: int) -> int:
    """Like ``r.randint`` but several times faster (this module draws millions)."""
    return lo + int(r.random() * (hi - lo + 1))


def _choice(r: random.Random, seq: Any) -> Any:
    return seq[int(r.random() * len(seq))]


def make_demo_cohort(store: ResponseStore | None = None, participants: int = 30, cohort: str = "demo", seed: int | None = None) -> int:
    """Fill the store (default: ``WORKSHOP_KIT_STORE``) with a demo cohort; returns how many rows were added.

    Rows go in batches, so even 30,000 participants need little memory.
    """
    if store is None:
        from .responses import default_store

        store = default_store()
    rows = iter_demo_rows(participants, cohort, seed, catalogue=store.catalogue)
    added = 0
    while batch := list(islice(rows, BATCH)):
        added += store.add_responses(batch)
    return added
