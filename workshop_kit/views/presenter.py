"""The presenter view: one exercise at a time on the projector, led from the facilitator's keyboard.

A small Tornado server on 127.0.0.1, started by ``workshop-kit serve`` beside the
facilitator dashboard and behind the dashboard's token.  Its first screen is the join
screen (the room link as a QR code and in large text); then → and ← step through the
catalogue's exercises, each showing "17 of 24 have answered", its chart, and the done /
help counts.  The page asks ``/api/state`` every half second; the answer is a few small
queries, and the exercise's panel (HTML from a Jinja2 template, autoescaped) is sent only
when what it shows has changed.

What the projector never shows, whatever the dashboard's names switch says: names, the
answers of private exercises (the catalogue's ``sensitive``), a result of fewer than
``MIN_GROUP`` people, and any result before the facilitator reveals it (R) unless the
exercise is set to show live (L).  What it shows is always the cohort's last *release*
(:func:`workshop_kit.summaries.compare.released`), the same answers a participant's "compare with the
cohort" reads, so no two readings (two of the projector's, or the projector's and a
participant's) differ by one person's answer.  Shown live, it moves at each release; a
revealed result stays as it was at the reveal until R is pressed again.

Run on its own: ``python -m workshop_kit.views.presenter --cohort NAME --port N`` with the token
in ``WORKSHOP_KIT_PRESENTER_TOKEN`` and the room link in ``WORKSHOP_KIT_ROOM_LINK``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Sequence
from typing import Any

import tornado.ioloop
import tornado.web
from markupsafe import Markup

from .. import settings, templating
from ..store import live
from ..catalogue.answers import validate_answer
from ..catalogue.model import KIND_NAMES, Exercise
from ..summaries.compare import Release, ReleaseWalk
from ..privacy import MIN_COHORT, MIN_GROUP, release_step
from ..errors import KitError
from ..catalogue.running_order import NOTES, Slot, pace, plans, slot_for
from ..store.responses import ResponseStore
from ..summaries.cohort import Summary, summarise_tallies

TOKEN_ENV, LINK_ENV = settings.PRESENTER_TOKEN_ENV, settings.ROOM_LINK_ENV
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
POLL_MS = 500
MAX_BARS = 16  # bars of one chart (options, words; more than 8 go in two columns); the rest are summed up in a line
HEADERS = {
    "Referrer-Policy": "no-referrer",  # the page's address holds the token
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
}

_jinja = templating.environment()  # the kit's one (workshop_kit/templating.py); presenter.css (after the palette) and .js are served as files


# --- what one exercise may show ------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: str  # the figure as shown, e.g. "7" or "42%"
    fraction: float  # of the longest bar in its group, 0–1


@dataclass(frozen=True)
class Group:
    heading: str
    bars: tuple[Bar, ...]
    more: str = ""  # "and 4 more options, 3 picks in all"


@dataclass(frozen=True)
class Result:
    """What the projector shows of one exercise's cohort result (never who)."""

    mode: str  # "private", "hidden", "waiting", "suppressed", "empty" or "shown"
    message: str = ""
    groups: tuple[Group, ...] = ()
    figures: str = ""
    note: str = ""
    people: int = 0  # answers the shown result is drawn from


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


def _bars(labels: list[str], values: Sequence[float], shown: list[str]) -> tuple[Bar, ...]:
    top = max(values, default=0) or 1
    return tuple(Bar(label, text, max(0.0, value) / top) for label, value, text in zip(labels, values, shown))


def _capped(heading: str, labels: list[str], values: Sequence[float], shown: list[str], unit: str) -> Group:
    if len(labels) <= MAX_BARS:
        return Group(heading, _bars(labels, values, shown))
    order = sorted(range(len(labels)), key=lambda i: -values[i])
    keep = sorted(order[:MAX_BARS])
    rest = len(labels) - MAX_BARS
    return Group(heading, _bars([labels[i] for i in keep], [values[i] for i in keep], [shown[i] for i in keep]), f"and {rest} more {unit}")


