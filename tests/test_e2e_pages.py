"""Every served page, on a phone (390×844) and a laptop (1280×800), in headless Chromium.

One `workshop-kit serve` and one participant: the join page, the welcome page, every section
(each exercise kind) and the plan, opened in turn inside the one room page, then the
facilitator dashboard (names switched on, so the list of who has joined shows too).  Each
page is visited once and checked at both widths: nothing scrolls sideways and no exercise or
card is wider than its column or cuts its contents off; axe-core finds no critical or serious
violation anywhere on the page (the kit's markup, Voilà's and the widget library's alike);
and every control reached with Tab shows a focus ring of at least 2 px and 3:1 contrast,
read from its computed outline.  Screenshots of every page at both widths go to
test-artifacts/pages/ for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    ARTIFACTS,
    NOTEBOOKS,
    PAGE_TIMEOUT_MS,
    Room,
    browser,  # noqa: F401 - a fixture
    join_room,
    new_page,
    served_room,
    wait_for_page,
)

from workshop_kit.session import room as room_module
from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
COHORT = "Pages-Cohort"
LONG_NAME = "Oluwadamilareoluwaseunayomideoluwatobilobaadeyemiogunleyeakinwale"[:64]  # one 64-letter word
SHOTS = ARTIFACTS / "pages"

# Moderate and minor axe-core rules still reported, each with its reason (critical and serious: none allowed).
MODERATE_REASONS = {
    "region": "Voilà's page template puts the notebook's output in plain divs with no <main> landmark; the kit cannot add one from a cell.",
    "landmark-one-main": "The same: Voilà's template has no <main>.",
    "page-has-heading-one": "The room page shows one section at a time; its heading comes from the section's Markdown.",
}

_OVERFLOW_JS = """
() => {
  const view = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '');
  const problems = [];
  const sideways = document.documentElement.scrollWidth - view;
  if (sideways > 1) problems.push(`the page scrolls sideways by ${sideways}px`);
  for (const box of document.querySelectorAll('.wk-exercise, .wk-dash .wk-card, .wk-app, .wk-dash')) {
    if (!box.offsetParent) continue;
    const edge = box.getBoundingClientRect();
    const title = (box.querySelector('.wk-title, h3') || box).textContent.trim().slice(0, 40);
    if (edge.right > view + 1) problems.push(`${name(box)} "${title}" ends ${Math.round(edge.right - view)}px past the window`);
    for (const el of [box, ...box.querySelectorAll('*')]) {
      if (!el.offsetParent && el !== box) continue;
      const r = el.getBoundingClientRect();
      if (r.width <= 1 || r.height <= 1) continue;  // not shown (or visually hidden for screen readers only)
      if (r.right > edge.right + 1 || r.left < edge.left - 1)
        problems.push(`${name(el)} in "${title}" sticks out of its box (${Math.round(r.left - edge.left)}..${Math.round(r.right - edge.left)} of ${Math.round(edge.width)}px)`);
      const style = getComputedStyle(el);
      if (el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX) && el.tagName !== 'svg')
        problems.push(`${name(el)} in "${title}" cuts off or scrolls its contents (${el.scrollWidth}px in ${el.clientWidth}px)`);
    }
  }
  return [...new Set(problems)];
}
"""

_FOCUS_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const again = el.dataset.wkFocusWalk !== undefined;  // a date box's day, month and year are one element
  const first = el.dataset.wkFocusWalk === '0';
  if (!again) el.dataset.wkFocusWalk = String(document.querySelectorAll('[data-wk-focus-walk]').length);
  const style = getComputedStyle(el);
  let back = 'rgb(255, 255, 255)';
  for (let node = el.parentElement; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (bg && bg !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(bg)) { back = bg; break; }
  }
  const label = (el.getAttribute('aria-label') || el.textContent || el.value || el.className || '').toString().trim().slice(0, 40);
  return {what: el.tagName.toLowerCase() + ' "' + label + '"', style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          colour: style.outlineColor, behind: back, offset: parseFloat(style.outlineOffset), again, first};
}
"""


def _rgb(css: str) -> tuple[float, float, float]:
    values = [float(v) for v in re.findall(r"[\d.]+", css)[:3]]
    return values[0], values[1], values[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""

    def luminance(rgb: tuple[float, float, float]) -> float:
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    hi, lo = sorted((luminance(_rgb(a)), luminance(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`workshop-kit serve` for a cohort of fourteen made-up people and one with a 64-letter name."""
    from workshop_kit.store.demo import make_demo_cohort

    store = tmp_path_factory.mktemp("pages") / "answers.sqlite"
    with ResponseStore(store) as seeded:
        make_demo_cohort(seeded, 14, COHORT, 11)
        seeded.save("goal.statement", "One record for every patient.", participant=LONG_NAME, cohort=COHORT)
    with served_room(store, cohort=COHORT, expect=2) as served:
        yield served


def _settle(page: Any) -> None:
    """Wait two frames, so a resized page has laid itself out again."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _audit(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"][-1] if n["target"] else "html" for n in v["nodes"]][:5]}
        for v in results.response["violations"]
    ]


def _focus_walk(page: Any, limit: int = 200) -> list[dict[str, Any]]:
    """Tab through the page from the top, reading each focused control's outline, until focus comes round again."""
    page.evaluate(
        "() => { document.querySelectorAll('[data-wk-focus-walk]').forEach(e => delete e.dataset.wkFocusWalk);"
        " window.scrollTo(0, 0); if (document.activeElement) document.activeElement.blur(); }"
    )
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUS_JS)
        if focused is None:
            continue
        if focused["first"]:
            break  # round to the start again
        if not focused["again"]:
            seen.append(focused)
    return seen


