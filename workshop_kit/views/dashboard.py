"""The live facilitator dashboard: one card per exercise, refreshed every few seconds.

``facilitator_dashboard()`` is the one line in ``notebooks/facilitator-dashboard.ipynb``.
Choose a cohort and a section; each exercise shows how many have answered, a chart and a
small table.  Every few seconds the store is asked which exercises got answers since
the last look (the store is append-only); only those are read and summarised again,
only cards whose data changed are redrawn (so the projector does not flicker), and a
chart is drawn only for a summary not seen before.  *Refresh* reads the cohort afresh.  The timer is an asyncio
task on the kernel's event loop: it starts only when a loop is running (JupyterLab,
Voilà), stops when the widget is closed, and never keeps a kernel alive.

Anonymous by default: no one is named or listed, no breakdown under the minimum group
size, private answers reduced to counts.  The *Show names* switch is for the
facilitator's own screen: it lists who has joined and how many answers each has saved
(those with none first), shows names beside the shared free-text answers (in a room
served by Voilà, the name each participant typed, not their answer key) and lifts the
small-group rule, but private answers stay counts only.
Everything participants typed is escaped before it becomes HTML.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from typing import Any

import ipywidgets as widgets
import pandas as pd

from .. import settings
from ..bidi import isolate
from ..catalogue.model import KIND_NAMES, Exercise
from ..page_css import CONTROL_MAX_WIDTH, PAGE_CSS
from .. import templating
from .charts import ChartCache
from ..store.responses import ResponseStore, default_store
from ..summaries.cohort import Summary, cohort_summaries, shown_names
from ..privacy import MIN_GROUP

ALL_SECTIONS = "*"
SMALL_ROWS = 5  # rows of participants' own words shown on a card
CLIP = 160  # characters of one answer shown on a card




def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        return f"{value:.1f}" if not value.is_integer() else str(int(value))
    return str(value)


def table_html(frame: pd.DataFrame, max_rows: int | None = None, clip: int = CLIP) -> str:
    """A DataFrame as a small HTML table; every cell escaped, long text clipped, its direction isolated."""
    rows = frame if max_rows is None else frame.head(max_rows)
    body = []
    for record in rows.itertuples(index=False):
        cells = []
        for value in record:
            text = _fmt(value)
            text = text if len(text) <= clip else text[: clip - 1] + "…"
            cells.append((isolate(text), isinstance(value, (int, float))))
        body.append(cells)
    return str(_macros().table([str(c) for c in frame.columns], body, len(frame) - len(rows)))


def _macros() -> Any:
    return templating.macros("dashboard.html")


def headline(summary: Summary) -> str:
    """The card's figures on one line, e.g. 'Mean Now 4.2 → In 12 months 6.1 · median shift +2 · 20 want more'."""
    f, ex = summary.figures, summary.exercise
    if ex.kind == "scale" and ex.paired and "Mean shift" in f:
        now, target = ex.pair
        return (
            f"Mean {now} {_fmt(f[f'Mean ({now})'])} → {target} {_fmt(f[f'Mean ({target})'])} · "
            f"median shift {f['Median shift']:+g} · {f['Want more']} want more, {f['Want less']} less"
        )
    return " · ".join(f"{label} {_fmt(value)}" for label, value in f.items() if label != "Answered")


def card_html(summary: Summary, total: int, chart_uri: str | None) -> str:
    """One exercise's card: title, how many answered, chart, small table, note (all escaped)."""
    ex = summary.exercise
    tables = []
    if ex.kind == "text" and not summary.table.empty:
        tables.append(templating.markup(table_html(summary.table, SMALL_ROWS)))
    own = summary.extras.get("Own entries")
    if own is not None and not own.empty:
        tables.append(templating.markup(table_html(own, SMALL_ROWS)))
    return str(
        _macros().card(ex.id, KIND_NAMES.get(ex.kind, ex.kind), ex.title, summary.n, total, chart_uri, headline(summary), tables, summary.note)
    )


ROSTER_ROWS = 60  # people listed by the names switch before "… and N more"