def chart_groups(summary: Summary) -> tuple[Group, ...]:
    """The summary as groups of bars, from the catalogue's labels and the summary's numbers only."""
    ex, table = summary.exercise, summary.table
    if ex.kind == "scale":
        groups = []
        for moment in dict.fromkeys(table["moment"]):
            rows = table[table["moment"] == moment]
            values = [int(v) for v in rows["count"]]
            heading = "" if moment == "Answer" else moment
            groups.append(Group(heading, _bars([str(v) for v in rows["value"]], values, [str(v) for v in values])))
        return tuple(groups)
    if ex.kind == "pick":
        values = [int(v) for v in table["count"]]
        return (_capped("People who chose each", list(table["option"]), values, [str(v) for v in values], "options"),)
    if ex.kind == "budget":
        means = [float(v) for v in table["mean"]]
        return (Group("Average share", _bars(list(table["heading"]), means, [f"{_fmt(round(v, 1))}%" for v in means])),)
    if ex.kind == "grid":
        items = [int(v) for v in table["items"]]
        return (Group("Items in each quadrant", _bars(list(table["quadrant"]), items, [str(v) for v in items])),)
    if ex.kind == "log":
        groups = []
        for name in dict.fromkeys(table["field"]):
            rows = table[table["field"] == name]
            values = [int(v) for v in rows["rows"]]
            groups.append(_capped(name, list(rows["choice"]), values, [str(v) for v in values], "choices"))
        return tuple(groups)
    if ex.kind == "text":
        words = summary.extras.get("Most frequent words")
        if words is None or words.empty:
            return ()
        values = [int(v) for v in words["people"]]
        return (Group("Words used by two or more people", _bars(list(words["word"]), values, [str(v) for v in values])),)
    return ()


def figures_line(summary: Summary) -> str:
    """Headline figures, e.g. 'Mean 6.2 · Median 6', or for a pair 'Mean: Now 4.1 → Needed 6.9 · 15 want more, 0 less'."""
    f, ex = summary.figures, summary.exercise
    if ex.kind == "scale" and ex.paired and "Mean shift" in f:
        now, target = ex.pair
        return f"Mean: {now} {_fmt(f[f'Mean ({now})'])} → {target} {_fmt(f[f'Mean ({target})'])} · {f['Want more']} want more, {f['Want less']} less, {f['No change']} the same"
    return " · ".join(f"{label} {_fmt(value)}" for label, value in f.items() if label != "Answered")


def is_private(exercise: Exercise) -> bool:
    """Private exercises (the catalogue's ``sensitive``) are never shown on the projector, only counted."""
    return exercise.sensitive


# --- the presenter's own state ---------------------------------------------------------------------


@dataclass
class Snapshot:
    """A revealed result: the cohort's release as it stood at the reveal, and when that was."""

    release: Release
    taken: float


def _pending_note(release: Release) -> str:
    """What is held back: answers given or changed since the release, shown once a whole step of them has come."""
    if not release.pending:
        return ""
    shown, held = len(release.answers), release.pending
    return (
        f" Showing {shown} answer{'s' if shown != 1 else ''}: {held} given or changed since {'are' if held != 1 else 'is'} "
        f"held back until {release.step} have, so no one answer can be picked out."
    )


def _tallies(exercise: Exercise, stored: list[str]) -> list[tuple[Any, int]]:
    """(answer, 1) for each stored answer that still fits the exercise (others are skipped)."""
    out = []
    for text in stored:
        try:
            out.append((validate_answer(exercise, json.loads(text)), 1))
        except (KitError, ValueError, TypeError):
            continue
    return out


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    sign = "−" if seconds < 0 else ""
    seconds = abs(int(round(seconds)))
    return f"{sign}{seconds // 60}:{seconds % 60:02d}"


