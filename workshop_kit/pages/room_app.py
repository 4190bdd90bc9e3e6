"""The room page: one kernel per participant, showing every section inside one page.

``workshop-kit serve`` serves one Voilà page to the room (``room.ipynb``, written by the
server), from a pool of kernels started ahead of time.  A pooled kernel runs
:func:`warm` before anyone asks for it (imports, catalogue, the section notebooks read and
their text turned into HTML), then waits in :func:`show` until Voilà hands it a request.
Only then does it learn whose page it is (the personal code in the link) and which section
was asked for, and it builds that section's exercises.  Moving to another section is a
button in the page: the same kernel builds the next section's exercises, so a room that
moves on together starts no kernel at all.  Sections already built are kept, so unsaved
entries survive going back and forth.

The section notebooks stay the one source of content: markdown cells are shown as text and
each code cell (``kit.exercise("risk.appetite")``) is evaluated here, as Voilà or JupyterLab
would.  Nothing typed in the browser is ever executed.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import random
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import ipywidgets as widgets

from .. import templating
from ..session import room
from . import room_panel
from ..session.who import current_identity
from ..widgets.base import exercise_class
from ..widgets.landing import Landing

PAGE_PARAM = "page"
EXERCISE_PARAM = "exercise"  # the exercise a link lands on (the welcome page's "next unanswered exercise")
HOME = room.WELCOME_PAGE
_NOTEBOOK_LINK = re.compile(r'href="(\d\d-[\w.-]+\.ipynb)(#[^"]*)?"')
_CODE_MARK = "__WK_ROOM_CODE__"  # stands for the participant's code in links prepared before the request


@dataclass
class Cell:
    """One cell of a section notebook, prepared before anyone asks: HTML text, or code to evaluate."""

    kind: str  # "markdown" or "code"
    text: str


@dataclass
class Section:
    """A section notebook: its file name, title and cells."""

    page: str
    title: str
    cells: list[Cell] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.page.removesuffix(".ipynb")


def markdown_html(text: str) -> str:
    """The notebook's own markdown as HTML; links to sibling notebooks keep the participant's code."""
    rendered = _markdown()(text)
    return _NOTEBOOK_LINK.sub(lambda m: f'href="?{room.CODE_PARAM}={_CODE_MARK}&amp;{PAGE_PARAM}={quote(m.group(1))}"', str(rendered))


_MARKDOWN: Any = None


def _markdown() -> Any:
    global _MARKDOWN
    if _MARKDOWN is None:
        import mistune

        _MARKDOWN = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])
    return _MARKDOWN


def read_section(path: Path) -> Section:
    """A section notebook read from disk, markdown already turned into HTML."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = []
    for cell in notebook.get("cells", []):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "markdown":
            cells.append(Cell("markdown", markdown_html(text)))
        elif cell.get("cell_type") == "code" and "setup" not in tags and text.strip():
            cells.append(Cell("code", text))
    return Section(path.name, room._title(path), cells)


def read_sections(folder: Path, *, follow_up: bool = False) -> dict[str, Section]:
    """Every page of the room, the welcome page first, by file name (the follow-up last, with ``follow_up``)."""
    pages = [folder / HOME] + [folder / page for page, _title in room.section_pages(folder, follow_up=follow_up)]
    return {path.name: read_section(path) for path in pages if path.is_file()}


def evaluate(code: str, namespace: dict[str, Any]) -> Any:
    """Run a notebook cell's code as a notebook would and return its last expression's value."""
    tree = ast.parse(code, mode="exec")
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<section>", "exec"), namespace)  # noqa: S102 - the kit's own notebook files, never browser input
    if not isinstance(last, ast.Expr):
        return None
    return eval(compile(ast.Expression(last.value), "<section>", "eval"), namespace)  # noqa: S307


def as_widget(value: Any) -> Any:
    """A cell's value as something the page can show (a widget, HTML, or nothing)."""
    if value is None or isinstance(value, widgets.Widget):
        return value
    if hasattr(value, "_repr_html_"):
        return widgets.HTML(value._repr_html_())
    return widgets.HTML(str(_macros().value(repr(value))))


def _macros() -> Any:
    return templating.macros("room_app.html")


