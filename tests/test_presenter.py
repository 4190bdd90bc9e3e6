"""The presenter view (workshop_kit.views.presenter), served for real by Tornado on 127.0.0.1 and read over HTTP.

What the projector may show: counts always, a result only once revealed (or set to show
live, then only in release steps), never below the minimum group size, never a private
exercise's answers, never anything unescaped; and nothing answers without the token.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from workshop_kit.store import live
from workshop_kit.session import room
from workshop_kit.commands import serve
from workshop_kit.privacy import MIN_COHORT, MIN_GROUP, release_step
from workshop_kit.views.presenter import Bar, Group, Presenter, Result, _jinja, make_app, write_qr_files
from workshop_kit.catalogue.running_order import Slot, catalogue_order, pace, parse_running_orders, running_orders, slot_for
from workshop_kit.store.responses import ResponseStore

COHORT = "North-2026"
TOKEN = "presenter-test-token-0123456789abcdef"
HOSTILE = '<img src=x onerror="alert(1)"><script>alert("x")</script>'


@dataclass
class Served:
    base: str
    presenter: Presenter

    def get(self, path: str, token: str | None = TOKEN, in_header: bool = True) -> tuple[int, str]:
        headers = {"X-Presenter-Token": token} if token and in_header else {}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.base + path, headers=headers), timeout=30) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def state(self, have: str = "") -> dict:
        status, body = self.get(f"/api/state?have={have}")
        assert status == 200, body
        return json.loads(body)

    def act(self, action: str, value: str = "", token: str | None = TOKEN) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Presenter-Token"] = token
        data = json.dumps({"action": action, "value": value}).encode()
        try:
            with urllib.request.urlopen(urllib.request.Request(self.base + "/api/action", data=data, headers=headers), timeout=30) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as exc:
            body = exc.read().decode()
            return exc.code, json.loads(body) if body.startswith("{") else {"text": body}

    def goto(self, exercise_id: str) -> dict:
        self.presenter.position = self.presenter._index(exercise_id)
        return self.state()


@contextmanager
def serving(presenter: Presenter) -> Iterator[Served]:
    """The presenter's Tornado app on a free port, in a thread of its own."""
    import tornado.httpserver
    import tornado.ioloop
    import tornado.netutil

    started = threading.Event()
    box: dict = {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server = tornado.httpserver.HTTPServer(make_app(presenter, TOKEN))
        server.add_sockets(sockets)
        box["port"], box["loop"] = sockets[0].getsockname()[1], tornado.ioloop.IOLoop.current()
        started.set()
        box["loop"].start()
        server.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(30)
    try:
        yield Served(f"http://127.0.0.1:{box['port']}", presenter)
    finally:
        box["loop"].add_callback(box["loop"].stop)
        thread.join(30)


def people(store: ResponseStore, n: int, cohort: str = COHORT) -> list[str]:
    """Issue n personal links in the cohort; their answer keys."""
    return [room.issue_code(f"Person {i}", cohort=cohort, store=store).participant for i in range(n)]


@pytest.fixture
def served(store: ResponseStore) -> Iterator[Served]:
    with serving(Presenter(ResponseStore(store.url), COHORT, "http://192.0.2.7:8866/?token=room-token")) as s:
        yield s


def bars_in(html: str) -> int:
    return html.count('class="wk-bar"') + html.count('class="wk-column"')


class TestCountsAndReveal:
    def test_count_is_savers_of_this_cohort_over_people_issued(self, store, served):
        keys = people(store, 4)
        for i, key in enumerate(keys[:3]):
            store.save("brand.value", 4 + i, participant=key, cohort=COHORT)
        store.save("brand.value", 9, participant="someone-else", cohort="Other-cohort")
        view = served.goto("brand.value")
        assert view["count_text"] == "3 of 4 have answered" and view["answered"] == 3 and view["issued"] == 4
        store.save("brand.value", 2, participant=keys[3], cohort=COHORT)
        assert served.state()["count_text"] == "4 of 4 have answered"  # the next poll sees the save

    def test_hidden_until_reveal_then_shown_and_hidden_again(self, store, served):
        for i, key in enumerate(people(store, 6)):
            store.save("brand.value", 3 + i, participant=key, cohort=COHORT)
        view = served.goto("brand.value")
        assert view["mode"] == "hidden" and bars_in(view["panel_html"]) == 0 and "Hidden until you reveal it" in view["panel_html"]
        assert "Mean" not in view["panel_html"]
        status, view = served.act("reveal")
        assert status == 200 and view["mode"] == "shown" and view["revealed"]
        assert bars_in(view["panel_html"]) == 10 and "Mean 5.5" in view["panel_html"]  # (3 + 4 + … + 8) / 6
        assert live.result_visible(live.read_state(store, COHORT), "brand.value")
        status, view = served.act("hide")
        assert view["mode"] == "hidden" and bars_in(view["panel_html"]) == 0
        assert not live.result_visible(live.read_state(store, COHORT), "brand.value")

    def test_revealed_before_a_release_waits_for_it_then_shows_it(self, store, served):
        step = release_step(MIN_COHORT)
        keys = people(store, step)
        for key in keys[:-1]:
            store.save("brand.value", 4, participant=key, cohort=COHORT)
        served.goto("brand.value")
        _, view = served.act("reveal")
        assert view["mode"] == "waiting" and bars_in(view["panel_html"]) == 0 and "Mean" not in view["panel_html"]
        assert f"once {step} people have answered" in view["panel_html"]
        store.save("brand.value", 10, participant=keys[-1], cohort=COHORT)
        later = served.state()  # the first release: shown without pressing R again
        assert later["mode"] == "shown" and "Mean 5" in later["panel_html"]  # (5 × 4 + 10) / 6

    def test_revealed_result_stays_as_revealed_until_revealed_again(self, store, served):
        keys = people(store, 7)
        for key in keys[:6]:
            store.save("brand.value", 5, participant=key, cohort=COHORT)
        served.goto("brand.value")
        _, view = served.act("reveal")
        assert "Mean 5" in view["panel_html"]
        store.save("brand.value", 10, participant=keys[6], cohort=COHORT)
        later = served.state(view["panel_key"])
        assert later["count_text"] == "7 of 7 have answered"  # the count moves...
        assert "panel_html" not in later  # ...the revealed result does not, so one answer cannot be read off
        _, again = served.act("reveal")  # one more answer since: pressing R again must not show it
        assert "Mean 5" in again["panel_html"] and "Showing 6 answers: 1 given or changed since is held back until 6 have" in again["panel_html"]
        served.act("hide")
        _, hidden_and_back = served.act("reveal")  # nor hiding and revealing again
        assert "Mean 5" in hidden_and_back["panel_html"]

    def test_a_revealed_result_moves_in_release_steps_only(self, store, served):
        """The differencing attack on the projector: reveal, one more person saves, reveal again.  The result
        moves only once a release step (6) of people's answers changed, so no reading gives away one answer."""
        keys = people(store, 12)
        for key in keys[:6]:
            store.save("brand.value", 5, participant=key, cohort=COHORT)
        served.goto("brand.value")
        _, first = served.act("reveal")
        assert "Mean 5" in first["panel_html"]
        for n, key in enumerate(keys[6:12], 1):
            store.save("brand.value", 10, participant=key, cohort=COHORT)
            _, view = served.act("reveal")
            if n < 6:
                assert "Mean 5" in view["panel_html"], n  # 6 answers and the same mean: nothing of the newcomers
        assert "Mean 7.5" in view["panel_html"]  # six new answers at once: (6 × 5 + 6 × 10) / 12

    def test_the_projector_shows_the_answers_the_compare_line_reads(self, store, served):
        """The projector beside a participant's "compare with the cohort": both read the cohort's last release, so a
        participant who reads both never sees two sets of people one answer apart (here 17 answered, 12 released)."""
        from workshop_kit.summaries.compare import cohort_comparison
        from workshop_kit.session.identity import Identity

        keys = people(store, 17)
        for i, key in enumerate(keys):
            store.save("brand.value", 2 if i < 12 else 9, participant=key, cohort=COHORT)
        served.goto("brand.value")
        _, view = served.act("reveal")
        assert "Mean 2" in view["panel_html"] and "Showing 12 answers: 5 given or changed since are held back until 6 have" in view["panel_html"]  # not the 17 saved
        ex = store.catalogue.exercise("brand.value")
        reader = cohort_comparison(store, ex, Identity(keys[0], COHORT), 2)
        assert reader.others == 11  # the same twelve people, less the reader

    def test_panel_is_sent_only_when_it_changed(self, store, served):
        view = served.goto("brand.value")
        assert "panel_html" in view and "panel_html" not in served.state(view["panel_key"])

    def test_below_the_minimum_group_nothing_is_shown(self, store):
        """With a release step below the minimum group (a room set to compare from 1 other), a release of 2 is still not shown."""
        keys = people(store, 5)
        for key in keys[: MIN_GROUP - 1]:
            store.save("brand.value", 7, participant=key, cohort=COHORT)
        with serving(Presenter(ResponseStore(store.url), COHORT, min_cohort=1)) as served:
            served.goto("brand.value")
            _, view = served.act("reveal")
        assert view["mode"] == "suppressed" and bars_in(view["panel_html"]) == 0 and "Mean" not in view["panel_html"]
        assert f"Fewer than {MIN_GROUP} answers" in view["panel_html"]

    @pytest.mark.parametrize("exercise_id", ["risk.moving", "system.map", "relationships.log"])
    def test_private_exercises_never_show_answers(self, store, served, exercise_id):
        from hostile_corpus import good_answer

        ex = store.catalogue.exercise(exercise_id)
        assert ex.sensitive
        for i, key in enumerate(people(store, 8)):
            answer = "Secret words about my chief executive" if ex.kind == "text" else good_answer(ex, i)
            store.save(exercise_id, answer, participant=key, cohort=COHORT)
        served.goto(exercise_id)
        for action in ("reveal", "show_live"):
            _, view = served.act(action)
            assert view["mode"] == "private" and bars_in(view["panel_html"]) == 0
            assert "Secret" not in view["panel_html"] and "chief" not in view["panel_html"]
            assert view["count_text"] == "8 of 8 have answered"
        assert not live.result_visible(live.read_state(store, COHORT), exercise_id)

    def test_show_live_moves_only_in_release_steps(self, store, served):
        step = release_step(MIN_COHORT)
        keys = people(store, step + 3)
        served.goto("brand.value")
        _, view = served.act("show_live")
        assert view["show_live"] and view["mode"] == "waiting"
        for key in keys[: step - 1]:
            store.save("brand.value", 5, participant=key, cohort=COHORT)
        assert served.state()["mode"] == "waiting"
        store.save("brand.value", 5, participant=keys[step - 1], cohort=COHORT)
        first = served.state()
        assert first["mode"] == "shown" and "Mean 5" in first["panel_html"]
        store.save("brand.value", 10, participant=keys[step], cohort=COHORT)  # one more: the projector must not move
        after_one = served.state(first["panel_key"])
        assert "panel_html" not in after_one and after_one["answered"] == step + 1

    def test_text_shows_shared_words_only_escaped(self, store, served):
        """A non-private text exercise shows only words two or more people used; participants' markup never arrives as markup."""
        for key in people(store, 6):
            store.save("goal.statement", f"Every patient record shared {HOSTILE}", participant=key, cohort=COHORT)
        served.goto("goal.statement")
        _, view = served.act("reveal")
        html = view["panel_html"]
        assert view["mode"] == "shown" and "patient" in html
        assert "<img" not in html and "<script" not in html and "onerror=" not in html

    def test_signals_are_counted_never_named(self, store, served):
        keys = people(store, 3)
        live.set_signal(store, COHORT, keys[0], "brand.value", "done")
        live.set_signal(store, COHORT, keys[1], "brand.value", "help")
        live.set_signal(store, COHORT, keys[2], "brand.value", "done")
        view = served.goto("brand.value")
        assert view["signals"] == {"done": 2, "help": 1} and view["signals_text"] == "2 done · 1 need help"
        assert "Person" not in json.dumps(view)


class TestTokenAndEscaping:
    def test_page_and_api_need_the_token(self, store, served):
        assert served.get("/", token=None)[0] == 403
        assert served.get("/?token=wrong", token=None)[0] == 403
        status, page = served.get(f"/?token={TOKEN}", token=None)
        assert status == 200 and "Join the workshop" in page
        assert served.get("/api/state", token=None)[0] == 403
        assert served.get("/api/state", token="wrong")[0] == 403
        assert served.get(f"/api/state?token={TOKEN}", token=None)[0] == 403  # the API wants it in the header, not the address

    def test_keys_need_the_token(self, store, served):
        served.goto("brand.value")
        for token in (None, "wrong", TOKEN[:-1]):
            status, _ = served.act("reveal", token=token)
            assert status == 403
            status, _ = served.act("next", token=token)
            assert status == 403
        assert live.read_state(store, COHORT).revealed == frozenset()
        assert served.presenter.exercise.id == "brand.value"

    def test_unknown_action_is_refused_in_words(self, served):
        status, body = served.act("format-disk")
        assert status == 400 and "no action called" in body["error"]

    def test_headers_keep_the_token_in(self, served):
        with urllib.request.urlopen(f"{served.base}/?token={TOKEN}", timeout=30) as r:
            assert r.headers["Referrer-Policy"] == "no-referrer"
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
            assert r.headers["X-Frame-Options"] == "DENY"

    def test_cohort_and_link_are_escaped(self, store):
        cohort = "O'Brien–Ward"
        presenter = Presenter(store, cohort, 'http://x/?token=a"><script>alert(1)</script>')
        with serving(presenter) as s:
            _, page = s.get(f"/?token={TOKEN}", token=None)
        assert "O&#x27;Brien–Ward" in page and "O'Brien" not in page  # quotes spelled as every kit page spells them (workshop_kit.templating.escape)
        assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_the_panel_template_escapes_every_label(self, store):
        """Whatever a label held, the template writes it as text."""
        result = Result("shown", groups=(Group(HOSTILE, (Bar(HOSTILE, HOSTILE, 0.5),), HOSTILE),), figures=HOSTILE, note=HOSTILE)
        ex = store.catalogue.exercise("brand.value")
        html = _jinja.get_template("presenter_panel.html").render(
            join=False, ex=ex, kind="Scale", section=store.catalogue.sections[0], number=1, of=2, result=result
        )
        assert "<img" not in html and "<script" not in html and html.count("&lt;script&gt;") == 6  # heading, label, value, more, figures, note


class TestMovingAndPacing:
    def test_moving_sets_the_room_unless_self_paced(self, store, served):
        served.act("next")  # from the join screen to the first exercise
        first = store.catalogue.exercises[0]
        assert served.presenter.exercise == first
        assert live.read_state(store, COHORT).exercise is None  # self-paced: the room is not moved
        _, view = served.act("self_paced")
        assert not view["self_paced"]
        state = live.read_state(store, COHORT)
        assert (state.exercise, state.section) == (first.id, "01-managing-to-leading")
        served.act("next")
        assert live.read_state(store, COHORT).exercise == store.catalogue.exercises[1].id
        served.act("previous")
        served.act("previous")
        assert served.state()["screen"] == "join"
        assert live.read_state(store, COHORT).exercise == first.id  # the join screen does not move the room

    def test_led_presenter_follows_the_room(self, store, served):
        live.update_state(store, COHORT, self_paced=False, exercise="risk.appetite", section="02-risk")
        assert served.state()["exercise"] == "risk.appetite"

    def test_timer_starts_at_the_plans_minutes_and_adds_and_pauses(self, store, served):
        served.goto("risk.appetite")
        _, view = served.act("timer_start")
        planned = slot_for(running_orders()[served.presenter.plan_name], "02-risk").minutes
        assert view["planned_minutes"] == planned == 40 and view["timer"]["state"] == "running"
        assert planned * 60 - 5 < view["timer"]["left"] <= planned * 60
        _, view = served.act("timer_add5")
        assert view["timer"]["left"] > (planned + 4) * 60
        _, view = served.act("timer_pause")
        assert view["timer"]["state"] == "paused" and "paused" in view["timer"]["text"]
        left = view["timer"]["left"]
        _, view = served.act("timer_add1")
        assert view["timer"]["left"] == pytest.approx(left + 60)
        _, view = served.act("timer_pause")
        assert view["timer"]["state"] == "running"
        _, view = served.act("timer_stop")
        assert view["timer"]["state"] == "off"

    def test_ahead_or_behind_the_plan(self, store, served):
        served.goto("risk.appetite")  # the full day runs section 2 from 70 to 110 minutes
        assert served.state()["pace"]["text"] == "Day not started"
        served.act("day_start")
        live.update_state(store, COHORT, day_started=live.read_state(store, COHORT).day_started - 125 * 60)
        view = served.state()
        assert view["pace"]["text"] == "Behind plan by 15 min" and "from 70 to 110 min" in view["pace"]["rule"]
        status, view = served.act("plan", "Half day (about 3.75 hours)")  # 60 to 100 there
        assert status == 200 and view["pace"]["text"] == "Behind plan by 25 min"
        assert served.act("plan", "No such plan")[0] == 400

    def test_pace_rule(self):
        slot = Slot(70, 40, "2. Risk", "02-risk")
        assert pace(slot, 50) == ("ahead", 20)
        assert pace(slot, 90) == ("on plan", 0)
        assert pace(slot, 118) == ("behind", 8)
        assert pace(None, 500) == ("on plan", 0)

    def test_running_orders_are_read_from_the_notes(self, catalogue):
        orders = running_orders()
        full = next(order for name, order in orders.items() if name.startswith("Full day"))
        assert slot_for(full, "02-risk") == Slot(70, 40, "2. Risk: forgiveness or permission?", "02-risk")
        assert sum(s.minutes for s in full) == 450
        assert parse_running_orders("# Nothing\n\nno tables here\n") == {}
        assert catalogue_order(catalogue)[1].start == catalogue.sections[0].minutes


class TestQrAndServe:
    def test_qr_files_are_written_where_asked(self, tmp_path):
        png, svg = write_qr_files("http://192.0.2.7:8866/?token=abc", tmp_path / "qr")
        assert png.read_bytes().startswith(b"\x89PNG") and "<svg" in svg.read_text()
        assert png.parent == tmp_path / "qr"

    def test_join_screen_shows_the_link_as_text_and_qr(self, served):
        view = served.state()
        assert view["screen"] == "join"
        html = view["panel_html"]
        assert "http://192.0.2.7:8866/?token=room-token" in html and 'aria-label="QR code of the room link"' in html
        assert COHORT in html

    def test_serve_announces_the_presenter_and_qr_files(self, tmp_path):
        class FakeServer:
            url, port = "http://x:1/?token=T", 1

        out = io.StringIO()
        files = (tmp_path / "room-link-qr.png", tmp_path / "room-link-qr.svg")
        serve._announce(serve.RoomSettings(cohort="Leeds"), "Leeds", "the file a.sqlite", FakeServer(), FakeServer(), out, presenter=FakeServer(), qr_files=files)  # type: ignore[arg-type]
        text = out.getvalue()
        assert re.search(r"Presenter view.*\n\s+http://x:1/\?token=T", text)
        assert str(files[0]) in text and str(files[1]) in text

    def test_qr_dir_option_reaches_the_settings(self):
        from workshop_kit.commands.cli import build_parser

        args = build_parser().parse_args(["serve", "--cohort", "Leeds", "--qr-dir", "somewhere"])
        assert Path(args.qr_dir) == Path("somewhere")
