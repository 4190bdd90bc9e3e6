"""Render notebooks in Voilà and take full-page screenshots in headless Chromium (a checking aid, not a test).

    .venv/bin/python tests/tools/screenshot_notebooks.py 00-welcome 02-risk 04-system --out /tmp/shots

Starts Voilà on the notebooks folder (127.0.0.1, a free port, a random token, a throwaway
store unless WORKSHOP_KIT_STORE is set), opens each page at 1280x800, waits for the widgets,
saves <out>/<name>.png, then stops Voilà and its kernels.  Set CHROMIUM to choose the browser.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("names", nargs="+", help="notebook names without .ipynb")
    parser.add_argument("--out", default=tempfile.gettempdir())
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--query", default="", help="extra query string, e.g. code=...")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    scratch = Path(tempfile.mkdtemp(prefix="wk-shots-"))
    env = dict(os.environ)
    env.setdefault("WORKSHOP_KIT_STORE", str(scratch / "answers.sqlite"))
    env.setdefault("WORKSHOP_KIT_PROFILE", str(scratch / "profile.json"))
    voila = [str(ROOT / ".venv" / "bin" / "voila"), str(ROOT / "notebooks"), "--no-browser", f"--port={port}",
             "--Voila.ip=127.0.0.1", f"--token={token}"]
    server = subprocess.Popen(voila, env=env, cwd=ROOT, start_new_session=True,
                              stdout=open(scratch / "voila.log", "w"), stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=FLAGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            for name in args.names:
                extra = f"&{args.query}" if args.query else ""
                page.goto(f"{base}/voila/render/{name}.ipynb?token={token}{extra}", timeout=120_000)
                page.wait_for_selector(".jupyter-widgets", timeout=120_000)
                page.wait_for_timeout(2500)
                # Voila's page scrolls inside a container, so grow the viewport to the content's height
                height = page.evaluate(
                    "Math.max(document.body.scrollHeight, ...[...document.querySelectorAll('*')]"
                    ".filter(e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY) && e.clientHeight >= innerHeight * 0.8)"
                    ".map(e => e.scrollHeight))"
                )
                page.set_viewport_size({"width": args.width, "height": min(int(height) + 40, 30000)})
                page.wait_for_timeout(800)
                path = out / f"{name}.png"
                page.screenshot(path=str(path), full_page=True)
                page.set_viewport_size({"width": args.width, "height": args.height})
                print(path, height)
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"voila log: {scratch / 'voila.log'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
