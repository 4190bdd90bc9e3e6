"""The facilitator dashboard: cards per exercise, redraws only what changed, escapes, anonymity, names switch, timer."""

from __future__ import annotations

import asyncio
import re

import pytest
from widget_helpers import callback_errors  # noqa: F401  (autouse: fail on swallowed callback errors)

from workshop_kit.views.dashboard import Dashboard, facilitator_dashboard, table_html
from workshop_kit.store.responses import ResponseStore

HOSTILE = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(autouse=True)
def quick_png(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures are still built, but not rasterised (test_charts covers the PNG); keeps these tests fast."""
    monkeypatch.setattr("workshop_kit.views.charts.png_bytes", lambda fig, dpi=100: b"\x89PNG-test")


def fill(store: ResponseStore, people: list[str], cohort: str = "room1") -> None:
    for i, who in enumerate(people):
        store.save("goal.ambition", 3 + i % 5, participant=who, cohort=cohort)
        store.save("goal.statement", f"Shared record for every clinician {HOSTILE[i % 2]}", participant=who, cohort=cohort)
        store.save("risk.domains", ["Spending", HOSTILE[i % 2]], participant=who, cohort=cohort)
        store.save("risk.limits", f"My secret limit {who}", participant=who, cohort=cohort)


def page(dash: Dashboard) -> str:
    return "".join(w.value for w in [dash.status, dash.warning, *dash.cards.values()])


@pytest.fixture
def dash(store: ResponseStore):
    fill(store, ["Ann Lee", "Bob Ray", "Cat Moss", "Dan Poe"])
    d = Dashboard(store, "room1", autostart=False)
    yield d
    d.close()


class TestCards:
    def test_every_exercise_has_a_card(self, dash: Dashboard, store: ResponseStore):
        """One card per catalogue exercise, grouped by section; answered ones show a chart and the count."""
        assert set(dash.cards) == {e.id for e in store.catalogue.exercises}
        card = dash.cards["goal.ambition"].value
        assert "4 of 4 answered" in card and "data:image/png;base64," in card
        assert "0 of 4 answered" in dash.cards["system.map"].value
        assert "Cohort <b>room1</b> · 4 participants" in dash.status.value

    def test_section_choice(self, dash: Dashboard):
        """Choosing a section shows only that section's cards; 'All sections' shows every one."""
        dash.section.value = "risk"
        assert len(dash.body.children) == 1
        dash.section.value = "*"
        assert len(dash.body.children) == len(dash.sections)

    def test_empty_store(self, store: ResponseStore):
        """With no answers at all the page says so and keeps checking."""
        d = Dashboard(store, autostart=False)
        assert d.cohort.value is None and "No answers saved yet" in d.status.value
        d.close()


class TestRefresh:
    def test_only_changed_cards_redrawn(self, dash: Dashboard, store: ResponseStore):
        """Nothing new: nothing redrawn. One new answer: only that exercise's card is redrawn."""
        assert dash.refresh() == 0
        before = {k: w.value for k, w in dash.cards.items()}
        store.save("goal.ambition", 10, participant="Ann Lee", cohort="room1")
        assert dash.refresh() == 1
        assert [k for k, w in dash.cards.items() if w.value != before[k]] == ["goal.ambition"]

    def test_new_participant_updates_counts(self, dash: Dashboard, store: ResponseStore):
        """A new participant changes every card's 'of N answered'."""
        store.save("goal.ambition", 5, participant="Eve Hall", cohort="room1")
        assert dash.refresh() == len(dash.cards)
        assert "of 5 answered" in dash.cards["system.map"].value

    def test_refresh_button(self, dash: Dashboard, store: ResponseStore):
        """The Refresh button picks up a new answer at once (and raises nothing inside the callback)."""
        store.save("goal.timeframe", ["1 to 2 years"], participant="Ann Lee", cohort="room1")
        dash.refresh_button.click()
        assert "1 of 4 answered" in dash.cards["goal.timeframe"].value

    def test_new_cohort_appears(self, dash: Dashboard, store: ResponseStore):
        """A cohort that starts answering appears in the cohort list; choosing it shows its answers."""
        store.save("goal.ambition", 5, participant="Zoe", cohort="room2")
        dash.refresh()
        assert list(dash.cohort.options) == ["room1", "room2"] and dash.cohort.value == "room1"
        dash.cohort.value = "room2"
        assert "1 of 1 answered" in dash.cards["goal.ambition"].value


class TestPrivacy:
    def test_hostile_text_escaped(self, dash: Dashboard):
        """What participants typed reaches the page escaped: no live <script> or <img onerror>."""
        html = page(dash)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<script" not in html and "<img src=x" not in html

    def test_anonymous_by_default(self, dash: Dashboard):
        """No participant's name appears anywhere by default, and private answers are counted only."""
        html = page(dash)
        for name in ("Ann Lee", "Bob Ray", "Cat Moss", "Dan Poe"):
            assert name not in html
        assert "secret" not in html
        assert "4 of 4 answered" in dash.cards["risk.limits"].value

    def test_names_switch(self, dash: Dashboard):
        """The names switch shows names with a clear warning; private answers stay hidden; off again hides them."""
        dash.names.value = True
        html = page(dash)
        assert "Ann Lee" in html and "For your eyes only" in html and "secret" not in html
        dash.names.value = False
        assert "Ann Lee" not in page(dash) and dash.warning.value == ""

    def test_small_group_suppressed(self, store: ResponseStore):
        """With two participants no breakdown is shown, only the count and the reason."""
        fill(store, ["Ann Lee", "Bob Ray"], cohort="pair")
        d = Dashboard(store, "pair", autostart=False)
        card = d.cards["goal.statement"].value
        assert "2 of 2 answered" in card and "Fewer than 3" in card and "<img" not in card and "Shared record" not in card
        d.close()

    def test_table_html_escapes_headers_and_cells(self):
        """The small-table helper escapes column names and values alike."""
        import pandas as pd

        out = table_html(pd.DataFrame({"<b>": ["<i>x</i>"]}))
        assert "&lt;b&gt;" in out and "&lt;i&gt;x&lt;/i&gt;" in out and "<i>" not in out


class TestTimer:
    def test_no_loop_no_timer(self, dash: Dashboard):
        """Outside an event loop (a plain script, or nbval's end) the timer does not start."""
        assert dash.start() is False and not dash.running

    def test_ticks_and_stops_on_close(self, store: ResponseStore):
        """In a running loop the page refreshes itself; closing the widget stops the timer."""
        fill(store, ["Ann Lee", "Bob Ray", "Cat Moss"])

        async def scenario() -> tuple[str, bool, bool]:
            d = Dashboard(store, "room1", refresh_seconds=0.05)
            assert d.running
            store.save("goal.timeframe", ["1 to 2 years"], participant="Ann Lee", cohort="room1")
            for _ in range(100):
                await asyncio.sleep(0.05)
                if "1 of 3 answered" in d.cards["goal.timeframe"].value:
                    break
            card = d.cards["goal.timeframe"].value
            task = d._task
            d.close()
            await asyncio.sleep(0.1)
            return card, d.running, task.done()

        card, running, done = asyncio.run(scenario())
        assert "1 of 3 answered" in card and not running and done

    def test_one_dashboard_per_kernel(self, store: ResponseStore):
        """Showing the dashboard again closes the previous one (and its timer)."""
        first = facilitator_dashboard(store)
        second = facilitator_dashboard(store)
        assert first.comm is None and second.comm is not None
        second.close()


def test_cards_have_no_external_addresses(dash: Dashboard):
    """Cards carry their charts inline; nothing is fetched from elsewhere."""
    assert not re.search(r"(src|href)=\"(https?:)?//", page(dash))


class TestRoomNames:
    def test_names_switch_shows_typed_display_names(self, store: ResponseStore):
        """In a served room the names switch shows the name each participant typed, never their answer key; others keep their own name."""
        from workshop_kit.session import room

        people = [room.issue_code(name, cohort="room9", store=store) for name in ("Siân O'Neil", "Raj Patel", "Mo Chen")]
        for i, person in enumerate(people):
            store.save("goal.statement", f"Shared record {i}", participant=person.participant, cohort="room9")
        store.save("goal.statement", "Shared record 3", participant="hub-user", cohort="room9")  # no room code: its key is its name
        d = Dashboard(store, "room9", autostart=False)
        assert not any(p.participant in page(d) or p.display_name in page(d) for p in people)
        d.names.value = True
        card = d.cards["goal.statement"].value
        assert "Siân O&#x27;Neil" in card and "Raj Patel" in card and "Mo Chen" in card and "hub-user" in card
        assert not any(p.participant in card for p in people)
        d.names.value = False
        assert not any(name in page(d) for name in ("Siân", "Raj Patel", "Mo Chen", "hub-user"))
        d.close()

    def test_names_of_late_arrivals_on_a_tick(self, store: ResponseStore):
        """With names on, a room participant who joins later appears under their typed name after a plain tick."""
        from workshop_kit.session import room

        fill(store, ["Ann Lee", "Bob Ray", "Cat Moss"], cohort="room9")
        d = Dashboard(store, "room9", autostart=False)
        d.names.value = True
        late = room.issue_code("Dee Late", cohort="room9", store=store)
        store.save("goal.statement", "Shared record too", participant=late.participant, cohort="room9")
        d.refresh()
        card = d.cards["goal.statement"].value
        assert "Dee Late" in card and late.participant not in card and "4 of 4 answered" in card
        d.close()


    def test_names_switch_lists_who_has_joined(self, store: ResponseStore):
        """With names on, everyone who joined is listed by typed name with their answer count, those with none first; off, nobody."""
        from workshop_kit.session import room

        fill(store, ["Ann Lee", "Bob Ray", "Cat Moss"], cohort="room9")
        quiet = room.issue_code("Quinn O'Neil", cohort="room9", store=store)  # joined, saved nothing yet
        d = Dashboard(store, "room9", autostart=False)
        assert d.roster.value == ""
        d.names.value = True
        roster = d.roster.value
        assert "Who has joined (4; 1 with nothing saved yet)" in roster
        assert "Quinn O&#x27;Neil" in roster and "O'Neil" not in roster and quiet.participant not in roster  # escaped; never the key
        assert roster.index("Quinn") < roster.index("Ann Lee") < roster.index("Bob Ray")  # nothing saved comes first
        assert '<td class="wk-num">4</td>' in roster  # Ann Lee has four current answers
        store.save("goal.ambition", 5, participant=quiet.participant, cohort="room9")
        d.refresh()
        assert "0 with nothing saved yet" in d.roster.value
        d.names.value = False
        assert d.roster.value == "" and "Ann Lee" not in page(d)
        d.close()


class TestHeadings:
    def test_heading_levels_do_not_skip(self, dash: Dashboard):
        """Under the notebook's h1 title, sections are h2 and cards h3, so heading levels never skip one (axe heading-order)."""
        markup = "".join(w.value for box in dash.sections.values() for w in [box.children[0], *box.children[1].children])
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", markup)]
        assert levels[0] == 2 and set(levels) == {2, 3}
        assert all(b - a <= 1 for a, b in zip([1, *levels], levels))


class TestIncremental:
    def test_new_participant_redraws_one_chart(self, dash: Dashboard, store: ResponseStore, monkeypatch: pytest.MonkeyPatch):
        """A newcomer's one answer updates every card's count but draws only that exercise's chart."""
        import workshop_kit.views.charts as charts

        drawn = []
        real = charts.chart
        monkeypatch.setattr(charts, "chart", lambda summary, size=charts.SIZE: drawn.append(summary.exercise.id) or real(summary, size))
        store.save("goal.ambition", 5, participant="Eve Hall", cohort="room1")
        assert dash.refresh() == len(dash.cards)
        assert drawn == ["goal.ambition"]
        assert all("of 5 answered" in w.value for w in dash.cards.values())

    def test_tick_reads_only_new_rows(self, dash: Dashboard, store: ResponseStore, monkeypatch: pytest.MonkeyPatch):
        """A tick asks the store only about the exercises answered since the last one, and re-summarises only those."""
        asked = []
        real = store.answer_tallies
        monkeypatch.setattr(store, "answer_tallies", lambda cohort, ids: asked.append(sorted(ids)) or real(cohort, ids))
        store.save("goal.ambition", 10, participant="Ann Lee", cohort="room1")
        store.save("goal.ambition", 9, participant="Bob Ray", cohort="room1")
        assert dash.refresh() == 1 and asked == [["goal.ambition"]]
        assert "Mean 7.5" in dash.cards["goal.ambition"].value  # (10 + 9 + 5 + 6) / 4: only the latest answers count
        assert dash.refresh() == 0 and asked == [["goal.ambition"]]  # nothing new: nothing read

    def test_forgotten_participant_forces_a_full_reload(self, dash: Dashboard, store: ResponseStore):
        """When rows disappear (a participant forgotten) the next tick reads the cohort afresh, even if others saved meanwhile."""
        store.forget("Dan Poe", "room1")
        store.save("goal.ambition", 7, participant="Eve Hall", cohort="room1")  # one row in, four out
        dash.refresh()
        assert "4 of 4 answered" in dash.cards["goal.ambition"].value and "3 of 4 answered" in dash.cards["goal.statement"].value
        assert "Cohort <b>room1</b> · 4 participants" in dash.status.value

    @pytest.mark.slow
    def test_ticks_match_a_fresh_dashboard(self, store: ResponseStore):
        """After saves, re-saves, an older imported answer, a newcomer and a forget, ticked cards equal a freshly built dashboard's."""
        import datetime as dt

        from workshop_kit.store.demo import demo_rows
        from workshop_kit.store.responses import Response

        store.add_responses(demo_rows(8, "room1", seed=3))
        live = Dashboard(store, "room1", autostart=False)
        old = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
        steps = [
            lambda: store.save("goal.ambition", 1, participant="late arrival", cohort="room1"),
            lambda: store.save("goal.statement", "Second thoughts on every clinician", participant="late arrival", cohort="room1"),
            lambda: store.add_responses([Response("imported-1", "room1", "late arrival", "goal.ambition", 10, old, "test")]),
            lambda: store.save("risk.domains", ["Spending"], participant=store.participants("room1")[0], cohort="room1"),
            lambda: store.forget(store.participants("room1")[1], "room1"),
            lambda: None,
        ]
        for step in steps:
            step()
            live.refresh()
            fresh = Dashboard(store, "room1", autostart=False)
            assert {k: w.value for k, w in live.cards.items()} == {k: w.value for k, w in fresh.cards.items()}
            assert live.status.value.split(" · checked")[0] == fresh.status.value.split(" · checked")[0]
            fresh.close()
        live.close()