def roster_html(store: ResponseStore, cohort: str) -> str:
    """For the names switch: everyone who has joined the cohort, fewest answers first (names escaped).

    Room participants who have joined but saved nothing yet are listed with 0, so a
    facilitator can see who is stuck; a name listed twice usually means someone opened
    the welcome page twice.
    """
    saved = store.answers_by_participant(cohort)
    shown = shown_names(store, cohort)
    people = sorted(((shown.get(key, key), saved.get(key, 0)) for key in {*shown, *saved}), key=lambda p: (p[1], p[0].casefold(), p[0]))
    if not people:
        return ""
    stuck = sum(1 for _, count in people if count == 0)
    table = table_html(pd.DataFrame({"name": [n for n, _ in people], "answers saved": [c for _, c in people]}), ROSTER_ROWS)
    return str(_macros().roster(len(people), stuck, templating.markup(table)))


def collect(
    store: ResponseStore, cohort: str, *, names: bool = False, min_group: int = MIN_GROUP, exercises: tuple[Exercise, ...] | None = None
) -> tuple[int, dict[str, Summary]]:
    """How many participants the cohort has, and every exercise's (or those given) summary, read afresh.

    With names on the small-group rule is lifted (a breakdown hides nothing then).
    """
    summaries = cohort_summaries(store, cohort, names=names, min_group=1 if names else min_group, exercises=exercises)
    return store.participant_count(cohort), summaries


# --- noticing what is new ---------------------------------------------------------------------


class CohortWatch:
    """Which exercises of one cohort got answers since the last look.

    The store is append-only, so anything saved since has a higher row id.  When the
    cohort holds other than the rows seen plus the new ones (someone was forgotten; or, on
    PostgreSQL, a row with a lower id committed late) :meth:`changed` answers None and
    the caller reads everything again.  Make the watch *before* reading the cohort: a row
    saved in between is then reported again, harmlessly, rather than missed.
    """

    def __init__(self, store: ResponseStore, cohort: str):
        self.store, self.cohort = store, cohort
        self.rows, self.last_id = store.cohort_extent(cohort)

    def changed(self) -> set[str] | None:
        """The ids of exercises with rows saved since the last look (empty if none), or None to read afresh."""
        total, new = self.store.rows_after(self.cohort, self.last_id)
        if total != self.rows + len(new):
            return None
        self.rows = total
        self.last_id = max([self.last_id, *(row_id for row_id, _ in new)])
        return {exercise_id for _, exercise_id in new}


