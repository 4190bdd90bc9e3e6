"""End to end in headless Chromium: a facilitated room served by `workshop-kit serve` (Voilà).

Two participants on two devices (browser contexts) get personal links, answer a scale, a
pick-three and a text exercise and save; the store holds both answers under separate keys
and the facilitator dashboard counts two.  A refused save shows its message and writes
nothing; a page without a personal code asks for it; without the token nothing is served.
axe-core checks the welcome page, a section page and the dashboard, and the README's
screenshots are taken here (into docs/images/ when WORKSHOP_KIT_SCREENSHOTS=1, otherwise
into test-artifacts/).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import (
    PAGE_TIMEOUT_MS,
    Room,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    join_room,
    new_page,
    press_options,
    save_and_wait,
    served_room,
    set_slider,
    wait_for_page,
)

from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

BRAND = "06-personal-brand.ipynb"
DEMO_COHORT = "demo"
GOALS = "03-audacious-goals.ipynb"


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`workshop-kit serve --cohort E2E-Cohort` on the kit's notebooks, with its own store."""
    from workshop_kit.store.demo import make_demo_cohort

    store = tmp_path_factory.mktemp("room") / "answers.sqlite"
    with ResponseStore(store) as seeded:  # a made-up cohort beside the test's own, for the dashboard's screenshot
        make_demo_cohort(seeded, 14, DEMO_COHORT, 7)
    with served_room(store) as served:
        yield served


def latest(room: Room, exercise_id: str) -> dict[str, object]:
    """Participant key → current answer to one exercise in the room's cohort."""
    with ResponseStore(room.store) as store:
        return {r.participant: r.answer for r in store.latest_answers(room.cohort, exercise_id)}


def answer_brand_and_goal(page, room: Room, code: str, *, value: int, picks: list[str], goal: str) -> None:  # type: ignore[no-untyped-def]
    """On the brand page: set the value scale and pick three; on the goals page: write the goal; saving each."""
    if f"code={code}" not in page.url or BRAND not in page.url:
        page.goto(room.page_url(BRAND, code))
    wait_for_page(page, ".wk-save")
    attributes = exercise_box(page, "Three things to be known for")
    press_options(attributes, picks)
    save_and_wait(attributes)
    scale = exercise_box(page, "Will your peers value the mix?")
    set_slider(scale, value)
    save_and_wait(scale)
    page.goto(room.page_url(GOALS, code))
    wait_for_page(page, ".wk-save")
    text = exercise_box(page, "Your audacious goal")
    text.locator("textarea").fill(goal)
    save_and_wait(text)


def test_two_participants_answer_and_the_dashboard_counts_two(browser, room: Room) -> None:  # noqa: F811
    """Two participants answer a scale, a pick-three and a text exercise; both answers are stored apart and the dashboard shows n = 2."""
    with new_page(browser) as ann, new_page(browser) as ben:
        code_a = join_room(ann, room, "Ann")
        code_b = join_room(ben, room, "Ann")  # the same name: still two people
        assert code_a != code_b

        # Ann opens section 5 from the welcome page's list (inside the page, no reload), then
        # follows the section's own plain "Continue with" link, which reloads with her code
        ann.click(".wk-nav-list .wk-nav-05-relationships")
        wait_for_page(ann, ".wk-page-05-relationships .wk-save")
        assert "code=" in ann.url and "page=" not in ann.url  # the same page: no new kernel was asked for
        ann.click(".wk-page-05-relationships a[href*='page=06-personal-brand.ipynb']")
        ann.wait_for_url(re.compile(rf"code={re.escape(code_a)}&page=06-personal-brand\.ipynb"))
        wait_for_page(ann, ".wk-page-06-personal-brand .wk-save")
        answer_brand_and_goal(ann, room, code_a, value=8, picks=["Strategic", "Decisive", "Innovative"], goal="Every clinician sees one record.")
        answer_brand_and_goal(ben, room, code_b, value=4, picks=["Approachable", "Strategic", "Supportive"], goal="Digital first outpatients.")
        assert not ann.errors and not ben.errors  # type: ignore[attr-defined]

    values, picks, goals = latest(room, "brand.value"), latest(room, "brand.attributes"), latest(room, "goal.statement")
    assert sorted(values.values()) == [4, 8] and len(values) == 2
    assert sorted(map(tuple, picks.values())) == [("Approachable", "Strategic", "Supportive"), ("Strategic", "Decisive", "Innovative")]
    assert sorted(goals.values()) == ["Digital first outpatients.", "Every clinician sees one record."]
    assert all(key.startswith("room-") and code_a not in key and code_b not in key for key in values)

    assert room.dashboard_url, "serve should start the facilitator dashboard"
    with new_page(browser) as facilitator:
        facilitator.goto(room.dashboard_url)
        value_card = facilitator.locator('.wk-card[data-exercise="brand.value"]')
        value_card.filter(has_text="2 of 2 answered").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert "Ann" not in facilitator.inner_text("body")  # names stay hidden until switched on
        # two is under the minimum group size, so the breakdown shows only on the facilitator's own screen
        facilitator.click(".wk-names")
        facilitator.locator(".wk-warning").wait_for(timeout=PAGE_TIMEOUT_MS)
        value_card.filter(has_text=re.compile(r"Mean\W*6(\.0)?\b")).wait_for(timeout=PAGE_TIMEOUT_MS)  # (4 + 8) / 2
        roster = facilitator.locator(".wk-roster")
        roster.filter(has_text="Who has joined").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert roster.inner_text().count("Ann") == 2  # two people typed the same name: both listed, so the facilitator can tell
        picks_card = facilitator.locator('.wk-card[data-exercise="brand.attributes"]')
        assert "2 of 2 answered" in picks_card.inner_text()
        assert not facilitator.errors  # type: ignore[attr-defined]