def text_widget(html_text: str) -> widgets.HTML:
    """A section's markdown, already HTML, as a widget."""
    text = widgets.HTML(html_text)
    text.add_class("wk-md")
    return text


def with_section_list(parts: list[Any], listing: widgets.Widget) -> list[Any]:
    """The welcome page's parts with its section list after "where you got to" (the progress table, shown itself or
    in a slot filled at the request), or after the title when there is none (yet)."""
    from .welcome import Progress

    def holds_progress(part: Any) -> bool:
        return isinstance(part, Progress) or (type(part) is widgets.Box and any(isinstance(c, Progress) for c in part.children))

    parts = [part for part in parts if part is not listing]
    at = next((i + 1 for i, part in enumerate(parts) if holds_progress(part)), min(1, len(parts)))
    return parts[:at] + [listing] + parts[at:]


def page_box(section: Section, parts: list[Any]) -> widgets.VBox:
    """The box holding one section's parts, marked with the section's name (``wk-page-02-risk``)."""
    box = widgets.VBox(parts)
    box.add_class(f"wk-page-{section.stem}")
    return box


class RoomApp(widgets.VBox):
    """The participant's page: a bar (where you are, previous, next, home) and the open section.

    While the participant reads a section, the page's kernel builds the next one in the
    background (a while after the page is shown, at a moment that differs from person to person,
    so a room does not build all at once): when the room moves on together, the section is
    already there and only the swap crosses the network.

    Under the bar, one :class:`~workshop_kit.widgets.pacing.PacingBar` for the whole page says
    when the facilitator has moved the room to another section (its button opens it here, so
    the personal code stays with the page) and carries Done / Need help for the room's
    current exercise; :meth:`start_live` starts its look at the live state every few seconds."""

    ahead_delay = (15.0, 45.0)  # seconds after a section is shown: the earliest and latest moment to build the next one

    def __init__(self, sections: dict[str, Section], person: room.Person | None, namespace: dict[str, Any]):
        """person may be None for a frame built before the request; it is set before the page is shown."""
        super().__init__()
        self.add_class("wk-app")
        self.sections = sections
        self.person = person
        self.namespace = namespace
        self.order = list(sections)
        self.built: dict[str, widgets.VBox] = {}
        self.ahead: dict[str, Ahead] = {}  # sections built before the request, made this person's when first shown
        self.current = ""
        # the bar's buttons stay the same widgets from page to page, so one can take the focus
        # (which scrolls the browser back to the top) as soon as a new section is shown
        self.where = widgets.HTML()
        self.where.add_class("wk-where")
        self.home_button = self._nav_button("All sections")
        self.previous_button = self._nav_button("← Previous")
        self.next_button = self._nav_button("Next →")
        self.bottom_next = self._nav_button("Next section →")
        bar = widgets.HBox([self.where, self.home_button, self.previous_button, self.next_button])
        bar.add_class("wk-bar")
        self.body = widgets.VBox()
        self.body.add_class("wk-body")
        from ..catalogue.model import default_catalogue
        from ..store.responses import default_store
        from ..widgets.pacing import PacingBar

        # the landing widget is made only when there is an exercise to land on, with its target set from the
        # start: an anywidget model the browser creates in a busy moment (a room opening together) may miss
        # anywidget's 2 s start-up limit, after which it takes no updates from the kernel; a fresh widget per
        # landing needs none, and a page with nothing to land on has no such model at all
        self.landing_slot = widgets.Box(layout=widgets.Layout(display="contents"))
        self.pacing = PacingBar(
            open_store=default_store,
            cohort=person.cohort if person else "",
            participant=person.participant if person else "",
            titles={page: section.title for page, section in sections.items()},
            catalogue=default_catalogue(),
            open_page=self.show_page,
            on_results=self.results_changed,
        )
        self.children = [widgets.HTML(templating.style("room_app.css")), self.landing_slot, bar, self.pacing, self.body, self.bottom_next]

    def waiting(self) -> None:
        """Before the request: say the page is opening, with no button to press yet."""
        self.where.value = str(_macros().opening())
        for button in (self.home_button, self.previous_button, self.next_button, self.bottom_next):
            self._point(button, None)

    def replace_with(self, widget: widgets.Widget) -> None:
        """Show only this widget (a plain message) and close everything the page held before."""
        before = list(self.children) + [ahead.box for ahead in self.ahead.values()]
        self.children = [widget]
        self.ahead.clear()
        close_tree(before)

    def bind(self, person: room.Person, namespace: dict[str, Any]) -> None:
        """Make a frame built before the request this person's page (before any section is shown)."""
        self.person, self.namespace = person, namespace
        self.pacing.cohort, self.pacing.participant = person.cohort, person.participant

    def show_page(self, page: str, exercise: str | None = None) -> None:
        """Show one section (built the first time it is opened, kept after); with ``exercise`` (an id),
        the browser lands on that exercise: scrolled to it, its title focused."""
        if page not in self.sections:
            page = HOME
        if page not in self.built:
            ahead = self.ahead.pop(page, None)
            if ahead is not None:
                self.adopt(page, ahead)
            else:
                self.built[page] = self._build(self.sections[page])
        moved = bool(self.current)
        self.current = page
        index = self.order.index(page)
        self.where.value = str(_macros().where(self.sections[page].title))
        self._point(self.home_button, HOME if page != HOME else None)
        self._point(self.previous_button, self.order[index - 1] if index > 0 else None)
        following = self.order[index + 1] if index + 1 < len(self.order) else None
        if following and room.is_follow_up(following):
            following = None  # the follow-up is for weeks later: listed on the welcome page, not "next"
        self._point(self.next_button, following)
        self._point(self.bottom_next, following)
        self.body.children = [self.built[page]]
        self.pacing.shown(page)
        if exercise:
            self.land_on(exercise_class(exercise))
        elif moved:
            (self.next_button if following else self.previous_button).focus()
        if following:
            self._build_ahead(following)

    @property
    def landing(self) -> Landing | None:
        """The widget doing the latest landing (None before any)."""
        return self.landing_slot.children[0] if self.landing_slot.children else None  # type: ignore[return-value]

    def land_on(self, css_class: str) -> None:
        """Land the browser on the box with this class: a new landing widget, the previous one closed."""
        previous = self.landing
        self.landing_slot.children = [Landing(target=css_class)]
        if previous is not None:
            previous.close()

    def start_live(self) -> bool:
        """Start the pacing bar's look at the room's live state (inside a running kernel; False elsewhere)."""
        return self.pacing.start()

    def results_changed(self, exercise_ids: set[str]) -> None:
        """Exercises whose cohort result was just revealed or hidden: redo their compare lines on the open section."""
        from ..widgets import ExerciseWidget

        for widget in self.built[self.current].children if self.current in self.built else ():
            if isinstance(widget, ExerciseWidget) and widget.exercise.id in exercise_ids:
                widget.refresh_comparison()

    def adopt(self, page: str, ahead: Ahead) -> None:
        """Take a section built before the request: its exercises now load and save as this page's person."""
        identity = current_identity()
        code = quote(self._person().code, safe="")
        for text, template in ahead.texts:
            text.value = template.replace(_CODE_MARK, code)
        saved = _saved_answers(ahead.exercises, identity)
        for exercise in ahead.exercises:
            exercise.identity = identity
            exercise._load(saved)  # this person's saved answer, if any
        for slot, code_text in ahead.deferred:
            shown = self._evaluate(code_text)
            slot.children = [shown] if shown is not None else []
        listing = next((p for p in ahead.box.children if "wk-nav-sections" in getattr(p, "_dom_classes", ())), None)
        if listing is not None:  # the welcome page: its list goes after "where you got to", now that it is drawn
            ahead.box.children = with_section_list(list(ahead.box.children), listing)
        self.built[page] = ahead.box

    def _evaluate(self, code_text: str) -> Any:
        """One code cell of a section, run for this page's person: what it shows, or a plain message if it fails."""
        try:
            return as_widget(evaluate(code_text, self.namespace))
        except Exception as exc:  # noqa: BLE001 - one broken cell must not take the page down
            return widgets.HTML(str(_macros().broken_cell(type(exc).__name__)))

    def _build_ahead(self, page: str) -> None:
        """Build a section before it is asked for, later, when this kernel has nothing else to do (only inside a running kernel)."""
        if page in self.built or page in self.ahead:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not in a kernel's event loop (a test, a script): build on demand only
            return
        loop.call_later(random.uniform(*self.ahead_delay), self._build_if_still_needed, page)

    def _build_if_still_needed(self, page: str) -> None:
        if page not in self.built:
            self.built[page] = self._build(self.sections[page])

    def _nav_button(self, label: str, layout: widgets.Layout | None = None) -> widgets.Button:
        """A button that opens a section; its own layout unless given one (only a button that is never hidden may share)."""
        button = widgets.Button(description=label, layout=layout or widgets.Layout(width="auto"))
        button.add_class("wk-nav")
        button.target = None  # type: ignore[attr-defined]
        button.on_click(self._on_nav_click)
        return button

    def _on_nav_click(self, button: widgets.Button) -> None:
        if getattr(button, "target", None):
            self.show_page(button.target)  # type: ignore[attr-defined]

    def _point(self, button: widgets.Button, page: str | None) -> None:
        """Make a nav button open page (or hide it when there is nowhere to go)."""
        button.target = page  # type: ignore[attr-defined]
        button.layout.display = None if page else "none"
        button.tooltip = self.sections[page].title if page else ""
        button._dom_classes = tuple(c for c in button._dom_classes if not c.startswith("wk-nav-")) + ((f"wk-nav-{self.sections[page].stem}",) if page else ())

    def _person(self) -> room.Person:
        if self.person is None:
            raise RuntimeError("the page's person is set before any section is built")
        return self.person

    def _build(self, section: Section) -> widgets.VBox:
        code = quote(self._person().code, safe="")
        parts: list[Any] = []
        for cell in section.cells:
            if cell.kind == "markdown":
                parts.append(text_widget(cell.text.replace(_CODE_MARK, code)))
                continue
            shown = self._evaluate(cell.text)
            if shown is not None:
                parts.append(shown)
        if section.page == HOME:
            parts = with_section_list(parts, self._section_list())
        return page_box(section, parts)

    def _section_list(self) -> widgets.VBox:
        heading = widgets.HTML(str(_macros().sections_heading()))
        shared = widgets.Layout(width="auto")
        parts: list[Any] = []
        for page in self.order[1:]:
            if room.is_follow_up(page):
                parts.append(widgets.HTML(str(_macros().later_heading(_later_heading()))))
            button = self._nav_button(self.sections[page].title, shared)  # always shown: one layout for the list
            self._point(button, page)
            parts.append(button)
        listing = widgets.VBox(parts)
        listing.add_class("wk-nav-list")
        sections = widgets.VBox([heading, listing])
        sections.add_class("wk-nav-sections")
        return sections