class Dashboard(widgets.VBox):
    """The facilitator's live view of one cohort; ``refresh()`` redraws only what changed."""

    def __init__(
        self,
        store: ResponseStore | None = None,
        cohort: str | None = None,
        *,
        refresh_seconds: float = 5.0,
        min_group: int = MIN_GROUP,
        autostart: bool = True,
    ):
        super().__init__()
        self.add_class("wk-dash")
        self.store = store or default_store()
        self.refresh_seconds = refresh_seconds
        self.min_group = min_group
        self._task: asyncio.Task | None = None
        self._seen: dict[str, str] = {}  # exercise id -> card mark on screen (fingerprint/total)
        self._watch: CohortWatch | None = None  # what has been read of the cohort so far
        self._names_shown: bool | None = None  # the names switch when the summaries were made
        self._summaries: dict[str, Summary] = {}  # exercise id -> its current summary
        self._prints: dict[str, tuple[Summary, str]] = {}  # exercise id -> (summary, its fingerprint)
        self._charts = ChartCache()  # chart data URIs by summary fingerprint
        self._total = 0
        self.exercises: tuple[Exercise, ...] = self.store.catalogue.exercises
        self._build_controls(cohort)
        self._build_cards()
        self.roster = widgets.HTML()  # with names on: who has joined, and how much each has saved
        self.roster.add_class("wk-roster")
        self.children = [self.header, self.warning, self.roster, self.body]
        if autostart:
            self.start()
        self.refresh()

    # --- building ------------------------------------------------------------------------

    def _build_controls(self, cohort: str | None) -> None:
        wanted = cohort or os.environ.get(settings.COHORT_ENV)
        cohorts = self._cohort_options(wanted)
        self.cohort = widgets.Dropdown(options=cohorts, value=wanted if wanted in cohorts else (cohorts[0] if cohorts else None), description="Cohort")
        sections = [("All sections", ALL_SECTIONS)] + [(f"{s.number}. {s.title}", s.id) for s in self.store.catalogue.sections]
        self.section = widgets.Dropdown(options=sections, value=ALL_SECTIONS, description="Section", layout=widgets.Layout(width="380px", max_width=CONTROL_MAX_WIDTH))
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh", tooltip="Check for new answers now")
        self.names = widgets.ToggleButton(
            value=False,
            description="Show names (facilitator only)",
            icon="eye-slash",
            tooltip="List who has joined and who wrote each shared free-text answer. Do not use on the projector.",
            layout=widgets.Layout(width="240px", max_width=CONTROL_MAX_WIDTH),
        )
        self.status = widgets.HTML()
        self.status.add_class("wk-status")
        self.warning = widgets.HTML()
        for w, cls in ((self.cohort, "wk-cohort"), (self.section, "wk-section-choice"), (self.refresh_button, "wk-refresh"), (self.names, "wk-names")):
            w.add_class(cls)
        self.header = widgets.VBox(
            [widgets.HTML(templating.style("dashboard.css", extra=PAGE_CSS)), widgets.HBox([self.cohort, self.section, self.refresh_button, self.names], layout=widgets.Layout(flex_flow="row wrap")), self.status]
        )
        self.cohort.observe(self._on_cohort_change, names="value")
        self.section.observe(self._on_section_change, names="value")
        self.names.observe(self._on_names_change, names="value")
        self.refresh_button.on_click(self._on_refresh_click)

    def _build_cards(self) -> None:
        self.cards = {ex.id: widgets.HTML() for ex in self.exercises}
        self.sections: dict[str, widgets.VBox] = {}
        for section in self.store.catalogue.sections:
            cards = [self.cards[ex.id] for ex in self.exercises if ex.section == section.id]
            title = widgets.HTML(str(_macros().section_title(section.number, section.title)))
            row = widgets.Box(cards, layout=widgets.Layout(display="flex", flex_flow="row wrap"))
            row.add_class("wk-cards")
            box = widgets.VBox([title, row])
            box.add_class("wk-section")
            self.sections[section.id] = box
        self.body = widgets.VBox(list(self.sections.values()))

    def _cohort_options(self, wanted: str | None = None) -> list[str]:
        cohorts = self.store.cohorts()
        current = getattr(getattr(self, "cohort", None), "value", None)
        return sorted({*cohorts, *(c for c in (wanted, current) if c)})

    # --- handlers (thin) -------------------------------------------------------------------

    def _on_cohort_change(self, change: dict) -> None:
        self.refresh(force=True)

    def _on_names_change(self, change: dict) -> None:
        self.names.icon = "eye" if change["new"] else "eye-slash"
        self.names.button_style = "danger" if change["new"] else ""
        self.refresh(force=True)

    def _on_section_change(self, change: dict) -> None:
        chosen = change["new"]
        self.body.children = [box for sid, box in self.sections.items() if chosen in (ALL_SECTIONS, sid)]

    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh(force=True)

    # --- refreshing ------------------------------------------------------------------------

    def refresh(self, force: bool = False) -> int:
        """Check the store and redraw the cards whose data changed; returns how many were redrawn.

        A tick reads only the rows saved since the last one and re-summarises only the
        exercises that got new answers; charts are drawn only for summaries not seen
        before.  A forced refresh (the button, another cohort, the names switch) reads the
        cohort afresh, and so does a tick that finds rows gone (someone was forgotten).
        """
        self._update_cohorts()
        cohort, names = self.cohort.value, self.names.value
        self.warning.value = (
            str(_macros().warning()) if names else ""
        )
        self.roster.value = roster_html(self.store, cohort) if names and cohort is not None else ""
        if cohort is None:
            self.status.value = f"No answers saved yet. This page checks again every {self.refresh_seconds:g} seconds."
            return 0
        watch = self._watch
        changed = None if force or watch is None or watch.cohort != cohort or self._names_shown != names else watch.changed()
        if changed is not None and not changed:  # nothing saved since the last look
            self._stamp(cohort, None)
            return 0
        if changed is None:
            self._watch = CohortWatch(self.store, cohort)  # before reading: see CohortWatch
        redo = tuple(ex for ex in self.exercises if changed is None or ex.id in changed)
        total, summaries = collect(self.store, cohort, names=names, min_group=self.min_group, exercises=redo)
        self._summaries.update(summaries)
        self._names_shown = names
        updates = self.render_changes(total, self._summaries)
        self._apply(updates)
        self._stamp(cohort, total)
        return len(updates)

    def render_changes(self, total: int, summaries: dict[str, Summary]) -> dict[str, tuple[str, str]]:
        """HTML for the cards whose summary or total differs from what is on screen: id -> (mark, html).

        The chart depends on the summary alone, so it is keyed on the summary's fingerprint:
        a new participant changes every card's "n of total" line but redraws only the
        charts whose data changed.
        """
        updates = {}
        for ex_id, summary in summaries.items():
            fingerprint = self._fingerprint(ex_id, summary)
            mark = f"{fingerprint}/{total}"
            if self._seen.get(ex_id) != mark:
                updates[ex_id] = (mark, card_html(summary, total, self._charts.uri(summary, fingerprint)))
        return updates

    def _fingerprint(self, ex_id: str, summary: Summary) -> str:
        held = self._prints.get(ex_id)
        if held is None or held[0] is not summary:
            held = self._prints[ex_id] = (summary, summary.fingerprint())
        return held[1]

    def _apply(self, updates: dict[str, tuple[str, str]]) -> None:
        for ex_id, (mark, text) in updates.items():
            self.cards[ex_id].value = text
            self._seen[ex_id] = mark

    def _update_cohorts(self) -> None:
        options = self._cohort_options()
        if list(self.cohort.options) != options:
            current = self.cohort.value
            with self.cohort.hold_trait_notifications():
                self.cohort.options = options
                self.cohort.value = current if current in options else (options[0] if options else None)

    def _stamp(self, cohort: str, total: int | None) -> None:
        if total is not None:
            self._total = total
        now = dt.datetime.now().strftime("%H:%M:%S")
        every = f" · refreshes every {self.refresh_seconds:g} s" if self.running else ""
        people = f"{self._total} participant{'s' if self._total != 1 else ''}"
        self.status.value = str(_macros().status(isolate(cohort), people, now, every))

    # --- the timer -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the periodic refresh is scheduled."""
        return self._task is not None and not self._task.done()

    def start(self) -> bool:
        """Refresh every ``refresh_seconds`` on the running event loop; False if there is none."""
        if self.running:
            return True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        self._task = loop.create_task(self._tick())
        return True

    def stop(self) -> None:
        """Stop the periodic refresh."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.refresh_seconds)
            if self.comm is None:  # closed
                return
            try:
                self.refresh()
            except Exception as exc:  # keep ticking: the store may be busy or briefly unreachable
                self.status.value = str(_macros().refresh_error(str(exc)))

    def close(self) -> None:
        """Stop the timer and close every widget of the dashboard."""
        self.stop()
        for w in (*self.cards.values(), *self.sections.values(), self.cohort, self.section, self.refresh_button, self.names, self.status, self.warning, self.roster):
            w.close()
        super().close()


_current: Dashboard | None = None


def facilitator_dashboard(
    store: ResponseStore | None = None, cohort: str | None = None, *, refresh_seconds: float = 5.0, min_group: int = MIN_GROUP
) -> Dashboard:
    """The live dashboard (replacing, and stopping, one made earlier in this kernel)."""
    global _current
    if _current is not None:
        _current.close()
    _current = Dashboard(store, cohort, refresh_seconds=refresh_seconds, min_group=min_group)
    return _current

