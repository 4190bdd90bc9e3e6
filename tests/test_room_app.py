"""Tests for workshop_kit.pages.room_app: the room page that shows every section inside one kernel."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
from browser_helpers import NOTEBOOKS
from widget_helpers import callback_errors  # noqa: F401 - autouse: fail on a swallowed callback error

import workshop_kit as kit
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.session import room
from workshop_kit.pages import room_app
from workshop_kit.store.responses import ResponseStore


@pytest.fixture
def person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> room.Person:
    """A room participant with an issued code, this page's query string carrying it."""
    store_file = tmp_path / "answers.sqlite"
    monkeypatch.setenv("WORKSHOP_KIT_STORE", str(store_file))
    monkeypatch.setenv("WORKSHOP_KIT_COHORT", "Leeds")
    monkeypatch.setenv(room.ROOM_ENV, "1")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    with ResponseStore(store_file) as store:
        issued = room.issue_code("Ann", cohort="Leeds", store=store)
    monkeypatch.setenv("QUERY_STRING", f"token=t&code={issued.code}&page=02-risk.ipynb")
    return issued


def test_sections_are_read_once_with_their_links_marked(tmp_path: Path) -> None:
    sections = room_app.read_sections(NOTEBOOKS)
    assert list(sections)[0] == "00-welcome.ipynb" and "11-development-plan.ipynb" in sections
    assert "facilitator-dashboard.ipynb" not in sections
    risk = sections["02-risk.ipynb"]
    assert risk.title.startswith("2. Risk")
    code_cells = [c.text for c in risk.cells if c.kind == "code"]
    assert code_cells == [f'kit.exercise("{e.id}")' for e in default_catalogue().exercises_in("risk")]
    assert len(code_cells) == 7
    markdown = "".join(c.text for c in risk.cells if c.kind == "markdown")
    assert f'href="?code={room_app._CODE_MARK}&amp;page=03-audacious-goals.ipynb"' in markdown
    assert ".ipynb\"" not in markdown.replace("page=03-audacious-goals.ipynb\"", "")  # no link left that would drop the code


def test_markdown_is_escaped_not_trusted() -> None:
    assert "<script>" not in room_app.markdown_html("Hello <script>alert(1)</script>")


def test_page_opens_on_the_asked_section_and_moves_inside_the_page(person: room.Person) -> None:
    room_app.warm(NOTEBOOKS)
    app = room_app.show(NOTEBOOKS)
    assert isinstance(app, room_app.RoomApp) and app.current == "02-risk.ipynb"
    risk = app.built["02-risk.ipynb"]
    exercises = [w for w in risk.children if "wk-exercise" in getattr(w, "_dom_classes", ())]
    assert len(exercises) == len(default_catalogue().exercises_in("risk")) and all(w.identity.participant == person.participant for w in exercises)
    assert "wk-nav-03-audacious-goals" in app.next_button._dom_classes
    app.next_button.click()
    assert app.current == "03-audacious-goals.ipynb" and "wk-nav-02-risk" in app.previous_button._dom_classes
    app.previous_button.click()
    assert app.built["02-risk.ipynb"] is risk  # kept: unsaved entries survive moving back and forth
    links = "".join(w.value for w in app.built["03-audacious-goals.ipynb"].children if hasattr(w, "value") and isinstance(w.value, str))
    assert f"?code={person.code}&amp;page=04-system.ipynb" in links and room_app._CODE_MARK not in links


def test_last_and_first_pages_hide_what_leads_nowhere(person: room.Person) -> None:
    room_app.warm(NOTEBOOKS)
    app = room_app.RoomApp(room_app._SECTIONS, person, {"kit": kit})
    app.show_page("00-welcome.ipynb")
    assert app.previous_button.layout.display == "none" and app.home_button.layout.display == "none"
    app.show_page("11-development-plan.ipynb")
    assert app.next_button.layout.display == "none" and app.bottom_next.layout.display == "none"
    app.show_page("not-a-page.ipynb")
    assert app.current == "00-welcome.ipynb"


