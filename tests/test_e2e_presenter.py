"""End to end in headless Chromium: the presenter view on the projector and three participants answering.

`workshop-kit serve` starts the room, the dashboard and the presenter view.  Three people
join (one with a name that is not plain ASCII), open the goals page and save an answer
holding HTML and script; the presenter's count rises with each save while the result stays
hidden; R reveals it (only the words two or more people used); nothing anyone typed
renders as markup and no name appears.  Leading the room (self-paced off) moves its live
state, which every participant page follows (a prompt to open the next section; Done reaches the
projector's count).  axe-core finds no serious or critical violation on the presenter page, and the
README's screenshots of it are taken here (docs/images/ with WORKSHOP_KIT_SCREENSHOTS=1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_helpers import (
    ARTIFACTS,
    PAGE_TIMEOUT_MS,
    Room,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    join_room,
    new_page,
    save_and_wait,
    served_room,
    wait_for_page,
)
from test_e2e_room import audit, screenshot_path, serious

from workshop_kit.session import room as room_module
from workshop_kit.store import live
from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

GOALS = "03-audacious-goals.ipynb"
NAMES = ["Siân Øster-Ward", "Bob O'Neil", "سارة"]
HOSTILE = 'Every patient record shared safely <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    store = tmp_path_factory.mktemp("presenter") / "answers.sqlite"
    with served_room(store, cohort="Presenter-E2E", expect=3) as served:
        yield served


def presenter_url(room: Room) -> str:
    match = re.search(r"Presenter view.*\n\s*(http://127\.0\.0\.1:\d+/\?token=\S+)", room.output)
    assert match, room.output
    return match.group(1)


def count_reads(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#wk-count").filter(has_text=text).wait_for(timeout=PAGE_TIMEOUT_MS)


def shots(page, name: str, readme: bool = False) -> None:  # type: ignore[no-untyped-def]
    """The projector at 1920×1080 (for the README, docs/images/ with WORKSHOP_KIT_SCREENSHOTS=1) and at 1280×720 (test-artifacts/), to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(screenshot_path(f"{name}.png") if readme else ARTIFACTS / f"{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280x720.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})


def untouched(page) -> None:  # type: ignore[no-untyped-def]
    """Nothing a participant typed became an element or ran."""
    assert page.locator("#wk-panel img, #wk-panel script, #wk-panel iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    text = page.inner_text("body")
    assert not any(name in text for name in NAMES) and "<script>" not in text


def test_answers_arrive_hidden_until_revealed(browser, room: Room, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    url = presenter_url(room)
    with new_page(browser) as projector:
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(url)
        projector.locator(".wk-qr svg").wait_for()
        assert room.url in projector.inner_text(".wk-link")  # the room link, in large text beside its QR code
        assert "Presenter-E2E" in projector.inner_text(".wk-join")
        with capsys.disabled():
            join_audit = audit(projector, "presenter-join")
        shots(projector, "presenter-join")

        # → to the goal exercise, in catalogue order
        with ResponseStore(room.store) as store:
            steps = [e.id for e in store.catalogue.exercises].index("goal.statement") + 1
        for _ in range(steps):
            projector.keyboard.press("ArrowRight")
        projector.locator('#wk-panel [data-exercise="goal.statement"]').wait_for()
        projector.locator("#wk-panel .wk-mode-hidden").wait_for()

        # three people answered before (a result is shown once a release step of 6 has answered); three more
        # participants answer in the browser; the count rises with each, the result stays hidden
        with ResponseStore(room.store) as store:
            for i in range(3):
                key = room_module.issue_code(f"Earlier {i}", cohort=room.cohort, store=store).participant
                store.save("goal.statement", "Every patient record shared by the end of the year", participant=key, cohort=room.cohort)
        with new_page(browser) as a, new_page(browser) as b, new_page(browser) as c:
            codes = [join_room(page, room, name) for page, name in zip((a, b, c), NAMES)]
            count_reads(projector, "3 of 6 have answered")
            for n, (page, code) in enumerate(zip((a, b, c), codes), 4):
                page.goto(room.page_url(GOALS, code))
                wait_for_page(page, ".wk-save")
                exercise_box(page, "Your audacious goal").locator("textarea").fill(HOSTILE)
                save_and_wait(exercise_box(page, "Your audacious goal"))
                count_reads(projector, f"{n} of 6 have answered")
                assert projector.locator("#wk-panel .wk-bar, #wk-panel .wk-column").count() == 0
                assert projector.locator("#wk-panel .wk-mode-hidden").count() == 1
            assert not (a.errors or b.errors or c.errors)  # type: ignore[attr-defined]
            untouched(projector)
            shots(projector, "presenter-hidden")

            projector.keyboard.press("r")  # reveal
            projector.locator("#wk-panel .wk-mode-shown .wk-bar").first.wait_for()
            labels = projector.locator("#wk-panel .wk-bar-label").all_inner_texts()
            assert "patient" in labels and all(re.fullmatch(r"[\w'’-]+", label) for label in labels)
            untouched(projector)
            with capsys.disabled():
                shown_audit = audit(projector, "presenter-revealed")
            shots(projector, "presenter-revealed")

            projector.keyboard.press("h")  # hide again
            projector.locator("#wk-panel .wk-mode-hidden").wait_for()

            # leading the room: the live state follows the presenter
            projector.click("#wk-self-paced")
            projector.locator('#wk-self-paced[aria-pressed="false"]').wait_for()
            with ResponseStore(room.store) as store:
                state = live.read_state(store, room.cohort)
            assert (state.self_paced, state.exercise, state.section) == (False, "goal.statement", "03-audacious-goals")

            # the participants' pages follow: Done on the room's exercise reaches the projector's count,
            # and moving the room on to the next section prompts all three pages
            a.locator(".wk-signal-done").click()
            projector.locator("#wk-signals").filter(has_text="1 done").wait_for(timeout=PAGE_TIMEOUT_MS)
            with ResponseStore(room.store) as store:
                order = [e.id for e in store.catalogue.exercises]
                system = next(e.id for e in store.catalogue.exercises if e.section == "system")
            for _ in range(order.index(system) - order.index("goal.statement")):
                projector.keyboard.press("ArrowRight")
            projector.locator(f'#wk-panel [data-exercise="{system}"]').wait_for()
            for page in (a, b, c):
                page.locator(".wk-pacing-prompt", has_text="The group has moved to section 4").wait_for(state="visible", timeout=PAGE_TIMEOUT_MS)
            b.click(".wk-pacing-open")
            b.locator(".wk-page-04-system").wait_for(timeout=PAGE_TIMEOUT_MS)
            assert not (a.errors or b.errors or c.errors)  # type: ignore[attr-defined]
        assert not projector.errors  # type: ignore[attr-defined]

    for result in (join_audit, shown_audit):
        assert serious(result["kit"]) == [] and serious(result["chrome"]) == [], result


def test_presenter_refuses_the_room_token(browser, room: Room) -> None:  # noqa: F811
    """The room's token (which every participant has) does not open the presenter view."""
    base = presenter_url(room).split("/?")[0]
    with new_page(browser) as page:
        response = page.goto(f"{base}/?token={room.token}")
        assert response is not None and response.status == 403
        assert "Join the workshop" not in page.inner_text("body")


@pytest.fixture
def seeded_presenter(tmp_path):  # type: ignore[no-untyped-def]
    """`python -m workshop_kit.views.presenter` on a store where 17 of 24 people have answered two exercises (for the README)."""
    import os
    import random
    import subprocess
    import sys
    import time

    from browser_helpers import stop_process_group

    from workshop_kit.session import room as room_module
    from workshop_kit.views.presenter import LINK_ENV, TOKEN_ENV
    from workshop_kit.commands.serve import free_port, wait_until_listening, Server

    path = tmp_path / "answers.sqlite"
    rng = random.Random(14)
    with ResponseStore(path) as store:
        keys = [room_module.issue_code(f"Person {i}", cohort="Leeds-2026-03", store=store).participant for i in range(24)]
        for key in keys[:18]:
            now = rng.choice([2, 3, 3, 4, 4, 4, 5, 5, 6, 7])
            store.save("risk.appetite", {"now": now, "target": min(10, now + rng.choice([1, 2, 3, 3, 4]))}, participant=key, cohort="Leeds-2026-03")
        for key in keys[:5]:
            live.set_signal(store, "Leeds-2026-03", key, "risk.appetite", "done")
        live.set_signal(store, "Leeds-2026-03", keys[6], "risk.appetite", "help")
        live.update_state(store, "Leeds-2026-03", day_started=time.time() - 118 * 60)
    port, token = free_port(), "readme-screenshot-token"
    env = dict(os.environ, WORKSHOP_KIT_STORE=str(path), PYTHONUNBUFFERED="1")
    env[TOKEN_ENV], env[LINK_ENV] = token, "http://192.168.1.20:8866/?token=Xq3vTz9LmP2aRk7sWd4yHn6B"
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop_kit.views.presenter", "--cohort", "Leeds-2026-03", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        assert wait_until_listening(Server("presenter", process, port, ""), timeout=60)  # type: ignore[arg-type]
        yield f"http://127.0.0.1:{port}/?token={token}"
    finally:
        stop_process_group(process)


def test_readme_screenshots(browser, seeded_presenter: str) -> None:  # noqa: F811
    """The join screen, a hidden result and a revealed one, as the README shows them: 18 of 24 answered a paired scale."""
    with new_page(browser) as projector:
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(seeded_presenter)
        projector.locator(".wk-qr svg").wait_for()
        shots(projector, "presenter-join", readme=True)
        for _ in range(6):  # the sixth exercise in catalogue order: risk.appetite
            projector.keyboard.press("ArrowRight")
        projector.locator('#wk-panel [data-exercise="risk.appetite"].wk-mode-hidden').wait_for()
        projector.keyboard.press("t")  # the plan's 40 minutes for the risk section
        projector.locator("#wk-timer").filter(has_text=re.compile(r"^(40:00|39:5\d)$")).wait_for()
        count_reads(projector, "18 of 24 have answered")
        assert projector.inner_text("#wk-signals") == "5 done · 1 need help"
        assert projector.inner_text("#wk-pace") == "Behind plan by 8 min"  # the full day runs section 2 from 70 to 110 minutes
        shots(projector, "presenter-hidden", readme=True)
        projector.keyboard.press("r")
        projector.locator("#wk-panel .wk-mode-shown .wk-column").first.wait_for()
        assert projector.locator("#wk-panel .wk-chart").count() == 2  # now and target side by side
        shots(projector, "presenter-revealed", readme=True)
        assert not projector.errors  # type: ignore[attr-defined]