# --- what the pooled kernel does --------------------------------------------------------------------

_SECTIONS: dict[str, Section] = {}
PENDING = "not-yet-known"  # the participant of exercises built before the request; replaced before the page is shown


@dataclass
class Ahead:
    """A section built before anyone asked: its box, its exercises (no one's yet), its texts with links to fill in,
    and the slots of the cells that show the person's own things (progress, the plan), run once the person is known."""

    box: widgets.VBox
    exercises: list[Any]
    texts: list[tuple[widgets.HTML, str]]
    deferred: list[tuple[widgets.Box, str]] = field(default_factory=list)


def build_before_request(section: Section, frame: RoomApp | None = None) -> Ahead | None:
    """Build a section's widgets before the request, for no one yet: its text and exercises now, and an empty slot for
    each other cell (a progress table, the plan), run at the request.  The welcome page (with ``frame``, whose buttons
    it uses) gets its section list.  None for a section an exercise cell of which is not a plain exercise."""
    import workshop_kit as kit
    from ..widgets import ExerciseWidget

    texts: list[tuple[widgets.HTML, str]] = []
    exercises: list[Any] = []
    deferred: list[tuple[widgets.Box, str]] = []
    parts: list[Any] = []
    for cell in section.cells:
        if cell.kind == "markdown":
            text = text_widget(cell.text)
            texts.append((text, cell.text))
            parts.append(text)
        elif _is_exercise_call(cell.text):
            tree = ast.parse(cell.text.strip(), mode="eval")
            shown = kit.exercise(*[ast.literal_eval(a) for a in tree.body.args], participant=PENDING)  # type: ignore[attr-defined]
            if not isinstance(shown, ExerciseWidget):
                return None
            exercises.append(shown)
            parts.append(shown)
        else:
            slot = widgets.Box(layout=widgets.Layout(display="contents"))
            deferred.append((slot, cell.text))
            parts.append(slot)
    if section.page == HOME and frame is not None:
        parts = with_section_list(parts, frame._section_list())
    return Ahead(page_box(section, parts), exercises, texts, deferred)