def test_a_link_naming_an_exercise_lands_on_it(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    """``exercise=`` in the link (the welcome page's "next unanswered exercise") sets the page's landing on that
    exercise's box; an id the catalogue does not have lands nowhere."""
    from workshop_kit.widgets.base import exercise_class

    monkeypatch.setenv("QUERY_STRING", f"code={person.code}&page=02-risk.ipynb&exercise=risk.support")
    room_app.warm(NOTEBOOKS)
    app = room_app.show(NOTEBOOKS)
    assert app.current == "02-risk.ipynb" and app.landing.target == exercise_class("risk.support") == "wk-ex-risk-support"
    boxes = [w for w in app.built["02-risk.ipynb"].children if exercise_class("risk.support") in getattr(w, "_dom_classes", ())]
    assert len(boxes) == 1 and boxes[0].exercise.id == "risk.support"  # exactly one box carries the class landed on
    monkeypatch.setenv("QUERY_STRING", f"code={person.code}&page=02-risk.ipynb&exercise=no.such%22%3E")
    assert room_app.requested_exercise(room.query_string()) is None
    app = room_app.show(NOTEBOOKS)
    assert app.landing is None  # and the frame holds no landing widget at all


def test_study_pages_offer_the_follow_up_after_the_plan_but_the_room_does_not(person: room.Person) -> None:
    """With follow_up (self-study) the follow-up is the last page, listed under "Later: …" and reached from the
    list, never as "Next" after the plan; the room's pages leave it out."""
    assert "12-follow-up.ipynb" not in room_app.read_sections(NOTEBOOKS)
    room_app.warm(NOTEBOOKS, follow_up=True)
    try:
        assert list(room_app._SECTIONS)[-2:] == ["11-development-plan.ipynb", "12-follow-up.ipynb"]
        app = room_app.RoomApp(room_app._SECTIONS, person, {"kit": kit})
        app.show_page("00-welcome.ipynb")
        home = app.built["00-welcome.ipynb"]
        listing = [w for w in home.children if isinstance(w, room_app.widgets.VBox) and any("wk-nav-list" in getattr(c, "_dom_classes", ()) for c in w.children)][0]
        items = listing.children[1].children
        later = [i for i, w in enumerate(items) if "Later: the follow-up, 6–12 weeks on" in getattr(w, "value", "")]
        assert len(later) == 1 and later[0] == len(items) - 2  # the heading, then the follow-up's button, last
        button = items[-1]
        assert button.target == "12-follow-up.ipynb" and button.description.startswith("12. ")
        app.show_page("11-development-plan.ipynb")
        assert app.next_button.layout.display == "none" and app.bottom_next.layout.display == "none"
        button.click()
        assert app.current == "12-follow-up.ipynb" and "wk-nav-11-development-plan" in app.previous_button._dom_classes
        shown = app.built["12-follow-up.ipynb"]
        follow = [w for w in shown.children if "wk-follow-up" in getattr(w, "_dom_classes", ())]
        assert len(follow) == 1  # the follow-up's exercises, not an error message
        assert room_app.requested_page("page=12-follow-up.ipynb") == "12-follow-up.ipynb"
    finally:
        room_app.warm(NOTEBOOKS)
    assert room_app.requested_page("page=12-follow-up.ipynb") == "00-welcome.ipynb"


def test_an_unknown_code_shows_a_message_not_a_page(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUERY_STRING", f"code={room.new_code()}")
    room_app.warm(NOTEBOOKS)
    shown = room_app.show(NOTEBOOKS)
    assert "wk-room-missing" in shown._dom_classes and "not one this workshop gave out" in shown.value


def test_cells_are_evaluated_like_a_notebook() -> None:
    namespace: dict[str, object] = {}
    assert room_app.evaluate("x = 2\nx * 3", namespace) == 6
    assert room_app.evaluate("y = 1", namespace) is None and namespace["y"] == 1


SHARING_PROBE = """
import json, os, sys
import ipywidgets as widgets
from workshop_kit.session import room
from workshop_kit.pages import room_app
from workshop_kit.store.responses import ResponseStore
import workshop_kit as kit
share = sys.argv[1] == "share"
room_app.warm(sys.argv[2], share_models=share)
with ResponseStore(os.environ["WORKSHOP_KIT_STORE"]) as store:
    person = room.issue_code("Ann", cohort="Leeds", store=store)
os.environ["QUERY_STRING"] = f"code={person.code}&page=02-risk.ipynb"
before = set(widgets.Widget.widgets)
app = room_app.show(sys.argv[2])
made = [w for key, w in widgets.Widget.widgets.items() if key not in before]
risk = [w for w in app.built["02-risk.ipynb"].children if "wk-exercise" in getattr(w, "_dom_classes", ())]
first, second = risk[0], risk[1]
first.confirm_button.layout.display = None  # the kit shows one exercise's "Save anyway" ...
print(json.dumps({
    "models": len(made),
    "state_bytes": sum(len(json.dumps(w.get_state(), default=str)) for w in made),
    "other_confirm_hidden": second.confirm_button.layout.display == "none",  # ... and no other
    "nav_own_layouts": len({id(b.layout) for b in (app.home_button, app.previous_button, app.next_button, app.bottom_next)}) == 4,
}))
"""


@pytest.mark.slow
def test_room_kernels_share_default_models_and_hiding_one_control_hides_no_other(tmp_path: Path) -> None:
    """In the room's kernels (warm(share_models=True)) a section sends far fewer widget models, and a control the
    kit hides or shows has its own layout.  Each run is its own process: sharing cannot be undone."""
    import json
    import os
    import subprocess
    import sys

    results = {}
    for mode in ("share", "plain"):
        env = {**os.environ, "WORKSHOP_KIT_STORE": str(tmp_path / f"{mode}.sqlite"), "WORKSHOP_KIT_COHORT": "Leeds", room.ROOM_ENV: "1"}
        env.pop("VOILA_PREHEAT", None)
        done = subprocess.run([sys.executable, "-c", SHARING_PROBE, mode, str(NOTEBOOKS)], env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
    shared, plain = results["share"], results["plain"]
    assert shared["models"] < 0.7 * plain["models"] and shared["state_bytes"] < 0.7 * plain["state_bytes"], results
    assert shared["other_confirm_hidden"] and shared["nav_own_layouts"]


def test_the_next_section_is_built_ahead_inside_a_running_kernel_loop(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a kernel (an event loop running) the section after the open one is built a while later, before anyone asks;
    outside one nothing is built ahead.  Moving on then shows the very section built ahead."""
    import asyncio

    room_app.warm(NOTEBOOKS)
    monkeypatch.setattr(room_app.RoomApp, "ahead_delay", (0.0, 0.0))
    app = room_app.show(NOTEBOOKS)
    assert set(app.built) == {"02-risk.ipynb"}  # no loop running: on demand only

    async def in_a_kernel() -> None:
        app.show_page("03-audacious-goals.ipynb")
        assert "04-system.ipynb" not in app.built  # not while the section is being shown ...
        await asyncio.sleep(0.05)
        assert "04-system.ipynb" in app.built  # ... but soon after

    asyncio.run(in_a_kernel())
    ahead = app.built["04-system.ipynb"]
    app.next_button.click()
    assert app.current == "04-system.ipynb" and app.body.children == (ahead,)


def test_a_section_built_before_the_request_becomes_the_persons_own(person: room.Person, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A warm page builds the room's opening section for no one; the request then makes every exercise this
    person's: their key on save, their answer saved after the section was built, their code in the links."""
    monkeypatch.setenv(room.PREBUILD_ENV, "02-risk.ipynb")
    room_app.warm(NOTEBOOKS)
    ahead = room_app._AHEAD["02-risk.ipynb"]
    risk_cells = [c for c in room_app._SECTIONS["02-risk.ipynb"].cells if c.kind == "code"]
    assert len(ahead.exercises) == len(risk_cells) and {e.identity.participant for e in ahead.exercises} == {room_app.PENDING}
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        store.save("risk.appetite", {"now": 3, "target": 8}, participant=person.participant, cohort="Leeds")
    app = room_app.show(NOTEBOOKS)
    assert app.built["02-risk.ipynb"] is ahead.box and not room_app._AHEAD
    assert all(e.identity.participant == person.participant and e.identity.participant_source == "personal link" for e in ahead.exercises)
    appetite = ahead.exercises[0]
    assert appetite.exercise.id == "risk.appetite" and appetite.get_answer() == {"now": 3, "target": 8} and not appetite.dirty
    links = "".join(text.value for text, _template in ahead.texts)
    assert f"?code={person.code}&amp;page=03-audacious-goals.ipynb" in links and room_app._CODE_MARK not in links
    appetite.set_answer({"now": 4, "target": 7})
    assert appetite.save().ok  # saved under this person's key, not the placeholder's
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        assert {r.participant for r in store.all_responses("Leeds")} == {person.participant}


def test_a_section_built_ahead_for_a_page_that_opens_for_no_one_is_closed(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(room.PREBUILD_ENV, "02-risk.ipynb")
    room_app.warm(NOTEBOOKS)
    box = room_app._AHEAD["02-risk.ipynb"].box
    monkeypatch.setenv("QUERY_STRING", "token=t&code=NOT-A-REAL-CODE&page=02-risk.ipynb")
    shown = room_app.show(NOTEBOOKS)
    assert not isinstance(shown, room_app.RoomApp) and not room_app._AHEAD
    assert box.comm is None  # closed: no browser can reach the placeholder's Save buttons


def test_cells_that_show_the_persons_own_things_wait_for_the_request() -> None:
    """Before the request a section's text and exercises are built; any other cell (the plan, a progress table) gets
    an empty slot, run only once the person is known.  A cell that is not exactly one exercise is never one."""
    sections = room_app.read_sections(NOTEBOOKS)
    plan = room_app.build_before_request(sections["11-development-plan.ipynb"])
    assert plan is not None and [code for _slot, code in plan.deferred] == ["kit.development_plan()"]
    assert all(not slot.children for slot, _code in plan.deferred)  # nobody's plan drawn for no one
    assert room_app._is_exercise_call('kit.exercise("risk.appetite")\n')
    for code in ('kit.exercise("a", participant="x")', "kit.plan()", 'kit.exercise(name)', 'os.system("x")', "kit.exercise("):
        assert not room_app._is_exercise_call(code)


def test_the_welcome_page_built_ahead_becomes_the_persons_own_laid_out_as_built_for_them(person: room.Person, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every warm page builds the welcome page ahead (every personal link opens it): its text and section list before the
    request, its progress table and personal-link panel for the person once known, in the order a page built for them
    has, their code in its links."""
    from workshop_kit.pages.room_panel import RoomWelcome
    from workshop_kit.pages.welcome import Progress

    with ResponseStore(tmp_path / "answers.sqlite") as store:
        store.save("risk.appetite", {"now": 3, "target": 8}, participant=person.participant, cohort="Leeds")
    monkeypatch.setenv("QUERY_STRING", f"token=t&code={person.code}")
    room_app.warm(NOTEBOOKS)
    ahead = room_app._AHEAD["00-welcome.ipynb"]
    assert [code for _slot, code in ahead.deferred] == ["kit.progress()", "kit.welcome()"]
    app = room_app.show(NOTEBOOKS)
    assert app.current == "00-welcome.ipynb" and app.built["00-welcome.ipynb"] is ahead.box
    (progress,), (panel,) = (slot.children for slot, _code in ahead.deferred)
    assert isinstance(progress, Progress) and isinstance(panel, RoomWelcome) and panel.person == person
    assert person.display_name in progress.heading.value and "Your last save" in progress.table.value  # theirs, with their saved answer
    links = "".join(text.value for text, _template in ahead.texts)
    assert room_app._CODE_MARK not in links

    def layout(box: Any) -> list[str]:
        """Each part's kind, a slot standing for what it holds."""
        kinds = []
        for part in box.children:
            if "wk-nav-sections" in part._dom_classes:
                kinds.append("sections")
            elif part.children if isinstance(part, room_app.widgets.Box) and not part._dom_classes else False:
                kinds.append(type(part.children[0]).__name__)
            else:
                kinds.append(type(part).__name__)
        return kinds

    fresh = app._build(room_app._SECTIONS["00-welcome.ipynb"])
    assert layout(ahead.box) == layout(fresh) and layout(ahead.box).index("sections") == layout(ahead.box).index("Progress") + 1


def test_the_page_frame_built_before_the_request_becomes_the_persons_page(person: room.Person, tmp_path: Path) -> None:
    """warm() builds the page's bar and buttons for no one; the request makes that very frame this person's page."""
    room_app.warm(NOTEBOOKS)
    frame = room_app._FRAME[0]
    assert frame.person is None and not frame.built
    app = room_app.show(NOTEBOOKS)
    assert app is frame and app.person == person and not room_app._FRAME
    appetite = next(w for w in app.built["02-risk.ipynb"].children if "wk-exercise" in getattr(w, "_dom_classes", ()))
    appetite.set_answer({"now": 2, "target": 6})
    assert appetite.save().ok
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        assert {r.participant for r in store.all_responses("Leeds")} == {person.participant}


def test_the_frame_of_a_page_that_opens_for_no_one_is_closed(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> None:
    room_app.warm(NOTEBOOKS)
    frame = room_app._FRAME[0]
    monkeypatch.setenv("QUERY_STRING", "token=t&code=NOT-A-REAL-CODE")
    shown = room_app.show(NOTEBOOKS)
    assert not isinstance(shown, room_app.RoomApp) and not room_app._FRAME
    assert frame.comm is None and frame.next_button.comm is None


def test_the_pacing_bar_moves_the_page_and_a_reveal_redoes_the_compare_line(person: room.Person, tmp_path: Path) -> None:
    """One pacing bar per page: the facilitator's move shows a prompt whose button opens that section in the page
    (the same person, so the same code); a reveal redoes the open section's compare lines."""
    from workshop_kit.store import live
    from workshop_kit.widgets.pacing import PacingBar

    room_app.warm(NOTEBOOKS)
    app = room_app.show(NOTEBOOKS)
    bars = [w for w in app.children if isinstance(w, PacingBar)]
    assert bars == [app.pacing]
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        for i in range(6):
            store.save("risk.appetite", {"now": 3 + i % 3, "target": 8}, participant=f"other{i}", cohort="Leeds")
        live.update_state(store, "Leeds", section="03-audacious-goals", self_paced=False)
    appetite = next(w for w in app.built["02-risk.ipynb"].children if getattr(w, "exercise", None) is not None and w.exercise.id == "risk.appetite")
    appetite.set_answer({"now": 4, "target": 7})
    assert appetite.save().ok and "reveals them" in appetite.compare_text.value
    app.pacing.check()
    assert "section 3: Big Hairy Audacious Goals" in app.pacing.prompt_text.value
    app.pacing.open_button.click()
    assert app.current == "03-audacious-goals.ipynb" and app.pacing.prompt_row.layout.display == "none"
    assert all(e.identity.participant == person.participant for e in app.built["03-audacious-goals.ipynb"].children if hasattr(e, "identity"))
    app.show_page("02-risk.ipynb")
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        live.reveal(store, "Leeds", "risk.appetite")
    app.pacing.check()
    assert "reveals them" not in appetite.compare_text.value and "others" in appetite.compare_text.value


# --- a pooled kernel: the page shown before anyone asks, opened when the request comes ---------------------


@pytest.fixture
def pooled_kernel(person: room.Person, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A pooled kernel's environment, waiting for its request on a real Voilà request socket; yields its kernel id."""
    from voila.request_info_handler import RequestInfoSocketHandler

    kernel_id = "kernel-under-test"
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_KERNEL_ID", kernel_id)
    monkeypatch.delenv("QUERY_STRING")  # Voilà sets it only when the request comes
    monkeypatch.setattr(room, "_request_seen", False)
    yield kernel_id
    RequestInfoSocketHandler._cache.pop(kernel_id, None)


async def _request_socket(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Voilà's own request-info socket, served on a free local port in this event loop."""
    import socket

    import tornado.web
    from voila.request_info_handler import RequestInfoSocketHandler

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = tornado.web.Application([(r"/voila/query/(.*)", RequestInfoSocketHandler)]).listen(port, "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    return server


async def _until(condition: Any, timeout: float = 20.0) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the page was not opened after its request"
        await asyncio.sleep(0.02)


def test_a_pooled_page_is_shown_before_the_request_and_becomes_the_persons_when_it_comes(
    person: room.Person, pooled_kernel: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """In a pooled kernel show() returns the frame at once (so Voilà can render the page before anyone asks), saying
    the page is opening and offering no button; the request, sent later through Voilà's request socket, makes that
    frame this person's page on the kernel's loop: the asked section shown, the exercises built ahead theirs."""
    import asyncio

    from voila.request_info_handler import RequestInfoSocketHandler

    monkeypatch.setenv(room.PREBUILD_ENV, "02-risk.ipynb")
    room_app.warm(NOTEBOOKS)
    ahead = room_app._AHEAD["02-risk.ipynb"]

    async def kernel() -> None:
        server = await _request_socket(monkeypatch)
        try:
            app = room_app.show(NOTEBOOKS)
            assert isinstance(app, room_app.RoomApp) and app.person is None and app.current == ""
            assert "Opening your page" in app.where.value and app.next_button.layout.display == "none"
            assert room.request_pending()
            await _until(lambda: pooled_kernel in RequestInfoSocketHandler._waiters)  # the kernel waits for its request
            RequestInfoSocketHandler.send_updates({"kernel_id": pooled_kernel, "payload": {"QUERY_STRING": f"token=t&code={person.code}&page=02-risk.ipynb"}})
            await _until(lambda: app.current == "02-risk.ipynb")
            assert app.person == person and app.built["02-risk.ipynb"] is ahead.box and not room_app._AHEAD
            assert all(e.identity.participant == person.participant for e in ahead.exercises)
            assert "wk-nav-03-audacious-goals" in app.next_button._dom_classes and app.next_button.layout.display is None
            appetite = ahead.exercises[0]
            appetite.set_answer({"now": 2, "target": 6})
            assert appetite.save().ok
        finally:
            server.stop()

    asyncio.run(kernel())
    with ResponseStore(tmp_path / "answers.sqlite") as store:
        assert {r.participant for r in store.all_responses("Leeds")} == {person.participant}


def test_a_pooled_page_whose_request_has_no_valid_code_shows_only_the_message(
    person: room.Person, pooled_kernel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frame was shown before the request; a request with a code the store did not issue leaves only the plain
    message on the page, and every widget built for no one (the frame's bar, the section built ahead) closed."""
    import asyncio

    from voila.request_info_handler import RequestInfoSocketHandler

    monkeypatch.setenv(room.PREBUILD_ENV, "02-risk.ipynb")
    room_app.warm(NOTEBOOKS)
    box = room_app._AHEAD["02-risk.ipynb"].box

    async def kernel() -> None:
        server = await _request_socket(monkeypatch)
        try:
            app = room_app.show(NOTEBOOKS)
            bar_button = app.next_button
            await _until(lambda: pooled_kernel in RequestInfoSocketHandler._waiters)
            RequestInfoSocketHandler.send_updates({"kernel_id": pooled_kernel, "payload": {"QUERY_STRING": "token=t&code=NOT-A-REAL-CODE&page=02-risk.ipynb"}})
            await _until(lambda: len(app.children) == 1)
            (message,) = app.children
            assert "wk-room-missing" in message._dom_classes and room.UNKNOWN_CODE_MESSAGE in message.value
            assert app.comm is not None and bar_button.comm is None and box.comm is None and not room_app._AHEAD
        finally:
            server.stop()

    asyncio.run(kernel())


RECORDING = """
class Recording:  # the control comm: what the kernel would send the page
    sent = []
    def send(self, data, buffers=None):
        self.sent.append((data, list(buffers or [])))

calls = {"get_state": 0}  # how many widgets are serialised
get_state = widget_module.Widget.get_state
def counting(self, *args, **kwargs):
    calls["get_state"] += 1
    return get_state(self, *args, **kwargs)
widget_module.Widget.get_state = counting
widgets.Widget._control_comm = Recording()
"""

ONE_PASS_PROBE = """
import json, os, sys
import ipywidgets as widgets
from ipywidgets.widgets import widget as widget_module
from workshop_kit.pages import room_app
from workshop_kit.widgets.sharing import answer_state_requests_in_one_pass
os.environ["WORKSHOP_KIT_ROOM_PREBUILD"] = "02-risk.ipynb"
room_app.warm(sys.argv[1])  # a frame and a section built ahead: about two hundred models

{recording}
request = {"content": {"data": {"method": "request_states"}}}
replies = {}
for mode in ("upstream", "one pass"):
    if mode == "one pass":
        assert answer_state_requests_in_one_pass() and not answer_state_requests_in_one_pass()  # once only
    calls["get_state"] = 0
    widgets.Widget._handle_control_comm_msg(request)
    (data, buffers), = Recording.sent
    Recording.sent.clear()
    replies[mode] = {"data": data, "buffers": len(buffers), "get_state": calls["get_state"]}
layouts = [w.model_id for w in widget_module._instances.values() if isinstance(w, widgets.Layout)]
unset = {name: trait.default_value for name, trait in widgets.Layout.class_traits(sync=True).items()}
print(json.dumps({"models": len(widget_module._instances), "replies": replies, "layouts": layouts, "unset": unset}, default=str))
""".replace("{recording}", RECORDING)


@pytest.mark.slow
def test_a_room_kernel_answers_the_pages_state_request_with_the_same_reply_serialising_each_widget_once(tmp_path: Path) -> None:
    """ipywidgets serialises every widget twice for a page's request_states (a pass whose result it drops); the room's
    kernels answer with the very same message in one pass.  Its own process: the change cannot be undone."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "WORKSHOP_KIT_STORE": str(tmp_path / "answers.sqlite"), "WORKSHOP_KIT_COHORT": "Leeds", room.ROOM_ENV: "1"}
    env.pop("VOILA_PREHEAT", None)
    done = subprocess.run([sys.executable, "-c", ONE_PASS_PROBE, str(NOTEBOOKS)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    upstream, one_pass, models = result["replies"]["upstream"], result["replies"]["one pass"], result["models"]
    assert models > 100 and len(one_pass["data"]["states"]) == models
    assert one_pass["buffers"] == upstream["buffers"] and one_pass["data"]["buffer_paths"] == upstream["data"]["buffer_paths"]
    assert upstream["get_state"] == 2 * models and one_pass["get_state"] == models
    # the same states, but that a layout leaves out what it does not set (the browser's layout model has it unset too)
    ours, theirs, layouts = one_pass["data"]["states"], upstream["data"]["states"], set(result["layouts"])
    assert ours.keys() == theirs.keys() and len(layouts) > 10
    for model_id, model in theirs.items():
        mine = ours[model_id]
        assert {k: v for k, v in mine.items() if k != "state"} == {k: v for k, v in model.items() if k != "state"}
        if model_id in layouts:
            assert {**result["unset"], **mine["state"]} == model["state"]
            assert all(model["state"][k] != v for k, v in result["unset"].items() if k in mine["state"])
        else:
            assert mine["state"] == model["state"]
    assert sum(len(json.dumps(s)) for s in ours.values()) < 0.8 * sum(len(json.dumps(s)) for s in theirs.values())


KEPT_STATES_PROBE = """
import json, os, sys
import ipywidgets as widgets
from ipywidgets.widgets import widget as widget_module
from workshop_kit.pages import room_app
from workshop_kit.widgets import ExerciseWidget
room_app.warm(sys.argv[1], share_models=True)  # a room kernel: the states of the page built ahead are kept from here

{recording}
def reply():
    calls["get_state"] = 0
    widgets.Widget._handle_control_comm_msg({"content": {"data": {"method": "request_states"}}})
    ((data, _buffers),) = Recording.sent
    Recording.sent.clear()
    fresh = {w.model_id: get_state(w, drop_defaults=isinstance(w, widgets.Layout)) for w in widget_module._instances.values()}
    return {"serialised": calls["get_state"], "models": len(fresh), "same": {k: v["state"] for k, v in data["states"].items()} == fresh}

app = room_app.open_page(os.environ["QUERY_STRING"], room_app._FRAME.pop())  # the request: the page becomes Ann's
after_request = reply()
exercise = next(w for w in app.built["02-risk.ipynb"].children if isinstance(w, ExerciseWidget) and w.exercise.kind == "text")
box = next(w for w in widget_module._instances.values() if isinstance(w, widgets.Textarea) and w in set(exercise.children) | {c for b in exercise.children for c in getattr(b, "children", ())})
box.set_state({"value": "typed in the browser"})  # what the page sends as Ann types
app.next_button.click()  # and a change made here: the next section is built and shown
after_changes = reply()
print(json.dumps({"after_request": after_request, "after_changes": after_changes}))
""".replace("{recording}", RECORDING)


@pytest.mark.slow
def test_a_room_kernel_keeps_each_widgets_state_until_it_changes_and_answers_as_if_fresh(person: room.Person, tmp_path: Path) -> None:
    """A room kernel serialises the page it builds ahead before the request; when the browser asks, only the widgets
    changed since are serialised again, and the reply is what serialising every widget afresh gives, also after
    changes from the browser and from the page itself.  Its own process: the change cannot be undone."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, room.PREBUILD_ENV: "02-risk.ipynb"}
    env.pop("VOILA_PREHEAT", None)
    done = subprocess.run([sys.executable, "-c", KEPT_STATES_PROBE, str(NOTEBOOKS)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    after_request, after_changes = result["after_request"], result["after_changes"]
    assert after_request["same"] and after_changes["same"]
    assert after_request["models"] > 150 and after_request["serialised"] < after_request["models"] / 5
    assert 0 < after_changes["serialised"] < after_changes["models"]
