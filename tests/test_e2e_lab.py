"""End to end in headless Chromium: self-study in JupyterLab started by `workshop-kit lab`.

The notebooks are copied to a temporary folder and JupyterLab gets its own configuration,
settings (document autosave off), data and runtime folders, so nothing is written back into
the repository.  A participant runs a section notebook, answers and saves, restarts the
kernel, closes and reopens the notebook, runs it again, and finds the answer still there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import (
    NOTEBOOKS,
    PAGE_TIMEOUT_MS,
    SERVER_TIMEOUT_S,
    read_until,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    new_page,
    save_and_wait,
    set_slider,
    stop_process_group,
)

from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.browser

SECTION = "06-personal-brand.ipynb"
SETTINGS = {
    # never write the notebook back: the test must leave every .ipynb as it found it
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    # every cell in the DOM, so the widgets further down can be found and scrolled to
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # no news or update checks from a test machine
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running `workshop-kit lab`: its link parts, the copied notebooks and the store."""

    base: str
    token: str
    folder: Path
    store: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.base}/lab/tree/{name}?token={self.token}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """`workshop-kit lab` on a copy of the notebooks, with private Jupyter folders and its own store."""
    from workshop_kit.commands.serve import free_port, new_token

    root = tmp_path_factory.mktemp("lab")
    folder = root / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.sqlite*"))
    settings_dir = root / "settings"
    for relative, values in SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(root / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(root / "workspaces"),
        JUPYTER_DATA_DIR=str(root / "data"),
        JUPYTER_RUNTIME_DIR=str(root / "runtime"),
        WORKSHOP_KIT_STORE=str(root / "answers.sqlite"),
        WORKSHOP_KIT_PROFILE=str(root / "profile.json"),
        PYTHONUNBUFFERED="1",
    )
    for name in ("WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM", "JUPYTERHUB_USER", "QUERY_STRING"):
        env.pop(name, None)
    port, token = free_port(), new_token()
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop_kit.commands.cli", "lab", "--notebooks", str(folder), "--no-browser", "--port", str(port), "--token", token],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output = read_until(process, "Press Ctrl-C", SERVER_TIMEOUT_S)
        assert f"http://127.0.0.1:{port}/lab/tree/00-welcome.ipynb?token={token}" in output
        yield Lab(f"http://127.0.0.1:{port}", token, folder, root / "answers.sqlite")
    finally:
        stop_process_group(process)


def wait_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the status bar reads 'Python 3 (ipykernel) | Idle' (Run All is lost before that)."""
    page.wait_for_function(
        "() => { const bar = document.querySelector('#jp-main-statusbar'); return bar && /\\|\\s*Idle/.test(bar.innerText); }",
        timeout=PAGE_TIMEOUT_MS,
    )


def menu(page, top: str, command: str) -> None:  # type: ignore[no-untyped-def]
    """Choose a command from a menu of JupyterLab's menu bar."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{top}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').first.click()


def open_and_run(page, lab: Lab) -> None:  # type: ignore[no-untyped-def]
    """Open the section notebook, wait for its kernel, run every cell, wait for the widgets."""
    page.goto(lab.notebook_url(SECTION))
    page.wait_for_selector(".jp-Notebook", timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)
    menu(page, "Run", "runmenu:run-all")
    page.wait_for_selector(".wk-exercise .wk-save", timeout=PAGE_TIMEOUT_MS)
    wait_idle(page)


def test_self_study_answer_survives_a_kernel_restart(browser, lab: Lab) -> None:  # noqa: F811
    """An answer saved in JupyterLab is shown again after restarting the kernel and reopening the notebook."""
    before = {p.name: p.read_bytes() for p in lab.folder.glob("*.ipynb")}
    with new_page(browser) as page:
        open_and_run(page, lab)
        box = exercise_box(page, "Will your peers value the mix?")
        box.scroll_into_view_if_needed()
        set_slider(box, 9)
        save_and_wait(box)

        menu(page, "Kernel", "kernelmenu:restart")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        wait_idle(page)
        page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabCloseIcon").click()
        discard = page.locator(".jp-Dialog-button", has_text="Discard")  # the outputs changed: do not save them
        discard.wait_for(timeout=PAGE_TIMEOUT_MS)
        discard.click()
        page.wait_for_selector(".jp-Notebook", state="detached", timeout=PAGE_TIMEOUT_MS)

        open_and_run(page, lab)
        box = exercise_box(page, "Will your peers value the mix?")
        box.scroll_into_view_if_needed()
        assert box.locator(".wk-scale-number input").first.input_value().strip() == "9"
        assert "Saved" in box.locator(".wk-status").inner_text()
        assert not page.errors  # type: ignore[attr-defined]

    with ResponseStore(lab.store) as store:
        assert [r.answer for r in store.latest_answers("self-study", "brand.value")] == [9]
    after = {p.name: p.read_bytes() for p in lab.folder.glob("*.ipynb")}
    assert after == before, "JupyterLab must not write the notebooks back"


@pytest.fixture
def fresh_lab(tmp_path: Path) -> Iterator[Lab]:
    """`workshop-kit lab` as a new user meets it: no JupyterLab settings of their own but autosave off (so a test writes nothing)."""
    from workshop_kit.commands.serve import free_port, new_token

    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.sqlite*"))
    autosave = tmp_path / "settings" / "@jupyterlab" / "docmanager-extension" / "plugin.jupyterlab-settings"
    autosave.parent.mkdir(parents=True)
    autosave.write_text(json.dumps({"autosave": False}), encoding="utf-8")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        WORKSHOP_KIT_STORE=str(tmp_path / "answers.sqlite"),
        WORKSHOP_KIT_PROFILE=str(tmp_path / "profile.json"),
        PYTHONUNBUFFERED="1",
    )
    for name in ("WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM", "JUPYTERHUB_USER", "QUERY_STRING"):
        env.pop(name, None)
    port, token = free_port(), new_token()
    process = subprocess.Popen(
        [sys.executable, "-m", "workshop_kit.commands.cli", "lab", "--notebooks", str(folder), "--no-browser", "--port", str(port), "--token", token],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        read_until(process, "Press Ctrl-C", SERVER_TIMEOUT_S)
        yield Lab(f"http://127.0.0.1:{port}", token, folder, tmp_path / "answers.sqlite")
    finally:
        stop_process_group(process)


def test_welcome_opens_without_news_prompt_or_unsaved_changes(browser, fresh_lab: Lab) -> None:  # noqa: F811
    """A new user's JupyterLab asks nothing about news, and the welcome notebook is not marked changed once its kernel is up."""
    from browser_helpers import ARTIFACTS, screenshot

    before = (fresh_lab.folder / "00-welcome.ipynb").read_bytes()
    with new_page(browser) as page:
        page.goto(fresh_lab.notebook_url("00-welcome.ipynb"))
        page.wait_for_selector(".jp-Notebook", timeout=PAGE_TIMEOUT_MS)
        wait_idle(page)
        page.wait_for_timeout(3000)  # the news prompt, when there is one, comes a moment after start-up
        screenshot(page, ARTIFACTS / "lab-welcome-fresh.png")
        assert page.get_by_text("Would you like to get notified").count() == 0
        tab = page.locator(".lm-TabBar-tab", has_text="00-welcome.ipynb")
        assert "jp-mod-dirty" not in (tab.get_attribute("class") or ""), "the welcome notebook is marked changed on opening"
    assert (fresh_lab.folder / "00-welcome.ipynb").read_bytes() == before