def _is_exercise_call(code: str) -> bool:
    """True for a cell that is exactly ``kit.exercise("some.id")`` (the sections' exercise cells)."""
    try:
        tree = ast.parse(code.strip(), mode="eval")
    except SyntaxError:
        return False
    call = tree.body
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "exercise"
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "kit"
        and not call.keywords
        and len(call.args) == 1
        and isinstance(call.args[0], ast.Constant)
        and isinstance(call.args[0].value, str)
    )


_AHEAD: dict[str, Ahead] = {}
_FRAME: list[RoomApp] = []  # the page's frame (bar, buttons), built before the request for whoever comes


def _saved_answers(exercises: list[Any], identity: Any) -> dict[str, Any] | None:
    """This person's saved answers, read in one go for a section's exercises (None if the store cannot say: each then says so)."""
    from ..errors import StoreError

    if not exercises:
        return {}
    try:
        return exercises[0]._get_store().my_answers(participant=identity.participant, cohort=identity.cohort)  # type: ignore[no-any-return]
    except StoreError:
        return None


def _discard_ahead() -> None:
    """Close every widget built ahead for no one: a page that shows nobody's exercises must hold none a browser could reach."""
    close_tree([ahead.box for ahead in _AHEAD.values()] + list(_FRAME))
    _AHEAD.clear()
    _FRAME.clear()