@dataclass
class Presenter:
    """One cohort's presenter view: where it is, what it has revealed, and what it may show."""

    store: ResponseStore
    cohort: str
    room_link: str = ""
    min_group: int = MIN_GROUP
    min_cohort: int = MIN_COHORT
    notes: Path = NOTES
    position: int = -1  # -1: the join screen; else an index into the catalogue's exercises
    snapshots: dict[str, Snapshot] = field(default_factory=dict)
    plan_name: str = ""

    def __post_init__(self) -> None:
        self.exercises: tuple[Exercise, ...] = tuple(self.store.catalogue.exercises)
        self.sections = {s.id: s for s in self.store.catalogue.sections}
        self.plans: dict[str, list[Slot]] = plans(self.store.catalogue, self.notes)
        self.plan_name = self.plan_name if self.plan_name in self.plans else next(iter(self.plans))
        state = live.read_state(self.store, self.cohort)
        self.room_exercise = state.exercise  # where the room was last seen to be
        self._walks: dict[str, ReleaseWalk] = {}
        if state.exercise:
            self.position = self._index(state.exercise)

    def _index(self, exercise_id: str) -> int:
        return next((i for i, ex in enumerate(self.exercises) if ex.id == exercise_id), -1)

    @property
    def exercise(self) -> Exercise | None:
        return self.exercises[self.position] if self.position >= 0 else None

    def section_stem(self, exercise: Exercise) -> str:
        section = self.sections[exercise.section]
        return f"{section.number:02d}-{section.id}"

    # --- reading ---------------------------------------------------------------------------

    def follow(self, state: live.LiveState) -> None:
        """When the room is led and was moved from elsewhere (another presenter window, the dashboard), show where it went."""
        if state.exercise != self.room_exercise:
            self.room_exercise = state.exercise
            index = self._index(state.exercise) if state.exercise else -1
            if not state.self_paced and index >= 0:
                self.position = index

    def result(self, exercise: Exercise, state: live.LiveState) -> Result:
        """What may be shown of one exercise's result now."""
        if is_private(exercise):
            return Result("private", "Private answers: only the count is shown, never what anyone wrote.")
        if exercise.id in state.show_live:
            release = self._release(exercise)
            if not release.answers:
                return Result("waiting", f"Shown live: the first result appears once {release.step} people have answered.")
            note = f"Shown live, in steps of {release.step} answers so no single answer can be picked out."
            return self._shown(exercise, _tallies(exercise, list(release.answers.values())), note)
        if exercise.id in state.revealed:
            snap = self.snapshots.get(exercise.id)
            if snap is None or not snap.release.answers:  # revealed before this presenter started, or nothing to show yet: as it stands now
                snap = self._snapshot(exercise)
            if not snap.release.answers:
                return Result("waiting", f"Revealed: the result appears once {snap.release.step} people have answered.")
            note = f"As it stood when revealed at {time.strftime('%H:%M', time.localtime(snap.taken))}. Press R to update." + _pending_note(snap.release)
            return self._shown(exercise, _tallies(exercise, list(snap.release.answers.values())), note)
        return Result("hidden", "Hidden until you reveal it (press R).")

    def _release(self, exercise: Exercise) -> Release:
        """The cohort's last release of one exercise; each exercise's walk is kept, so a poll reads only the rows saved since."""
        walk = self._walks.get(exercise.id)
        if walk is None:
            walk = self._walks[exercise.id] = ReleaseWalk(self.cohort, exercise.id, release_step(self.min_cohort))
        return walk.read(self.store)

    def _snapshot(self, exercise: Exercise) -> Snapshot:
        """The result to reveal: the cohort's last release, the very answers a participant's "compare with the cohort"
        reads, so the projector and the compare line never show two sets of people one answer apart."""
        snap = self.snapshots[exercise.id] = Snapshot(self._release(exercise), time.time())
        return snap

    def _shown(self, exercise: Exercise, tallies: list[tuple[Any, int]], note: str) -> Result:
        summary = summarise_tallies(exercise, tallies, min_group=self.min_group)
        if summary.n == 0:
            return Result("empty", "No answers yet.", note=note)
        if summary.suppressed:
            return Result("suppressed", f"Fewer than {self.min_group} answers: nothing is shown, to keep answers anonymous.", note=note, people=summary.n)
        return Result("shown", groups=chart_groups(summary), figures=figures_line(summary), note=note, people=summary.n)

    def timer(self, state: live.LiveState, now: float) -> dict[str, Any]:
        if state.timer_ends is not None:
            left = state.timer_ends - now
            return {"state": "running", "left": left, "text": _clock(left) if left >= 0 else f"Time's up ({_clock(-left)} over)"}
        if state.timer_paused_left is not None:
            return {"state": "paused", "left": state.timer_paused_left, "text": f"{_clock(state.timer_paused_left)} (paused)"}
        return {"state": "off", "left": None, "text": "No timer"}

    def planned_minutes(self) -> int:
        """The current section's minutes in the chosen running order (or the catalogue's)."""
        ex = self.exercise
        if ex is None:
            return 5
        slot = slot_for(self.plans[self.plan_name], self.section_stem(ex))
        return slot.minutes if slot else self.sections[ex.section].minutes

    def pace(self, state: live.LiveState, now: float) -> dict[str, str]:
        """The ahead / behind figure for the day, and the rule behind it in words."""
        ex = self.exercise
        if state.day_started is None:
            return {"text": "Day not started", "rule": "Press “Start the day” when the day begins to see whether you are ahead of or behind the plan."}
        elapsed = (now - state.day_started) / 60
        if ex is None:
            return {"text": f"{round(elapsed)} min into the day", "rule": "Move to an exercise to compare with the plan."}
        stem = self.section_stem(ex)
        slot = slot_for(self.plans[self.plan_name], stem)
        if slot is None:
            return {"text": "Not in this plan", "rule": f"The running order “{self.plan_name}” has no slot for section {stem}."}
        word, minutes = pace(slot, elapsed)
        text = "On plan" if word == "on plan" else f"{word.capitalize()} of plan by {minutes} min" if word == "ahead" else f"Behind plan by {minutes} min"
        rule = (
            f"“{self.plan_name}” runs section {stem} from {slot.start} to {slot.start + slot.minutes} min after the day's start; "
            f"{round(elapsed)} min have passed since you pressed “Start the day”. Before the section's planned start you are ahead, after its planned end behind."
        )
        return {"text": text, "rule": rule}

    def view(self, have: str = "", now: float | None = None) -> dict[str, Any]:
        """Everything the page shows, as JSON; the panel's HTML only when it differs from ``have``."""
        now = time.time() if now is None else now
        state = live.read_state(self.store, self.cohort)
        self.follow(state)
        ex = self.exercise
        issued = self.store.issued_count(self.cohort)
        out: dict[str, Any] = {
            "screen": "join" if ex is None else "exercise",
            "self_paced": state.self_paced,
            "timer": self.timer(state, now),
            "pace": self.pace(state, now),
            "plan": self.plan_name,
            "issued": issued,
            "poll_ms": POLL_MS,
        }
        panel: dict[str, Any]
        if ex is None:
            out["count_text"] = f"{issued} {'person has' if issued == 1 else 'people have'} joined"
            panel, result = {"screen": "join", "link": self.room_link}, None
        else:
            answered = self.store.answered(self.cohort, [ex.id]).get(ex.id, 0)
            total = max(issued, answered)
            result = self.result(ex, state)
            signals = live.signal_counts(self.store, self.cohort, ex.id)
            out.update(
                exercise=ex.id,
                answered=answered,
                count_text=f"{answered} of {total} {'has' if answered == 1 and total == 1 else 'have'} answered" if total else "No one has answered yet",
                signals=signals,
                signals_text=f"{signals['done']} done · {signals['help']} need help",
                revealed=ex.id in state.revealed,
                show_live=ex.id in state.show_live,
                mode=result.mode,
                planned_minutes=self.planned_minutes(),
            )
            panel = {"screen": "exercise", "position": self.position, "result": repr(result)}
        key = hashlib.sha1(json.dumps(panel, sort_keys=True).encode()).hexdigest()[:16]
        out["panel_key"] = key
        if have != key:
            out["panel_html"] = self.panel_html(state, result)
        return out

    def panel_html(self, state: live.LiveState | None = None, result: Result | None = None) -> str:
        """The middle of the page: the join screen, or the exercise with its result (autoescaped)."""
        state = state or live.read_state(self.store, self.cohort)
        ex = self.exercise
        if ex is None:
            return _jinja.get_template("presenter_panel.html").render(join=True, cohort=self.cohort, link=self.room_link, qr=qr_svg(self.room_link))
        section = self.sections[ex.section]
        return _jinja.get_template("presenter_panel.html").render(
            join=False,
            ex=ex,
            kind=KIND_NAMES.get(ex.kind, ex.kind),
            section=section,
            number=self.position + 1,
            of=len(self.exercises),
            result=result or self.result(ex, state),
            columns=ex.kind == "scale",
        )

    # --- acting ----------------------------------------------------------------------------

    def act(self, action: str, value: str = "") -> None:
        """Do one of the keyboard's or buttons' actions (unknown ones raise KitError)."""
        now = time.time()
        state = live.read_state(self.store, self.cohort)
        ex = self.exercise
        if action in ("next", "previous", "join"):
            if action == "join":
                self.position = -1
            else:
                step = 1 if action == "next" else -1
                self.position = max(-1, min(len(self.exercises) - 1, self.position + step))
            self._lead(state)
        elif action == "reveal":
            if ex is not None and not is_private(ex):
                self._snapshot(ex)
                live.reveal(self.store, self.cohort, ex.id)
        elif action == "hide":
            if ex is not None:
                live.reveal(self.store, self.cohort, ex.id, shown=False)
                live.set_show_live(self.store, self.cohort, ex.id, False)
                self.snapshots.pop(ex.id, None)
        elif action == "show_live":
            if ex is not None and not is_private(ex):
                live.set_show_live(self.store, self.cohort, ex.id, ex.id not in state.show_live)
        elif action == "self_paced":
            state = live.update_state(self.store, self.cohort, self_paced=not state.self_paced)
            self._lead(state)
        elif action == "timer_start":
            live.update_state(self.store, self.cohort, timer_ends=now + self.planned_minutes() * 60, timer_paused_left=None)
        elif action in ("timer_add1", "timer_add5"):
            extra = 60 * (1 if action == "timer_add1" else 5)
            if state.timer_ends is not None:
                live.update_state(self.store, self.cohort, timer_ends=state.timer_ends + extra)
            elif state.timer_paused_left is not None:
                live.update_state(self.store, self.cohort, timer_paused_left=state.timer_paused_left + extra)
            else:
                live.update_state(self.store, self.cohort, timer_ends=now + extra)
        elif action == "timer_pause":
            if state.timer_ends is not None:
                live.update_state(self.store, self.cohort, timer_ends=None, timer_paused_left=max(0.0, state.timer_ends - now))
            elif state.timer_paused_left is not None:
                live.update_state(self.store, self.cohort, timer_ends=now + state.timer_paused_left, timer_paused_left=None)
        elif action == "timer_stop":
            live.update_state(self.store, self.cohort, timer_ends=None, timer_paused_left=None)
        elif action == "day_start":
            live.update_state(self.store, self.cohort, day_started=now)
        elif action == "plan":
            if value not in self.plans:
                raise KitError(f"There is no running order called {value!r}.")
            self.plan_name = value
        else:
            raise KitError(f"The presenter has no action called {action!r}.")

    def _lead(self, state: live.LiveState) -> None:
        """When the room is led (not self-paced), move the room to the presenter's exercise."""
        ex = self.exercise
        if not state.self_paced and ex is not None:
            live.update_state(self.store, self.cohort, section=self.section_stem(ex), exercise=ex.id)
            self.room_exercise = ex.id


