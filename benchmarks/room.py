"""6. A room: N participants opening the same page in the same second.

One run measures, side by side, the kit served by ``workshop-kit serve`` and a bare
one-widget Voilà page (one IntSlider and one Button, plain Voilà with a token), at each
room size N.  A fresh server is started for every N.

The participants are a load generator that does what a browser does, in asyncio (tornado's
HTTP client and websocket): it GETs the page with the token and keeps the cookies, reads the
kernel id from the page's ``jupyter-config-data`` JSON, opens the kernel's websocket
(``/api/kernels/<id>/channels``, Jupyter messaging v5 in the v1 websocket protocol's binary
frames, as JupyterLab's services send it; the legacy JSON protocol made the server's work look larger), asks for ``kernel_info`` as
JupyterLab's services do, opens a ``jupyter.widget.control`` comm and sends
``request_states`` (ipywidgets 8), then follows the widget models the kernel sends
(``update_states``, ``comm_open``, ``update``/``echo_update``).  A participant is ready when
a Button whose ``_dom_classes`` hold ``wk-save`` exists and is enabled (bare page: when the
Button exists); time to ready runs from the GET.  Pages stay open (websocket connected)
until every participant of the phase is done, then close.  One more participant is a real
Chromium page, timed from navigation to its first enabled ``.wk-save``.

Phases, in the order a workshop runs: join (the welcome page gives a personal link), open
section 02, and, with the one-kernel-per-participant layout, move on together to section
03 after a 60 s reading pause (a real room reads for minutes; the page may use that time).
After each phase: kernels alive, and their memory (RSS and USS, psutil over the server's
descendants); each timed phase also says how many CPU seconds the kernels and the server
used, a figure that depends far less than the times on what else the machine is doing.
Figures are printed, never asserted.

Two layouts of ``workshop-kit serve``:

* ``old``: a Voilà kernel per page (``/voila/render/<page>?token=…&code=…``); joining is the
  welcome notebook's name box and button.
* ``new``: ``--expect N`` warms a pool before printing the link; pages are
  ``/?token=…&code=…&page=<notebook>``; joining is a plain HTML form POSTed to ``/``
  (a 303 to the personal link).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html.parser
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from .common import ROOT, Figure, fmt_seconds, load_average, percentile
from .startup import CHROMIUM_FLAGS, _env, _free_port

SIZES = (1, 10, 30, 100)
KINDS = ("kit", "kit-open", "before", "before-open", "bare")
QUICK_SIZES = (1, 10, 30)
SECTION = "02-risk.ipynb"
OPEN_ON = "2"  # --room-open-on: the server is told the room opens on SECTION
CLOSE_SECONDS = 30  # serve --close-seconds: a closed page is freed this long after (the default 90 s would slow the refill between phases)
READING_PAUSE = 60  # seconds between the room opening a section and moving on together (a real room takes minutes)
NEXT_NAV_CLASS = "wk-nav-03-audacious-goals"
NEXT_PAGE_CLASS = "wk-page-03-audacious-goals"
TARGET_P95 = {30: 2.0, 100: 5.0}  # issue 12: seconds until the first enabled Save, p95
MIB = 1024 * 1024
PER_PARTICIPANT, SPARE = 100 * MIB, 2048 * MIB  # a phase is skipped unless a kernel each (and spare) fits in free memory
WS_PROTOCOL = "v1.kernel.websocket.jupyter.org"  # what JupyterLab's (and Voilà's) services ask for
State = dict[str, dict]  # model id -> widget state (``_model_name`` included)
Ready = Callable[[State], bool]


# --- what counts as ready ----------------------------------------------------------------------


def _classes(state: dict) -> list[str]:
    return list(state.get("_dom_classes") or [])


def buttons(states: State, css_class: str | None = None) -> list[str]:
    """The model ids of the Buttons (with css_class, if given)."""
    return [mid for mid, s in states.items() if s.get("_model_name") == "ButtonModel" and (css_class is None or css_class in _classes(s))]


def enabled_save(states: State, exclude: frozenset[str] = frozenset()) -> bool:
    return any(not states[mid].get("disabled", False) for mid in buttons(states, "wk-save") if mid not in exclude)


def _child_ids(state: dict) -> list[str]:
    return [c.removeprefix("IPY_MODEL_") for c in state.get("children") or [] if isinstance(c, str)]


def shown_save(states: State, page_class: str) -> bool:
    """The room page's body shows the section with page_class, and an enabled Save is inside it (what a browser draws)."""
    bodies = with_class(states, "VBoxModel", "wk-body")
    shown = [c for b in bodies for c in _child_ids(states[b]) if c in states and page_class in _classes(states[c])]
    todo, seen = list(shown), set()
    while todo:
        mid = todo.pop()
        if mid in seen or mid not in states:
            continue
        seen.add(mid)
        state = states[mid]
        if state.get("_model_name") == "ButtonModel" and "wk-save" in _classes(state) and not state.get("disabled", False):
            return True
        todo.extend(_child_ids(state))
    return False


def any_button(states: State) -> bool:
    return bool(buttons(states))


def room_page_ready(states: State) -> bool:
    """The new layout's personal page (the welcome section): its buttons to the sections exist."""
    return any(c.startswith("wk-nav-") for mid in buttons(states) for c in _classes(states[mid]))


def with_class(states: State, model: str, css_class: str) -> list[str]:
    return [mid for mid, s in states.items() if s.get("_model_name") == model and css_class in _classes(s)]


# --- one participant's browser ------------------------------------------------------------------


class PageError(Exception):
    """The page did not answer as a browser would need (HTTP error, no kernel id, closed socket)."""


class _Form(html.parser.HTMLParser):
    """The first form's action and its input fields (name -> value)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._in_form = self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self._done and self.action is None:
            self.action, self._in_form = a.get("action", ""), True
        elif tag == "input" and self._in_form and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form, self._done = False, True


_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)


def kernel_id_from_html(page: str) -> str | None:
    """The kernel id Voilà put in the page's config JSON, or None."""
    found = _CONFIG.search(page)
    if found:
        with contextlib.suppress(ValueError):
            kid = json.loads(found.group(1)).get("kernelId")
            if kid:
                return str(kid)
    found = re.search(r'"kernelId"\s*:\s*"([0-9a-f-]{8,})"', page)
    return found.group(1) if found else None