def close_tree(roots: list[Any]) -> None:
    """Close these widgets and everything inside them (but the exercises' shared style sheet, which every page shows)."""
    from ..widgets.base import style_widget

    shared = style_widget()
    todo = list(roots)
    while todo:
        widget = todo.pop()
        if widget is shared:
            continue
        todo.extend(getattr(widget, "children", ()))
        widget.close()


def warm(folder: str | os.PathLike[str] | None = None, *, share_models: bool = False, follow_up: bool = False) -> None:
    """Before any request: load what every page needs, so a participant waits only for their own exercises.

    share_models (the room's kernels): widgets left with the default layout or style share one
    model per kind from now on in this process, halving what a page sends (see widgets.sharing).
    follow_up (self-study): the follow-up notebook is one of the pages, listed last."""
    import workshop_kit
    from .. import widgets as kit_widgets

    for name in ("exercise", "progress", "welcome", "development_plan"):  # what the sections call: imported now, not after the request
        getattr(workshop_kit, name)
    from ..catalogue.model import default_catalogue
    from ..store.responses import default_store
    from ..widgets.sharing import answer_state_requests_in_one_pass, prime_states, share_default_models

    if share_models:
        share_default_models()  # before any widget of the page is made
        answer_state_requests_in_one_pass()
    _compile_page_templates()
    default_catalogue()
    try:
        default_store()
    except Exception:  # noqa: BLE001 - the page says so on its first save instead
        pass
    _SECTIONS.clear()
    _SECTIONS.update(read_sections(Path(folder or os.getcwd()), follow_up=follow_up))
    _AHEAD.clear()
    _FRAME[:] = [RoomApp(_SECTIONS, None, {})]  # about a fifth of a page's work after the request, done before it
    opening = os.environ.get(room.PREBUILD_ENV, "")
    for page in dict.fromkeys([HOME, opening]):  # the welcome page (every personal link opens it) and the room's opening section
        if page in _SECTIONS:
            ahead = build_before_request(_SECTIONS[page], _FRAME[0])
            if ahead is not None:
                _AHEAD[page] = ahead
    if share_models:
        prime_states()  # what the page's browser will ask for, serialised now: at the request, only what changed is