# --- QR codes ---------------------------------------------------------------------------------------


def qr_svg(link: str) -> Markup:
    """The link as an inline SVG QR code (segno's own markup; the link itself is only encoded, never echoed)."""
    import segno

    if not link:
        return Markup("")
    svg = segno.make(link, error="m").svg_inline(scale=1, border=4, omitsize=True, svgclass="wk-qr-code", lineclass=None, dark="#000", light="#fff")
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code of the room link" ', 1))


def write_qr_files(link: str, folder: Path) -> tuple[Path, Path]:
    """Write the link as a QR code in PNG and SVG into folder (made if needed); returns both paths."""
    import segno

    folder.mkdir(parents=True, exist_ok=True)
    qr = segno.make(link, error="m")
    png, svg = folder / "room-link-qr.png", folder / "room-link-qr.svg"
    qr.save(str(png), scale=12, border=4)
    qr.save(str(svg), scale=12, border=4, title="Room link")
    return png, svg


# --- the web server -----------------------------------------------------------------------------------


class _Base(tornado.web.RequestHandler):
    def initialize(self, presenter: Presenter, token: str) -> None:
        self.presenter = presenter
        self.token = token

    def set_default_headers(self) -> None:
        for name, value in HEADERS.items():
            self.set_header(name, value)

    def allowed(self, given: str | None) -> bool:
        return bool(given and hmac.compare_digest(given.encode(), self.token.encode()))

    def refuse(self) -> None:
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("This is the facilitator's presenter view. Open it with the link workshop-kit serve printed (it holds the dashboard's token).")