def _screenshot(page: Any, path: Path, width: int, height: int) -> None:
    """The whole page at this width: Voilà scrolls an inner box, so the window is made as tall as the content for the picture."""
    tall = page.evaluate("() => Math.max(...[...document.querySelectorAll('body, body *')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": width, "height": min(max(tall, height), 16000)})
    _settle(page)
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": height})


def _check(page: Any, name: str, findings: dict[str, Any], *, focus: bool) -> None:
    """Overflow and axe-core at both widths (screenshots too); the focus walk once, on the laptop."""
    for width_name, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        _settle(page)
        page.wait_for_timeout(300)  # ipywidgets re-measures some boxes after a resize
        key = f"{name} @ {width_name}"
        findings["overflow"][key] = page.evaluate(_OVERFLOW_JS)
        findings["axe"][key] = _audit(page)
        _screenshot(page, SHOTS / f"{name}-{width_name}.png", width, height)
    if focus:
        findings["focus"][name] = _focus_walk(page)


def _exercises_in(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum("kit.exercise(" in "".join(c["source"]) for c in cells if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def findings(browser, room: Room) -> dict[str, Any]:  # noqa: F811
    """Visit every page once; what was measured, by page and width (written to test-artifacts/pages.json)."""
    found: dict[str, Any] = {"overflow": {}, "axe": {}, "focus": {}, "pages": []}
    with new_page(browser) as page:
        page.set_viewport_size({"width": WIDTHS["laptop"][0], "height": WIDTHS["laptop"][1]})
        page.goto(room.url)
        page.wait_for_selector("#wk-join-name")
        _check(page, "join", found, focus=True)
        join_room(page, room, "Siobhán O’Neill")
        pages = [room_module.WELCOME_PAGE] + [p for p, _title in room_module.section_pages(NOTEBOOKS)]
        for number, notebook in enumerate(pages):
            stem = notebook.removesuffix(".ipynb")
            if number:
                page.locator(".wk-bar .wk-nav", has_text="Next →").click()
            wait_for_page(page, f".wk-page-{stem}")
            expected = _exercises_in(NOTEBOOKS / notebook)
            if expected:
                page.locator(f".wk-page-{stem} .wk-exercise .wk-save").nth(expected - 1).wait_for(timeout=PAGE_TIMEOUT_MS)
            sliders = page.locator(f".wk-page-{stem} .wk-slider")
            for i in range(sliders.count()):
                sliders.nth(i).locator("input[type=range]").wait_for(timeout=PAGE_TIMEOUT_MS)
            if stem == "11-development-plan":
                page.locator(".wk-page-11-development-plan .wk-plan").first.wait_for(timeout=PAGE_TIMEOUT_MS)
            found["pages"].append(stem)
            _check(page, stem, found, focus=True)
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    assert room.dashboard_url
    with new_page(browser) as page:
        page.set_viewport_size({"width": WIDTHS["laptop"][0], "height": WIDTHS["laptop"][1]})
        page.goto(room.dashboard_url)
        page.locator('.wk-card[data-exercise="brand.value"] img').wait_for(timeout=PAGE_TIMEOUT_MS)
        page.click(".wk-names")
        page.locator(".wk-roster").filter(has_text="Who has joined").wait_for(timeout=PAGE_TIMEOUT_MS)
        found["pages"].append("dashboard")
        _check(page, "dashboard", found, focus=True)
        assert not page.errors, page.errors  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "pages.json").write_text(json.dumps(found, indent=2, ensure_ascii=False), encoding="utf-8")
    return found


def test_every_page_was_visited(findings: dict[str, Any]) -> None:
    """The join page, the welcome page, every section of the room, the plan and the dashboard were all checked."""
    sections = [p.removesuffix(".ipynb") for p, _title in room_module.section_pages(NOTEBOOKS)]
    assert findings["pages"] == ["00-welcome", *sections, "dashboard"]
    assert "11-development-plan" in sections and len(findings["axe"]) == 2 * (len(findings["pages"]) + 1)


def test_nothing_is_wider_than_its_column(findings: dict[str, Any]) -> None:
    """At 390 and 1280 px wide no page scrolls sideways, and no exercise or card sticks out of or cuts off its contents."""
    problems = {key: found for key, found in findings["overflow"].items() if found}
    assert problems == {}, json.dumps(problems, indent=2, ensure_ascii=False)


def test_no_critical_or_serious_accessibility_violation(findings: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """axe-core finds no critical or serious violation on any page at either width; the others are printed with their reasons."""
    bad = {key: [v for v in found if v["impact"] in ("critical", "serious")] for key, found in findings["axe"].items()}
    bad = {key: found for key, found in bad.items() if found}
    others = sorted({(v["impact"], v["rule"]) for found in findings["axe"].values() for v in found if v["impact"] not in ("critical", "serious")})
    with capsys.disabled():
        print("\naxe-core, moderate and minor rules still reported:")
        for impact, rule in others:
            print(f"  {impact:8} {rule}: {MODERATE_REASONS.get(rule, 'NO REASON RECORDED')}")
    assert bad == {}, json.dumps(bad, indent=2, ensure_ascii=False)
    assert [rule for _impact, rule in others if rule not in MODERATE_REASONS] == []


def test_every_control_shows_its_focus(findings: dict[str, Any]) -> None:
    """Every control reached with Tab has a solid outline at least 2 px wide and 3:1 against what is behind it."""
    weak = []
    for page, walk in findings["focus"].items():
        assert len(walk) >= 2, f"Tab reached almost nothing on {page}"
        for f in walk:
            if f["style"] in ("none", "hidden") or f["width"] < 2 or contrast(f["colour"], f["behind"]) < 3:
                weak.append(f"{page}: {f['what']} outline {f['style']} {f['width']}px {f['colour']} on {f['behind']}")
    assert weak == [], "\n".join(weak)
