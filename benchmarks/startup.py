"""3. Start-up: what a participant waits for before they can answer.

* ``import workshop_kit`` in a fresh interpreter (the package loads its heavy parts
  lazily), and the first exercise widget built (``kit.exercise(id)``: catalogue,
  ipywidgets, store opened);
* a section notebook executed headless with nbclient (kernel start included), as a
  notebook test or a "Run all" does;
* the Voila page in Chromium: one section notebook served by Voila on 127.0.0.1 with a
  token; the clock runs from the browser's navigation until the first exercise's Save
  button (``.wk-save``) is visible and enabled.  Voila starts a new kernel for every page
  load, so the first load (a cold server) and later loads are reported apart.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .common import NOTEBOOKS, ROOT, Figure, fmt_seconds, median

SECTION = "02-risk.ipynb"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("QUERY_STRING", "JUPYTERHUB_USER", "WORKSHOP_KIT_ROOM"):
        env.pop(name, None)
    env.update(
        WORKSHOP_KIT_STORE=str(tmp / "answers.sqlite"),
        WORKSHOP_KIT_PROFILE=str(tmp / "profile.json"),
        WORKSHOP_KIT_COHORT="bench-startup",
        JUPYTER_CONFIG_DIR=str(tmp / "jupyter-config"),
        JUPYTER_DATA_DIR=str(tmp / "jupyter-data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        MPLCONFIGDIR=str(tmp / "mpl"),
        PYTHONDONTWRITEBYTECODE="0",
    )
    # the kernelspec of this interpreter must still be found
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(Path(sys.prefix) / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]))
    return env


def _python_seconds(code: str, env: dict[str, str]) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def import_times(env: dict[str, str], repeats: int) -> tuple[list[float], list[float], list[float]]:
    """(import workshop_kit in-process, whole `python -c "import workshop_kit"` wall time, first widget built)."""
    inside, whole, widget = [], [], []
    scale = "risk.appetite"
    for _ in range(repeats):
        inside.append(_python_seconds("import time; t = time.perf_counter(); import workshop_kit; print(time.perf_counter() - t)", env))
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import workshop_kit"], env=env, cwd=ROOT, check=True)
        whole.append(time.perf_counter() - start)
        widget.append(
            _python_seconds(
                f"import time; t = time.perf_counter(); import workshop_kit as kit; kit.exercise({scale!r}); print(time.perf_counter() - t)", env
            )
        )
    return inside, whole, widget


def bare_python(env: dict[str, str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        times.append(time.perf_counter() - start)
    return median(times)


def notebook_times(env: dict[str, str], tmp: Path, repeats: int) -> list[float]:
    import nbformat
    from nbclient import NotebookClient

    times = []
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # nbclient's kernel inherits this process's environment
    stderr = os.dup(2)
    with open(tmp / "kernel.log", "w") as log:
        os.dup2(log.fileno(), 2)  # the kernel's start-up warnings go to a log, not the table
    try:
        for _ in range(repeats):
            nb = nbformat.read(NOTEBOOKS / SECTION, as_version=4)
            client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
            start = time.perf_counter()
            client.execute()
            times.append(time.perf_counter() - start)
    finally:
        os.dup2(stderr, 2)
        os.close(stderr)
        os.environ.clear()
        os.environ.update(saved)
    return times


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def voila_times(env: dict[str, str], tmp: Path, loads: int) -> tuple[float, float, list[float]]:
    """(server start until it answers, first page until interactive, later pages until interactive)."""
    from playwright.sync_api import sync_playwright

    pages = tmp / "pages"
    pages.mkdir()
    shutil.copy(NOTEBOOKS / SECTION, pages / SECTION)
    port, token = _free_port(), "bench-token-" + os.urandom(8).hex()
    command = [sys.executable, "-m", "voila", str(pages / SECTION), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}", "--Voila.log_level=WARN"]
    log = open(tmp / "voila.log", "w")
    start = time.perf_counter()
    server = subprocess.Popen(command, env=env, cwd=pages, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/?token={token}"
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"voila exited: {(tmp / 'voila.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError as exc:
                if getattr(exc, "code", None):  # an HTTP answer of any kind: the server is up
                    break
                time.sleep(0.05)
            if time.perf_counter() - start > 120:
                raise RuntimeError("voila did not start within 120 s")
        ready = time.perf_counter() - start
        executable = os.environ.get("WORKSHOP_KIT_CHROMIUM", "/usr/bin/chromium")
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            try:
                for _ in range(loads):
                    context = browser.new_context()
                    page = context.new_page()
                    start = time.perf_counter()
                    page.goto(url, wait_until="commit")
                    button = page.locator(".wk-save").first
                    button.wait_for(state="visible", timeout=120_000)
                    while not button.is_enabled():
                        time.sleep(0.01)
                    times.append(time.perf_counter() - start)
                    context.close()
            finally:
                browser.close()
        return ready, times[0], times[1:]
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()


def run(quick: bool, browser: bool = True) -> list[Figure]:
    figures: list[Figure] = []
    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="wk-bench-start-") as name:
        tmp = Path(name)
        env = _env(tmp)
        subprocess.run([sys.executable, "-c", "import workshop_kit.widgets, workshop_kit.store.responses"], env=env, cwd=ROOT, check=True)  # bytecode compiled, caches warm
        inside, whole, widget = import_times(env, repeats)
        bare = bare_python(env, repeats)
        value = median(inside)
        figures.append(Figure("start-up", "import workshop_kit (fresh interpreter, in-process)", fmt_seconds(value), "< 0.5 s", value < 0.5, f"median of {repeats}"))
        figures.append(Figure("start-up", 'python -c "import workshop_kit", whole process', fmt_seconds(median(whole)), note=f"bare python -c pass: {fmt_seconds(bare)}"))
        figures.append(Figure("start-up", "import + first exercise widget (kit.exercise)", fmt_seconds(median(widget)), note="ipywidgets, catalogue, store"))
        nb = notebook_times(env, tmp, 2 if quick else 3)
        figures.append(Figure("start-up", f"section notebook {SECTION} executed (nbclient)", fmt_seconds(median(nb)), note=f"kernel start included; median of {len(nb)}"))
        if browser:
            try:
                ready, first, later = voila_times(env, tmp, 3 if quick else 6)
            except Exception as exc:  # no Chromium, no playwright: say so, carry on
                figures.append(Figure("start-up", "Voila page until interactive", "skipped", note=f"{type(exc).__name__}: {exc}"[:120]))
            else:
                figures.append(Figure("start-up", "Voila server start until it answers", fmt_seconds(ready)))
                figures.append(Figure("start-up", "Voila page until first Save enabled: first load", fmt_seconds(first), note="Chromium headless"))
                figures.append(Figure("start-up", "Voila page until first Save enabled: later loads", fmt_seconds(median(later)), note=f"median of {len(later)}; max {fmt_seconds(max(later))}"))
    return figures