def _compile_page_templates() -> None:
    """Compile now the templates a page renders once its person is known (the welcome page's progress table and
    personal-link panel, the exercises' messages): each took a few milliseconds on the first request after it."""
    from ..page_css import PAGE_CSS
    from ..widgets.base import widget_html

    _macros(), widget_html()
    for name in ("welcome.html", "room.html", "messages.html"):
        templating.macros(name)
    templating.style("progress.css", extra=PAGE_CSS)
    templating.style("room.css")


def requested_page(query: str) -> str:
    """The section the link asks for (``page=02-risk.ipynb``), or the welcome page."""
    values = parse_qs(query).get(PAGE_PARAM, [])
    return values[0] if values and values[0] in _SECTIONS else HOME


def requested_exercise(query: str) -> str | None:
    """The exercise the link asks to land on (``exercise=risk.appetite``), if the catalogue has it; else None."""
    from ..catalogue.model import default_catalogue

    values = parse_qs(query).get(EXERCISE_PARAM, [])
    return values[0] if values and values[0] in default_catalogue() else None


def _later_heading() -> str:
    """The words above the follow-up in the section list: "Later: the follow-up, 6–12 weeks on"."""
    from ..catalogue.model import default_catalogue

    plan = default_catalogue().follow_up
    weeks = f", {plan.weeks[0]}–{plan.weeks[1]} weeks on" if plan is not None else ""
    return f"Later: the follow-up{weeks}"


def show(folder: str | os.PathLike[str] | None = None) -> Any:
    """The participant's page (or a plain message).

    In a pooled kernel whose request has not come yet, the page's frame is returned at once, for
    whoever comes: the cell finishes, so Voilà renders the whole page before anyone asks and hands
    it out the moment a request comes.  The request then reaches the kernel on its own (a thread
    waits for it) and makes the frame that person's page.  Elsewhere (a request already known, a
    test) the page is built for the request now."""
    if not _SECTIONS:
        warm(folder)
    if room.request_pending():
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not inside a kernel's event loop: wait for the request here
            loop = None
        if loop is not None:
            return _shown_before_request(loop)
    return open_page(room.query_string())


def open_page(query: str, app: RoomApp | None = None) -> Any:
    """Make the page this request's person's (app: the frame already shown, if any); a plain message
    instead, every widget built for no one closed, when the link has no valid personal code."""
    try:
        person = room.room_person()
    except room.RoomCodeError as exc:
        _discard_ahead()
        message = room_panel.missing_code_widget(str(exc))
        if app is None:
            return message
        app.replace_with(message)
        return app
    import workshop_kit as kit

    if app is None:
        app = _FRAME.pop() if _FRAME else RoomApp(_SECTIONS, person, {})
    app.bind(person, {"kit": kit})
    app.ahead = dict(_AHEAD)  # each made this person's when first shown
    _AHEAD.clear()
    app.show_page(requested_page(query), requested_exercise(query))
    app.start_live()
    return app


def _shown_before_request(loop: asyncio.AbstractEventLoop) -> RoomApp:
    """The frame, shown for whoever comes; a thread waits for the request and opens the page on the kernel's loop."""
    app = _FRAME.pop() if _FRAME else RoomApp(_SECTIONS, None, {})
    app.waiting()

    def wait_for_the_request() -> None:
        try:
            query = room.query_string()  # blocks until Voilà hands this kernel a request
        except Exception as exc:  # noqa: BLE001 - the server went away: nobody will see this page
            print(f"workshop-kit: this page's request never came ({type(exc).__name__}).", file=sys.stderr)
            return
        loop.call_soon_threadsafe(_open_when_requested, app, query)

    threading.Thread(target=wait_for_the_request, name="workshop-kit-request", daemon=True).start()
    return app


def _open_when_requested(app: RoomApp, query: str) -> None:
    """On the kernel's loop, once the request has come: open the page; a plain message if that fails."""
    try:
        open_page(query, app)
    except Exception as exc:  # noqa: BLE001 - a locked or unreachable store: say so, never a traceback
        print(f"workshop-kit: a page could not be opened ({type(exc).__name__}: {exc}).", file=sys.stderr)
        _discard_ahead()
        app.replace_with(widgets.HTML(str(_macros().not_opened())))