def test_refused_save_shows_why_and_writes_nothing(browser, room: Room) -> None:  # noqa: F811
    """Picking four attributes where three are asked for shows the refusal on the page and saves nothing."""
    with new_page(browser) as page:
        code = join_room(page, room, "Carys")
        page.goto(room.page_url(BRAND, code))
        wait_for_page(page, ".wk-save")
        attributes = exercise_box(page, "Three things to be known for")
        press_options(attributes, ["Friendly", "Strategic", "Decisive", "Innovative"])
        status = save_and_wait(attributes, expect="✗ Not saved")  # the refusal, not the "Not saved yet." shown before
        assert "choose exactly 3 (you chose 4)" in status
        assert attributes.locator(".wk-pick-option.mod-active").count() == 4  # nothing typed is lost
    with ResponseStore(room.store) as store:
        from workshop_kit.session import room as room_module

        key = room_module.participant_key(code)
        assert [r for r in store.all_responses(room.cohort, participant=key)] == []


def test_page_without_personal_code_asks_for_a_name(browser, room: Room) -> None:  # noqa: F811
    """A section page opened without a personal code shows the join form instead of exercises (no kernel)."""
    with new_page(browser) as page:
        response = page.goto(room.page_url(BRAND))
        assert response is not None and response.status == 200
        page.wait_for_selector("#wk-join-name")
        assert "Type your name to get your personal link" in page.inner_text("body")
        assert page.locator(".wk-save").count() == 0


def test_guessed_code_opens_nothing(browser, room: Room) -> None:  # noqa: F811
    """A made-up code is refused on the page and nobody's answers are shown."""
    from workshop_kit.session.room import new_code

    with new_page(browser) as page:
        response = page.goto(room.page_url(BRAND, new_code()))
        assert response is not None and response.status == 403
        assert "not one this workshop gave out" in page.inner_text("[role=alert]")
        assert page.locator(".wk-save").count() == 0 and page.locator("#wk-join-name").count() == 1


def test_without_the_token_nothing_is_served(browser, room: Room) -> None:  # noqa: F811
    """Opening a page without the room's token shows Jupyter's login form, never the page or its kernel."""
    with new_page(browser) as page:
        response = page.goto(f"{room.base}/")
        page.wait_for_load_state("domcontentloaded")
        assert "/login" in page.url
        assert response is not None and response.ok  # the login form itself
        body = page.inner_text("body")
        assert "Welcome: becoming a successful leader" not in body
        assert page.locator("form input[type=password]").count() >= 1  # Jupyter's login form
        page.goto(f"{room.base}/?token=not-the-token")
        assert "/login" in page.url
    assert room.dashboard_url
    with new_page(browser) as page:  # the room's token does not open the facilitator dashboard
        page.goto(room.dashboard_url.split("?token=")[0] + f"?token={room.token}")
        assert "/login" in page.url


# --- accessibility and screenshots ---------------------------------------------------------------

SERIOUS = ("serious", "critical")
# Rules about the page as a whole, decided by Voilà's template rather than the kit's markup.
PAGE_RULES = {"html-has-lang", "html-lang-valid", "document-title", "landmark-one-main", "region", "page-has-heading-one", "bypass"}
# Inside the kit's widgets but drawn by a library the kit cannot change from Python: none any more
# (the slider is the kit's own labelled range input, widgets/slider.py); every page and width is
# audited without exclusions in test_e2e_pages.py.
UPSTREAM: dict[tuple[str, str], str] = {}
# Where the kit's own markup lives on a page: its widgets (wk-* classes) and the notebooks' Markdown.
KIT_MARKUP = "[class*='wk-'], .wk-join-page, .jp-RenderedMarkdown, .jp-MarkdownOutput, .jp-RenderedHTMLCommon"