class Browser:
    """One participant's HTTP side: keeps cookies, follows redirects itself (cookies set on a redirect count)."""

    def __init__(self, base: str, timeout: float):
        self.base = base
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.first_byte = float("nan")

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": "workshop-kit-room-bench", "Accept": "text/html,*/*"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response) -> None:  # type: ignore[no-untyped-def]
        for header in response.headers.get_list("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(Exception):
                jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    async def fetch(self, url: str, *, method: str = "GET", form: dict[str, str] | None = None, follow: bool = True):  # type: ignore[no-untyped-def]
        """The response (after redirects when follow), its body read in full; raises PageError on an HTTP error.

        ``self.first_byte`` is when the last response's first body bytes arrived (Voilà sends the page's
        head at once, then holds the rest until the notebook has run)."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        client = AsyncHTTPClient()
        url = urljoin(self.base, url)
        for _ in range(6):
            headers = self._headers()
            body = None
            if form is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Origin"] = self.base.rstrip("/")
                headers["Referer"] = url
                body = urlencode(form)
            chunks: list[bytes] = []

            def arrived(chunk: bytes, chunks: list[bytes] = chunks) -> None:
                if not chunks:
                    self.first_byte = time.perf_counter()
                chunks.append(chunk)

            request = HTTPRequest(
                url, method=method, headers=headers, body=body, follow_redirects=False, request_timeout=self.timeout, connect_timeout=self.timeout, streaming_callback=arrived
            )
            response = await client.fetch(request, raise_error=False)
            response.buffer = io.BytesIO(b"".join(chunks))  # tornado leaves the body empty when it was streamed
            if response.code == 599:
                raise PageError(f"{method} {urlsplit(url).path}: {response.error}")
            self._keep(response)
            if response.code in (301, 302, 303, 307, 308):
                if not follow:
                    return response
                url = urljoin(url, response.headers["Location"])
                if response.code == 303 or method == "POST" and response.code in (301, 302):
                    method, form = "GET", None
                continue
            if response.code >= 400:
                raise PageError(f"{method} {urlsplit(url).path}: HTTP {response.code}")
            return response
        raise PageError(f"{method} {url}: too many redirects")


class KernelPage:
    """An open page's kernel connection, following the widget models as a widget manager does."""

    def __init__(self, socket, session: str):  # type: ignore[no-untyped-def]
        self.socket = socket
        self.session = session
        self.v1 = getattr(socket, "selected_subprotocol", None) == WS_PROTOCOL  # as JupyterLab: binary frames
        self.states: State = {}
        self.control = uuid.uuid4().hex
        self.changed = asyncio.Event()
        self.closed = False
        self.replies: dict[str, dict] = {}
        self.got_states = False  # the kernel answered request_states
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, browser: Browser, kernel_id: str) -> KernelPage:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        session = uuid.uuid4().hex
        base = urlsplit(browser.base)
        url = f"ws://{base.netloc}/api/kernels/{kernel_id}/channels?session_id={session}"
        headers = browser._headers()
        headers["Origin"] = f"http://{base.netloc}"  # what a browser sends; Jupyter checks it matches the host
        request = HTTPRequest(url, headers=headers, request_timeout=browser.timeout, connect_timeout=browser.timeout)
        socket = await websocket_connect(request, max_message_size=256 * MIB, subprotocols=[WS_PROTOCOL])
        return cls(socket, session)

    def send(self, channel: str, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        msg_id = uuid.uuid4().hex
        message = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "username": "participant",
                "session": self.session,
                "date": dt.datetime.now(dt.timezone.utc).isoformat(),
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": metadata or {},
            "content": content,
            "channel": channel,
            "buffers": [],
        }
        if self.v1:
            parts = [json.dumps(message[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
            self.socket.write_message(v1_frame(channel, parts), binary=True)
        else:
            self.socket.write_message(json.dumps(message))
        return msg_id

    def comm_msg(self, comm_id: str, data: dict) -> None:
        self.send("shell", "comm_msg", {"comm_id": comm_id, "data": data})

    async def start_widgets(self, timeout: float) -> None:
        """kernel_info first (as JupyterLab's kernel connection does), then ask for every widget's state."""
        msg_id = self.send("shell", "kernel_info_request", {})
        await self.wait(lambda: msg_id in self.replies, timeout)
        self.send("shell", "comm_open", {"comm_id": self.control, "target_name": "jupyter.widget.control", "data": {}}, {"version": "1.0.0"})
        self.comm_msg(self.control, {"method": "request_states"})

    async def wait(self, condition: Callable[[], bool], timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():
            if self.closed:
                raise PageError("the kernel's websocket closed")
            left = deadline - time.perf_counter()
            if left <= 0:
                raise asyncio.TimeoutError
            self.changed.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)

    async def wait_states(self, ready: Ready, timeout: float) -> None:
        await self.wait(lambda: ready(self.states), timeout)

    def _handle(self, msg: dict) -> None:
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content") or {}
        if kind and kind.endswith("_reply"):
            self.replies[msg.get("parent_header", {}).get("msg_id", "")] = content
        elif kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            state = dict((content.get("data") or {}).get("state") or {})
            self.states[content["comm_id"]] = state
        elif kind == "comm_msg":
            data = content.get("data") or {}
            method = data.get("method")
            if content.get("comm_id") == self.control and method == "update_states":
                for mid, model in (data.get("states") or {}).items():
                    state = dict(model.get("state") or {})
                    state.setdefault("_model_name", model.get("model_name"))
                    self.states.setdefault(mid, {}).update(state)
                self.got_states = True
            elif method in ("update", "echo_update") and content.get("comm_id") in self.states:
                self.states[content["comm_id"]].update(data.get("state") or {})
        elif kind == "comm_close":
            self.states.pop(content.get("comm_id"), None)

    async def _read(self) -> None:
        try:
            while True:
                raw = await self.socket.read_message()
                if raw is None:
                    break
                with contextlib.suppress(ValueError, KeyError, TypeError, IndexError):
                    self._handle(v1_message(raw) if self.v1 else json.loads(_json_part(raw)))
                self.changed.set()
        finally:
            self.closed = True
            self.changed.set()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.socket.close()
        self._reader.cancel()


def v1_frame(channel: str, parts: list[bytes]) -> bytes:
    """A message in the v1 kernel websocket protocol: a table of offsets, the channel, then its JSON parts."""
    name = channel.encode()
    offsets = [8 * (len(parts) + 3), 8 * (len(parts) + 3) + len(name)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([len(offsets).to_bytes(8, "little"), *(o.to_bytes(8, "little") for o in offsets), name, *parts])


def v1_message(raw: str | bytes) -> dict:
    """A v1 frame as a message dict; the content is decoded only for the messages a widget manager reads."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:8], "little")
    offsets = [int.from_bytes(raw[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    parts = [raw[offsets[i] : offsets[i + 1]] for i in range(1, count - 1)]
    header = json.loads(parts[0])
    wanted = header.get("msg_type", "").endswith("_reply") or header.get("msg_type") in ("comm_open", "comm_msg", "comm_close")
    return {
        "header": header,
        "msg_type": header.get("msg_type"),
        "parent_header": json.loads(parts[1]),
        "content": json.loads(parts[3]) if wanted else {},
    }


def _json_part(raw: str | bytes) -> str | bytes:
    """A message as JSON; a binary frame (a message with buffers) holds it after a table of offsets."""
    if isinstance(raw, str):
        return raw
    count = int.from_bytes(raw[:4], "big")
    offsets = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(count)]
    return raw[offsets[0] : offsets[1] if count > 1 else len(raw)]


@dataclass
class Result:
    """One participant in one phase: seconds from the first request to each milestone (None: not reached)."""

    ready: float | None = None
    marks: dict[str, float] = field(default_factory=dict)
    error: str = ""
    page: KernelPage | None = None
    browser: Browser | None = None
    extra: dict = field(default_factory=dict)


async def open_page(browser: Browser, url: str, ready: Ready, result: Result, start: float, deadline: float) -> KernelPage:
    """GET the page, connect to its kernel, wait until ready(states); marks the milestones in result."""
    response = await browser.fetch(url)
    result.marks["first byte"] = browser.first_byte - start
    result.marks["html"] = time.perf_counter() - start
    kernel_id = kernel_id_from_html(response.body.decode("utf-8", "replace"))
    if kernel_id is None:
        raise PageError(f"no kernel id in the page {urlsplit(url).path}")
    page = await KernelPage.open(browser, kernel_id)
    result.page = page
    result.marks["socket"] = time.perf_counter() - start
    await page.start_widgets(deadline - time.perf_counter())
    await page.wait(lambda: page.got_states, deadline - time.perf_counter())
    result.marks["states"] = time.perf_counter() - start
    page.send("shell", "comm_close", {"comm_id": page.control, "data": {}})  # as the widget manager does once it has the states
    await page.wait_states(ready, deadline - time.perf_counter())
    return page


# --- the participants' scripts --------------------------------------------------------------------


async def _attempt(result: Result, work: Awaitable[None]) -> Result:
    """Run one participant's steps; a timeout or an error is recorded in the result, never raised."""
    try:
        await work
    except asyncio.TimeoutError:
        result.error = result.error or "timeout"
    except Exception as exc:  # noqa: BLE001 - one participant's failure is a result, not a crash
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    return result


async def participant_open(base: str, url: str, ready: Ready, start_at: asyncio.Event, timeout: float) -> Result:
    """Open a page and wait until ready(states)."""
    result = Result(browser=Browser(base, timeout))
    await start_at.wait()
    start = time.perf_counter()

    async def steps() -> None:
        await open_page(result.browser, url, ready, result, start, start + timeout)
        result.ready = time.perf_counter() - start

    return await _attempt(result, steps())


def _room_form(s: State) -> bool:
    return bool(with_class(s, "TextModel", "wk-room-name")) and bool(with_class(s, "ButtonModel", "wk-room-issue"))


def _room_linked(s: State) -> bool:
    return any("?code=" in str(s[mid].get("value", "")) for mid in with_class(s, "HTMLModel", "wk-room-links-box"))


async def participant_join_old(base: str, token: str, name: str, start_at: asyncio.Event, timeout: float) -> Result:
    """The old welcome notebook: wait for the name box and button, type, click, wait for the personal link."""
    result = Result(browser=Browser(base, timeout))
    await start_at.wait()
    start = time.perf_counter()

    async def steps() -> None:
        page = await open_page(result.browser, f"/voila/render/00-welcome.ipynb?token={token}", _room_form, result, start, start + timeout)
        result.marks["form"] = time.perf_counter() - start
        text = with_class(page.states, "TextModel", "wk-room-name")[0]
        button = with_class(page.states, "ButtonModel", "wk-room-issue")[0]
        page.comm_msg(text, {"method": "update", "state": {"value": name}, "buffer_paths": []})  # typing
        page.comm_msg(button, {"method": "custom", "content": {"event": "click"}})
        await page.wait_states(_room_linked, start + timeout - time.perf_counter())
        result.ready = time.perf_counter() - start

    return await _attempt(result, steps())


async def participant_join_new(base: str, token: str, name: str, start_at: asyncio.Event, timeout: float, link_ready: Ready) -> Result:
    """The new join form: GET, POST the name (with _xsrf), the 303 is the personal link; then open that link."""
    result = Result(browser=Browser(base, timeout))
    await start_at.wait()
    start = time.perf_counter()

    async def steps() -> None:
        browser = result.browser
        response = await browser.fetch(f"/?token={token}")
        form = _Form()
        form.feed(response.body.decode("utf-8", "replace"))
        result.marks["form"] = time.perf_counter() - start
        fields = dict(form.fields)
        if "_xsrf" not in fields and "_xsrf" in browser.cookies:
            fields["_xsrf"] = browser.cookies["_xsrf"]
        fields["name"] = name
        answer = await browser.fetch(urljoin(response.effective_url, form.action or "/"), method="POST", form=fields, follow=False)
        if answer.code != 303 or "code=" not in answer.headers.get("Location", ""):
            raise PageError(f"POST / answered {answer.code} {answer.headers.get('Location', '')[:60]}")
        result.ready = time.perf_counter() - start
        opened = time.perf_counter()
        sub = Result()
        await _attempt(sub, open_page(browser, urljoin(base, answer.headers["Location"]), link_ready, sub, opened, start + timeout))
        result.page = sub.page
        if sub.error:
            result.extra["link error"] = sub.error  # the join itself succeeded
        else:
            result.marks["link ready"] = time.perf_counter() - opened

    return await _attempt(result, steps())


async def participant_move_on(opened: Result, start_at: asyncio.Event, timeout: float) -> Result:
    """In an open section page: click the button to section 03, wait until the page shows section 03 with an enabled Save
    (the section may have been built ahead, so its Save can exist before the click)."""
    result = Result(browser=opened.browser, page=opened.page)
    await start_at.wait()
    start = time.perf_counter()

    async def steps() -> None:
        page = opened.page
        if page is None or opened.ready is None:
            raise PageError("the section page never opened")
        nav = with_class(page.states, "ButtonModel", NEXT_NAV_CLASS)
        if not nav:
            raise PageError(f"no button with class {NEXT_NAV_CLASS}")
        page.comm_msg(nav[0], {"method": "custom", "content": {"event": "click"}})
        await page.wait_states(lambda s: shown_save(s, NEXT_PAGE_CLASS), timeout)
        result.ready = time.perf_counter() - start

    return await _attempt(result, steps())


class ChromiumParticipant:
    """One real Chromium page: navigation until its first enabled .wk-save is visible; kept open until closed."""

    def __init__(self, url: str, timeout: float):
        self.url, self.timeout = url, timeout
        self.result = Result()
        self._playwright = self._browser = self._page = None
        self.console: list[str] = []  # the page's console errors and warnings, reported when it never got ready
        self.t0 = time.perf_counter()
        self.sockets: list[dict] = []  # each websocket the page opened: when, frames each way, when closed

    async def prepare(self) -> None:
        """Launch Chromium before the room starts, so its start-up is not timed."""
        try:
            from playwright.async_api import async_playwright

            self._playwright = await async_playwright().start()
            executable = os.environ.get("WORKSHOP_KIT_CHROMIUM", "/usr/bin/chromium")
            self._browser = await self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
            self._page = await (await self._browser.new_context()).new_page()
            self._page.on("console", lambda m: self.console.append(f"{time.perf_counter() - self.t0:.0f}s {m.type}: {m.text}"[:200]))
            self._page.on("websocket", self._watch)
        except Exception as exc:  # noqa: BLE001 - no playwright or no Chromium: say so, carry on
            self.result.error = f"Chromium unavailable: {type(exc).__name__}: {exc}"[:200]

    def _watch(self, socket) -> None:  # type: ignore[no-untyped-def]
        """Count what the page's websockets carry (told when the page never gets ready)."""
        counts = {"opened": time.perf_counter(), "sent": 0, "received": 0, "closed": None}
        self.sockets.append(counts)
        socket.on("framesent", lambda _f: counts.__setitem__("sent", counts["sent"] + 1))
        socket.on("framereceived", lambda _f: counts.__setitem__("received", counts["received"] + 1))
        socket.on("close", lambda _s: counts.__setitem__("closed", time.perf_counter()))

    async def script(self, start_at: asyncio.Event) -> Result:
        await start_at.wait()
        if self._page is None:
            return self.result
        start = self.t0 = time.perf_counter()
        try:
            await self._page.goto(self.url, wait_until="commit", timeout=self.timeout * 1000)
            left = max(1.0, self.timeout - (time.perf_counter() - start))
            await self._page.locator(".wk-save:enabled").first.wait_for(state="visible", timeout=left * 1000)
            self.result.ready = time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001
            self.result.error = "timeout" if "Timeout" in type(exc).__name__ else f"{type(exc).__name__}: {exc}"[:200]
            with contextlib.suppress(Exception):
                saves = await self._page.locator(".wk-save").count()
                widgets = await self._page.locator(".jupyter-widgets").count()
                shown = await self._page.get_by_text("Error displaying widget").count()
                self.result.error += f"; on the page: {saves} .wk-save, {widgets} widget views, {shown} 'Error displaying widget'"
            for counts in self.sockets:
                closed = f", closed after {counts['closed'] - start:.1f} s" if counts["closed"] else ""
                self.result.error += f"; a websocket opened after {counts['opened'] - start:.1f} s, {counts['sent']} frames sent, {counts['received']} received{closed}"
            said = [line for line in self.console if "Unsatisfied version" not in line]
            if said:
                self.result.error += "; console: " + " | ".join(said[-4:])
        return self.result

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._browser is not None:
                await self._browser.close()
        with contextlib.suppress(Exception):
            if self._playwright is not None:
                await self._playwright.stop()
        self._playwright = self._browser = self._page = None


# --- servers --------------------------------------------------------------------------------------


@dataclass
class Served:
    """A running server under test: its process, links and where its output goes."""

    name: str
    layout: str
    process: subprocess.Popen[bytes]
    base: str
    token: str
    log_path: Path
    store: str = ""
    cohort: str = ""
    startup: float = float("nan")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


def bare_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import ipywidgets as widgets\n\nslider = widgets.IntSlider(value=5, min=0, max=10, description='How much?')\n"
            "button = widgets.Button(description='Save')\nwidgets.VBox([slider, button])"
        )
    ]
    nbformat.write(nb, path)
    return path


def _start(command: list[str], env: dict[str, str], cwd: Path, log_path: Path) -> subprocess.Popen[bytes]:
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    try:
        return subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()


def _wait_for(served: Served, ready: Callable[[], bool], timeout: float) -> None:
    """Until ready(); a server that exits or is not ready in time is stopped and reported (RuntimeError)."""
    start = time.perf_counter()
    while not ready():
        problem = ""
        if served.process.poll() is not None:
            problem = f"exited ({served.process.returncode})"
        elif time.perf_counter() - start > timeout:
            problem = f"was not ready within {timeout:.0f} s"
        if problem:
            stop(served)
            raise RuntimeError(f"{served.name} {problem}: {served.output()[-1500:]}")
        time.sleep(0.1)
    served.startup = time.perf_counter() - start


def _answers(url: str) -> bool:
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # an HTTP answer of any kind: the server is up
    except OSError:
        return False
    return True


def start_bare(tmp: Path, env: dict[str, str]) -> Served:
    folder = tmp / "bare"
    folder.mkdir(exist_ok=True)
    notebook = bare_notebook(folder / "bare.ipynb")
    port, token = _free_port(), "bench-" + os.urandom(12).hex()
    command = [sys.executable, "-m", "voila", str(notebook), "--no-browser", "--Voila.ip=127.0.0.1", f"--port={port}", f"--token={token}", "--Voila.log_level=WARN"]
    served = Served("bare Voila page", "bare", _start(command, env, folder, tmp / "bare.log"), f"http://127.0.0.1:{port}/", token, tmp / "bare.log")
    _wait_for(served, lambda: _answers(f"{served.base}api/status?token={token}"), 120)
    return served


def cli_module(root: Path) -> str:
    """The kit's command in that tree: it moved into ``commands/`` with the package's layout of issue 13."""
    return "workshop_kit.commands.cli" if (root / "workshop_kit" / "commands" / "cli.py").exists() else "workshop_kit.cli"


def serve_supports_expect(env: dict[str, str]) -> bool:
    out = subprocess.run([sys.executable, "-m", cli_module(ROOT), "serve", "--help"], capture_output=True, text=True, env=env, cwd=ROOT)
    return "--expect" in out.stdout


def checkout(revision: str, tmp: Path) -> Path:
    """The kit as it was at ``revision`` (git archive of this repository), to run beside the working tree."""
    folder = tmp / f"kit-{re.sub(r'[^A-Za-z0-9_.-]', '_', revision)}"
    folder.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def start_kit(tmp: Path, env: dict[str, str], layout: str, expect: int, timeout: float, open_on: str = "", root: Path = ROOT, tag: str = "") -> Served:
    """``workshop-kit serve`` from ``root`` (this tree, or a checkout of an earlier revision: its kernels import that one)."""
    port, token = _free_port(), "bench-" + os.urandom(12).hex()
    name = f"{layout}-{expect}{'-open' if open_on else ''}{'-' + tag if tag else ''}"
    store = str(tmp / f"room-{name}.sqlite")
    cohort = f"bench-room-{expect}"
    command = [sys.executable, "-m", cli_module(root), "serve", "--cohort", cohort, "--port", str(port), "--token", token, "--store", store]
    if layout == "new":
        command += ["--expect", str(expect), "--close-seconds", str(CLOSE_SECONDS)]
    if open_on:
        command += ["--open-on", open_on]
    env = {**env, "PYTHONPATH": os.pathsep.join([str(root)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)])}
    log_path = tmp / f"kit-{name}.log"
    served = Served(f"workshop-kit serve ({layout})", layout, _start(command, env, root, log_path), f"http://127.0.0.1:{port}/", token, log_path, store, cohort)
    warm_up = 60 + 5.0 * (expect + max(2, -(-expect // 10))) if layout == "new" else 0  # the pool: everyone expected and a margin
    _wait_for(served, lambda: "Share this link" in served.output(), max(timeout, warm_up))
    return served


def stop(served: Served) -> None:
    """SIGTERM to the server's process group, then anything it left behind."""
    import psutil

    try:
        kids = psutil.Process(served.process.pid).children(recursive=True)
    except psutil.Error:
        kids = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(served.process.pid, signal.SIGTERM)
    try:
        served.process.wait(30)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(5)
    alive = [k for k in kids if k.is_running()]
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=5)


def issue_codes(served: Served, count: int) -> list[str]:
    """Personal codes written straight into the server's store (as if the room had joined)."""
    from workshop_kit import ResponseStore
    from workshop_kit.session.room import issue_code

    store = ResponseStore(served.store)
    try:
        return [issue_code(f"Bench participant {i + 1}", cohort=served.cohort, store=store).code for i in range(count)]
    finally:
        with contextlib.suppress(Exception):
            store.close()


@dataclass
class Memory:
    kernels: int
    rss: int  # bytes, summed over the kernels
    uss: int
    server_rss: int  # every other descendant and the server itself

    def describe(self, participants: int) -> str:
        if not self.kernels:
            return "no kernels"
        per = f"; {self.rss / participants / MIB:.0f} MiB RSS per participant" if participants else ""
        return (
            f"RSS {self.rss / MIB:.0f} MiB ({self.rss / self.kernels / MIB:.0f}/kernel), "
            f"USS {self.uss / MIB:.0f} MiB ({self.uss / self.kernels / MIB:.0f}/kernel){per}; servers {self.server_rss / MIB:.0f} MiB RSS"
        )


def _is_kernel(proc) -> bool:  # type: ignore[no-untyped-def]
    import psutil

    try:
        return any("ipykernel" in part for part in proc.cmdline())
    except psutil.Error:
        return False


def pool_status(served: Served) -> dict:
    """The room server's own account of its pool (the status file it writes for ``serve``), or {}."""
    import psutil

    with contextlib.suppress(psutil.Error):
        for proc in psutil.Process(served.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                for arg in proc.cmdline():
                    if arg.startswith("--RoomVoila.status_file="):
                        with contextlib.suppress(OSError, ValueError):
                            return json.loads(Path(arg.split("=", 1)[1]).read_text(encoding="utf-8"))
    return {}


def kernels(served: Served) -> int:
    import psutil

    try:
        return sum(1 for p in psutil.Process(served.process.pid).children(recursive=True) if _is_kernel(p))
    except psutil.Error:
        return 0


def cpu_seconds(served: Served) -> tuple[float, float]:
    """CPU time (user + system) used so far by the kernels, and by the server and its other processes (those still alive)."""
    import psutil

    try:
        root = psutil.Process(served.process.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0, 0.0
    kernel = other = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            used = times.user + times.system
        except psutil.Error:
            continue
        if _is_kernel(proc):
            kernel += used
        else:
            other += used
    return kernel, other


def client_cpu_seconds(served: Served) -> tuple[float, float]:
    """CPU time used so far by this process (the load generator), and by its other children (Chromium), not the server's."""
    import psutil

    server = {served.process.pid}
    with contextlib.suppress(psutil.Error):
        server |= {p.pid for p in psutil.Process(served.process.pid).children(recursive=True)}
    browser = 0.0
    for proc in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if proc.pid not in server:
                times = proc.cpu_times()
                browser += times.user + times.system
    return time.process_time(), browser


PROFILE_ENV = "WK_BENCH_PROFILE"  # a folder: py-spy records the server and PROFILED_KERNELS kernels through each timed phase
PROFILED_KERNELS = 3


def start_profiles(served: Served, name: str) -> list[subprocess.Popen[bytes]]:
    """py-spy (100 Hz, collapsed stacks) on the server and a few of its kernels, until stop_profiles; none unless asked for."""
    import psutil

    folder = os.environ.get(PROFILE_ENV)
    if not folder:
        return []
    Path(folder).mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W+", "-", name).strip("-")
    procs = psutil.Process(served.process.pid).children(recursive=True)
    kernel_pids = [p.pid for p in sorted(procs, key=lambda p: p.create_time()) if _is_kernel(p)]
    room_server = [p.pid for p in procs if "room_server" in " ".join(p.cmdline())]
    targets = {"server": (room_server or [served.process.pid])[0]}
    targets |= {f"kernel{i}": pid for i, pid in enumerate(kernel_pids[:PROFILED_KERNELS])}  # the oldest: the pool hands those out first
    spy = str(Path(sys.executable).with_name("py-spy"))
    return [
        subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", "100", "--format", "raw", "--nonblocking", "-o", str(Path(folder) / f"{name}-{what}.txt")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for what, pid in targets.items()
    ]


def stop_profiles(profiles: list[subprocess.Popen[bytes]]) -> None:
    for proc in profiles:
        proc.send_signal(signal.SIGINT)
    for proc in profiles:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=30)
    profiles.clear()


def memory(served: Served) -> Memory:
    import psutil

    try:
        root = psutil.Process(served.process.pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return Memory(0, 0, 0, 0)
    count = rss = uss = other = 0
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        if _is_kernel(proc):
            count, rss, uss = count + 1, rss + info.rss, uss + info.uss
        else:
            other += info.rss
    return Memory(count, rss, uss, other)


# --- phases ---------------------------------------------------------------------------------------


def summary(results: list[Result]) -> tuple[str, float, int]:
    """'p50 / p95 / max' over every participant (one not ready counts as slower than all), the p95, and how many were ready."""
    times = [r.ready if r.ready is not None else float("inf") for r in results]
    ok = sum(1 for r in results if r.ready is not None)
    cells = []
    for value in (percentile(times, 50), percentile(times, 95), max(times) if times else float("nan")):
        cells.append("not ready" if value == float("inf") else fmt_seconds(value))
    return " / ".join(cells), percentile(times, 95), ok


def errors(results: list[Result]) -> str:
    seen: dict[str, int] = {}
    for r in results:
        if r.error:
            seen[r.error] = seen.get(r.error, 0) + 1
    return "; ".join(f"{n}× {e}" for e, n in seen.items())


def marks(results: list[Result], name: str) -> str:
    values = [r.marks[name] for r in results if name in r.marks]
    return f"{name} p50 {fmt_seconds(percentile(values, 50))}" if values else ""


async def _phase(scripts: list, timeout: float) -> list[Result]:  # type: ignore[type-arg]
    """Run every participant's script started by one event (the same moment); each is bounded by timeout."""
    start_at = asyncio.Event()
    tasks = [asyncio.ensure_future(script(start_at)) for script in scripts]
    await asyncio.sleep(0.2)  # every participant waiting at the line
    start_at.set()
    done, pending = await asyncio.wait(tasks, timeout=timeout + 30)
    for task in pending:
        task.cancel()
    return [t.result() if t in done and not t.cancelled() and t.exception() is None else Result(error="not finished") for t in tasks]


def close_all(results: list[Result]) -> None:
    for r in results:
        if r.page is not None:
            r.page.close()


class Room:
    """Measure one server at one room size; collects Figures and prints each phase as it ends."""

    def __init__(self, served: Served, n: int, label: str, timeout: float, browser: bool, figures: list[Figure]):
        self.served, self.n, self.label, self.timeout, self.browser, self.figures = served, n, label, timeout, browser, figures
        self.baseline = kernels(served)
        self.open_pages: list[Result] = []
        self.chromium: ChromiumParticipant | None = None
        self.cpu_mark = self.client_mark = (0.0, 0.0)
        self.profiles: list[subprocess.Popen[bytes]] = []

    def start_phase(self, name: str = "") -> str:
        """The load average now; also marks the CPU time used so far, so the phase can say how much it used,
        and starts the phase's profiles when PROFILE_ENV names a folder."""
        self.cpu_mark = cpu_seconds(self.served)
        self.client_mark = client_cpu_seconds(self.served)
        self.profiles = start_profiles(self.served, f"N{self.n}-{self.served.name}-{name}") if name else []
        return load_average()

    def cpu_used(self, participants: int) -> str:
        """CPU seconds the server and its kernels used since the phase started (kernels freed meanwhile not counted), in all and
        per participant; then the clients' (this load generator and the Chromium page), which a real room's devices would use."""
        stop_profiles(self.profiles)
        kernel, other = (now - then for now, then in zip(cpu_seconds(self.served), self.cpu_mark))
        generator, browser = (now - then for now, then in zip(client_cpu_seconds(self.served), self.client_mark))
        per = max(participants, 1)
        return f"CPU used: kernels {kernel:.1f} s, server {other:.1f} s ({(kernel + other) / per:.2f} s per participant); clients: load generator {generator:.1f} s, Chromium {browser:.1f} s"

    def add(self, what: str, value: str, target: str = "", met: bool | None = None, note: str = "") -> None:
        if "load " not in note:
            note = "; ".join(filter(None, [note, f"load {load_average().split()[0]}"]))
        figure = Figure("room", f"N={self.n:<3d} {self.label}: {what}", value, target, met, note)
        self.figures.append(figure)
        print(f"  {figure.what}: {value}" + (f" [{target} {figure.verdict}]" if target else "") + (f" ({note})" if note else ""), flush=True)

    def check_alive(self) -> bool:
        """False (and the server's last words printed, once) when the server under test has exited."""
        if self.served.process.poll() is None:
            return True
        if not getattr(self, "_said_exit", False):
            self._said_exit = True
            self.add("server", "exited", note=f"exit code {self.served.process.returncode}")
            for line in [x for x in self.served.output().splitlines() if x.strip()][-12:]:
                print(f"    server log: {line[:220]}", flush=True)
        return False

    def after(self, phase: str, participants: int, load_before: str) -> None:
        self.check_alive()
        mem = memory(self.served)
        self.add(f"kernels alive after {phase}", str(mem.kernels), note=f"{mem.describe(participants)}; load {load_before.split()[0]}→{load_average().split()[0]}")

    def timed(self, phase: str, results: list[Result], *, target: bool, load_before: str, extra: str = "") -> None:
        value, p95, ok = summary(results)
        goal = TARGET_P95.get(self.n) if target else None
        note = "; ".join(filter(None, [f"{ok}/{len(results)} ready within {self.timeout:.0f} s", extra, self.cpu_used(len(results)), errors(results), f"load {load_before.split()[0]}→{load_average().split()[0]}"]))
        self.add(f"{phase}: time to ready p50 / p95 / max", value, f"p95 ≤ {goal:g} s" if goal else "", (p95 <= goal) if goal else None, note)
        if ok < len(results):  # what the server said, to tell a slow room from a broken one (not in the table)
            said = [line.strip() for line in self.served.output().splitlines() if re.search(r"error|warning|timeout|exception", line, re.I)]
            for line in list(dict.fromkeys(said))[-6:]:  # the last few distinct complaints
                print(f"    server log: {line[:220]}", flush=True)

    def page_url(self, code: str | None) -> str:
        token = self.served.token
        if self.served.layout == "bare":
            return f"/?token={token}"
        if self.served.layout == "old":
            return f"/voila/render/{SECTION}?token={token}&code={code}"
        return f"/?token={token}&code={code}&page={SECTION}"

    def fits(self, phase: str, participants: int) -> bool:
        """False (and says so) when the machine's free memory could not hold a kernel for each participant the warm pool cannot serve."""
        import psutil

        warm = int(pool_status(self.served).get("pool_ready", 0)) if self.served.layout == "new" else 0
        need = max(0, participants - warm) * PER_PARTICIPANT + SPARE  # the warm pool's kernels are running already
        free = psutil.virtual_memory().available
        if free >= need:
            return True
        self.add(phase, "skipped", note=f"needs about {need / 1024 / MIB:.1f} GiB free, {free / 1024 / MIB:.1f} GiB available (the machine is shared)")
        return False

    async def join(self) -> None:
        if not self.fits("join", self.n):
            return
        load = self.start_phase("join")
        token, base, n = self.served.token, self.served.base, self.n
        if self.served.layout == "old":
            scripts = [lambda ev, i=i: participant_join_old(base, token, f"Joiner {i + 1}", ev, self.timeout) for i in range(n)]
        else:
            scripts = [lambda ev, i=i: participant_join_new(base, token, f"Joiner {i + 1}", ev, self.timeout, room_page_ready) for i in range(n)]
        results = await _phase(scripts, self.timeout)
        if self.served.layout == "old":
            self.timed("join (welcome page, name typed, link shown)", results, target=True, load_before=load, extra=marks(results, "form"))
        else:
            self.timed("join (form, name posted, 303 to the personal link)", results, target=True, load_before=load, extra=marks(results, "form"))
            linked = [Result(ready=r.marks.get("link ready"), error="" if "link ready" in r.marks else r.extra.get("link error", r.error or "not opened")) for r in results]
            self.timed("personal link opened (after the join)", linked, target=True, load_before=load)
        self.after("join", n, load)
        close_all(results)

    async def open_section(self) -> None:
        if not self.fits(f"open {SECTION}", self.n + 1):
            return
        load = self.start_phase("open")
        served, n = self.served, self.n
        ready = any_button if served.layout == "bare" else enabled_save
        codes = issue_codes(served, n + 1) if served.layout != "bare" else [None] * (n + 1)
        scripts = [lambda ev, c=c: participant_open(served.base, self.page_url(c), ready, ev, self.timeout) for c in codes[:n]]
        if self.browser and served.layout != "bare":
            self.chromium = ChromiumParticipant(urljoin(served.base, self.page_url(codes[n])), self.timeout)
            await self.chromium.prepare()
            self.client_mark = client_cpu_seconds(served)  # Chromium's start is not the page's
            scripts.append(self.chromium.script)
        results = await _phase(scripts, self.timeout)
        pages, chromium = results[:n], results[n:]
        what = "bare one-widget page opened" if served.layout == "bare" else f"open {SECTION}"
        self.timed(what, pages, target=served.layout != "bare", load_before=load, extra=", ".join(filter(None, [marks(pages, "first byte"), marks(pages, "html"), marks(pages, "states")])))
        for r in chromium:
            self.add(f"open {SECTION} in Chromium (one more participant), first enabled Save", fmt_seconds(r.ready) if r.ready is not None else "not ready", note=r.error or "navigation → .wk-save enabled")
        self.after(f"opening {'the page' if served.layout == 'bare' else SECTION}", n + len(chromium), load)
        self.open_pages = results

    async def wait_for_warm_pool(self) -> None:
        """Until the server has as many warm pages as it aims for (its status file), after a room has left."""
        start = time.perf_counter()
        status = pool_status(self.served)
        while self.check_alive() and time.perf_counter() - start < self.timeout:
            status = pool_status(self.served)
            if status and status.get("participants", 1) == 0 and status.get("pool_ready", 0) >= status.get("pool_target", 1):
                break
            await asyncio.sleep(1)
        took = time.perf_counter() - start
        self.add("warm pool back after the joiners left", fmt_seconds(took + 5), note=f"{status.get('pool_ready', '?')} of {status.get('pool_target', '?')} warm pages; a closed page is freed after {CLOSE_SECONDS} s")

    async def move_on(self) -> None:
        if not self.open_pages:
            return
        await asyncio.sleep(READING_PAUSE)  # the room reads the section before the facilitator moves it on
        load = self.start_phase()
        pages = self.open_pages[: self.n]
        results = await _phase([lambda ev, r=r: participant_move_on(r, ev, self.timeout) for r in pages], self.timeout)
        self.timed("move on together to section 03 (nav button clicked)", results, target=True, load_before=load)
        self.after("moving on", self.n, load)

    async def close(self, linger: float) -> None:
        close_all(self.open_pages)
        if self.chromium is not None:
            await self.chromium.close()
        await asyncio.sleep(5)
        self.open_pages = []
        self.add("kernels alive 5 s after every page closed", str(kernels(self.served)), note=f"before anyone arrived: {self.baseline}")
        if linger <= 0 or self.served.layout != "new":
            return
        start = time.perf_counter()
        count = kernels(self.served)
        while time.perf_counter() - start < linger and count > self.baseline and self.check_alive():
            await asyncio.sleep(10)
            count = kernels(self.served)
        waited = time.perf_counter() - start
        self.add(f"kernels alive {waited + 5:.0f} s after every page closed", str(count), note=f"before anyone arrived: {self.baseline}; waited up to {linger + 5:.0f} s")


async def measure(served: Served, n: int, label: str, timeout: float, browser: bool, linger: float, figures: list[Figure]) -> None:
    """The phases for one server, in a workshop's order.  Old layout: join, then open the section (a kernel per
    page).  New layout: N people join (each opens their personal link), leave; once the server has its warm pool
    back (timed), N people open the section with codes issued beforehand, move on together, close, and the
    kernels are watched until they go.  So each phase finds the pool the server keeps for a room of N."""
    from tornado.httpclient import AsyncHTTPClient

    AsyncHTTPClient.configure(None, max_clients=10_000)  # a room of browsers, not a queue of 10
    room = Room(served, n, label, timeout, browser, figures)
    if served.layout == "old":
        try:
            await room.join()
            await room.open_section()
        finally:
            await room.close(linger)
        return
    try:
        if served.layout == "new":  # the bare page has no join and no sections: it is only opened
            await room.join()
            await room.close(0)
            await room.wait_for_warm_pool()
        await room.open_section()
        if served.layout == "new":
            await room.move_on()
    finally:
        await room.close(linger)


def _describe(revision: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s", revision], capture_output=True, text=True)
    return done.stdout.strip()[:80]


def run(
    quick: bool,
    browser: bool = True,
    sizes: list[int] | None = None,
    layout: str = "auto",
    timeout: float = 360,
    linger: float = 210,
    bare: bool = True,
    open_on: bool = False,
    before: str | None = None,
    only_kinds: list[str] | None = None,
) -> list[Figure]:
    """Every kind at every size.  before: a git revision of the kit to measure beside this tree, in the same run;
    only_kinds: a subset of KINDS (e.g. only the --open-on servers, to keep a long run short)."""
    figures: list[Figure] = []
    sizes = list(sizes or (QUICK_SIZES if quick else SIZES))
    with tempfile.TemporaryDirectory(prefix="wk-bench-room-") as name:
        tmp = Path(name)
        env = _env(tmp)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        if layout == "auto":
            layout = "new" if serve_supports_expect(env) else "old"
        how = "one kernel per participant, serve --expect N" if layout == "new" else "a Voilà kernel per page"
        print(f"  kit layout measured: {layout} ({how}); sizes {sizes}; {timeout:.0f} s per phase", flush=True)
        before_root = checkout(before, tmp) if before else None
        if before:
            print(f"  before: the kit at {before} ({_describe(before)}), run from its own checkout", flush=True)
        for n in sizes:
            kinds = ["kit"] + (["kit-open"] if open_on and layout == "new" else [])
            if before_root is not None:
                kinds += ["before"] + (["before-open"] if open_on and layout == "new" else [])
            kinds += ["bare"] if bare else []
            if only_kinds:
                kinds = [kind for kind in kinds if kind in only_kinds]
            for kind in kinds:
                label = {
                    "kit": f"kit ({layout})",
                    "kit-open": f"kit ({layout}, --open-on {OPEN_ON})",
                    "before": f"before: kit at {before}",
                    "before-open": f"before: kit at {before}, --open-on {OPEN_ON}",
                    "bare": "bare page",
                }[kind]
                load = load_average()
                print(f"  -- N={n}, {label} (load average {load})", flush=True)
                try:
                    if kind == "bare":
                        served = start_bare(tmp, env)
                    else:
                        is_before = kind.startswith("before")
                        served = start_kit(
                            tmp, env, layout, n, timeout,
                            open_on=OPEN_ON if kind.endswith("-open") else "",
                            root=before_root if is_before and before_root else ROOT,
                            tag="before" if is_before else "",
                        )
                except (RuntimeError, OSError) as exc:
                    figures.append(Figure("room", f"N={n:<3d} {label}: server start", "failed", note=str(exc)[:200]))
                    print(f"  server did not start: {exc}", flush=True)
                    continue
                try:
                    what = "server start until it answers" if kind == "bare" else "server start until its link is printed"
                    figures.append(Figure("room", f"N={n:<3d} {label}: {what}", fmt_seconds(served.startup), note=f"load {load.split()[0]}→{load_average().split()[0]}"))
                    print(f"  {figures[-1].what}: {figures[-1].value}", flush=True)
                    asyncio.run(measure(served, n, label, timeout, browser, linger, figures))
                except Exception as exc:  # noqa: BLE001 - one size failing is a result; the others still run
                    figures.append(Figure("room", f"N={n:<3d} {label}: measurement", "failed", note=f"{type(exc).__name__}: {exc}"[:200]))
                    print(f"  failed: {type(exc).__name__}: {exc}", flush=True)
                finally:
                    stop(served)
    return figures