class PageHandler(_Base):
    def get(self) -> None:
        if not self.allowed(self.get_query_argument("token", None)):
            return self.refuse()
        p = self.presenter
        view = p.view()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(
            _jinja.get_template("presenter.html").render(
                cohort=p.cohort, view=view, panel=Markup(view["panel_html"]), plans=list(p.plans), poll_ms=POLL_MS
            )
        )


class StateHandler(_Base):
    def get(self) -> None:
        if not self.allowed(self.request.headers.get("X-Presenter-Token")):
            return self.refuse()
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.presenter.view(self.get_query_argument("have", ""))))


class ActionHandler(_Base):
    def post(self) -> None:
        if not self.allowed(self.request.headers.get("X-Presenter-Token")):
            return self.refuse()
        try:
            body = json.loads(self.request.body or b"{}")
            self.presenter.act(str(body.get("action", "")), str(body.get("value", "")))
        except (ValueError, KitError) as exc:
            self.set_status(400)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"error": str(exc)}))
            return
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.presenter.view()))


def asset(kind: str) -> bytes:
    """The presenter's script, or its styles: the kit's palette, then presenter.css (the page may have no inline style)."""
    if kind == "css":
        return (templating.stylesheet("palette.css") + templating.stylesheet("presenter.css")).encode("utf-8")
    return (TEMPLATES / f"presenter.{kind}").read_bytes()


class AssetHandler(_Base):
    TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}

    def get(self, kind: str) -> None:
        self.set_header("Content-Type", self.TYPES[kind])
        self.set_header("Cache-Control", "no-cache")
        self.finish(asset(kind))


def make_app(presenter: Presenter, token: str) -> tornado.web.Application:
    """The presenter's routes: the page (token in the query), its JSON and actions (token in a header), its script and styles."""
    if not token:
        raise KitError("The presenter view needs a token.")
    args = {"presenter": presenter, "token": token}
    return tornado.web.Application(
        [
            (r"/", PageHandler, args),
            (r"/api/state", StateHandler, args),
            (r"/api/action", ActionHandler, args),
            (r"/presenter\.(js|css)", AssetHandler, args),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop_kit.views.presenter", description="Serve the presenter view on 127.0.0.1.")
    parser.add_argument("--cohort", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "")
    if not token:
        print(f"Set {TOKEN_ENV} to the token the presenter view should ask for.", file=sys.stderr)
        return 2
    presenter = Presenter(ResponseStore(), args.cohort, os.environ.get(LINK_ENV, ""))
    make_app(presenter, token).listen(args.port, address="127.0.0.1")
    try:
        tornado.ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # Ctrl-C in the terminal that runs serve reaches this process too
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