def audit(page, name: str) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    """Run axe-core on the page; split violations into the kit's own and the Voilà/Jupyter chrome's, print the figures."""
    from axe_playwright_python.sync_playwright import Axe

    from browser_helpers import ARTIFACTS

    results = Axe().run(page)
    split: dict[str, list[dict]] = {"kit": [], "upstream": [], "chrome": []}
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            selector = node["target"][-1] if node["target"] else "html"
            inside_kit = violation["id"] not in PAGE_RULES and page.evaluate(
                "([sel, kit]) => { const el = document.querySelector(sel); return !!(el && el.closest(kit)); }", [selector, KIT_MARKUP]
            )
            entry = {"rule": violation["id"], "impact": violation["impact"], "target": selector, "help": violation["help"]}
            upstream = next((why for (rule, end), why in UPSTREAM.items() if rule == violation["id"] and selector.endswith(end)), None)
            if upstream:
                entry["excluded"] = upstream
                split["upstream"].append(entry)
            else:
                split["kit" if inside_kit else "chrome"].append(entry)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(split, indent=2), encoding="utf-8")
    lines = [f"axe-core on {name}: {len(results.response['violations'])} rules violated"]
    for where in ("kit", "upstream", "chrome"):
        counts = {impact: sum(e["impact"] == impact for e in split[where]) for impact in ("critical", "serious", "moderate", "minor")}
        lines.append(f"  {where:8} nodes by impact: {counts}")
        lines += [f"    {e['impact']:8} {e['rule']}: {e['target']}" + (f"  (excluded: {e['excluded']})" if "excluded" in e else "") for e in split[where] if e["impact"] in SERIOUS]
        if where == "chrome" and split[where]:
            lines.append("    (Voila's page template: rules such as 'region' ask for landmarks the template does not provide)")
    print("\n".join(lines))
    return split


def serious(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["impact"] in SERIOUS]


def screenshot_path(name: str) -> Path:
    """docs/images/NAME when WORKSHOP_KIT_SCREENSHOTS=1 (to refresh the README's pictures), else test-artifacts/NAME."""
    import os

    from browser_helpers import ARTIFACTS, REPO

    folder = REPO / "docs" / "images" if os.environ.get("WORKSHOP_KIT_SCREENSHOTS") == "1" else ARTIFACTS
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_welcome_and_section_pages_are_accessible(browser, room: Room, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """axe-core finds no serious or critical violation in the kit's own markup on the welcome page and a section page."""
    with new_page(browser) as page:
        page.goto(room.url)
        with capsys.disabled():
            join = audit(page, "join")
        code = join_room(page, room, "Dee")
        with capsys.disabled():
            welcome = audit(page, "welcome")
        page.goto(room.page_url(BRAND, code))
        wait_for_page(page, ".wk-save")
        attributes = exercise_box(page, "Three things to be known for")
        press_options(attributes, ["Strategic", "Approachable", "Innovative"])
        save_and_wait(attributes)
        with capsys.disabled():
            section = audit(page, "section")
        attributes.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -160)")
        page.screenshot(path=str(screenshot_path("participant-page.png")))
    assert serious(welcome["kit"]) == [], welcome["kit"]
    assert join["kit"] == [] and join["chrome"] == [], join  # the join page is the kit's own, every rule applies
    assert serious(section["kit"]) == [], section["kit"]


def test_dashboard_is_accessible(browser, room: Room, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    """axe-core finds no serious or critical violation in the dashboard's markup, shown for a cohort of fourteen."""
    assert room.dashboard_url
    with new_page(browser) as page:
        page.goto(room.dashboard_url)
        page.wait_for_selector(".wk-cohort select", timeout=PAGE_TIMEOUT_MS)
        page.select_option(".wk-cohort select", DEMO_COHORT)
        page.select_option(".wk-section-choice select", label="6. Your personal brand")
        page.locator('.wk-card[data-exercise="brand.value"]').filter(has_text=re.compile(r"\b1[0-4] of 14 answered")).wait_for(timeout=PAGE_TIMEOUT_MS)  # the demo leaves some blank
        page.locator('.wk-card[data-exercise="brand.value"] img').wait_for(timeout=PAGE_TIMEOUT_MS)
        with capsys.disabled():
            dashboard = audit(page, "dashboard")
        page.screenshot(path=str(screenshot_path("dashboard.png")), full_page=True)
    assert serious(dashboard["kit"]) == [], dashboard["kit"]
