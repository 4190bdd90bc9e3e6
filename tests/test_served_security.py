"""Security of the served room (issue 7, point 5): what `workshop-kit serve` gives away, and to whom.

One real `workshop-kit serve` (Voilà on 127.0.0.1) writes to a store that already holds an
answer carrying a distinctive marker.  Without the room's token (or with a wrong one) every
route that could read answers or code is refused and the marker, the store's bytes and the
participant's code never come back.  With the token and a valid personal code, a participant
page's kernel is spoken to directly over its websocket: Voilà's server only forwards the
comm/kernel-info message types a widget page needs (its ``allowed_message_types``), so an
``execute_request`` is dropped before it reaches the kernel, in both websocket protocols, and
an unknown comm target is not evaluated.  The facilitator dashboard's kernel refuses the room's
token.  No Chromium is needed: raw HTTP (``http.client``, so paths go out unnormalised) and the
``websockets`` client.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import NOTEBOOKS, Room, served_room
from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from workshop_kit.session import room as room_codes
from workshop_kit.store.responses import ResponseStore

pytestmark = pytest.mark.slow  # starts the room's servers and kernels: left out of `make check`

COHORT = "Security-Cohort"
MARKER = "QZX-SECRET-ANSWER-4417"  # the saved answer; must never leave the server except to its owner
SQLITE_MAGIC = "SQLite format 3"
PAGE = "02-risk.ipynb"
V1 = "v1.kernel.websocket.jupyter.org"
HTTP_TIMEOUT = 120  # a page load runs the whole notebook in a fresh kernel
LISTEN_SECONDS = 3.0  # how long to keep listening for anything a refused message might still cause


@dataclass
class SecuredRoom:
    """The running room, its store, a participant who already answered, and another with a fresh code."""

    room: Room
    store: Path
    victim_code: str  # the code of the participant whose answer holds the marker
    code: str  # the code the test participant uses
    kernel_id: str  # the kernel of a page the victim opened (a live one, for the websocket checks)
    pwned: Path  # the file an injected execute_request would create

    @property
    def secrets(self) -> list[str]:
        """Strings that must appear in no response to anyone but their owner."""
        return [MARKER, self.victim_code, SQLITE_MAGIC]


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecuredRoom]:
    """`workshop-kit serve` on the kit's notebooks, over a store holding the marker answer."""
    folder = tmp_path_factory.mktemp("secured-room")
    store = folder / "answers.sqlite"
    with ResponseStore(store) as seeded:
        victim = room_codes.issue_code("Vera Victim", cohort=COHORT, store=seeded)
        seeded.save("goal.statement", f"My goal is {MARKER}", participant=victim.participant, cohort=COHORT)
        participant = room_codes.issue_code("Tess Tester", cohort=COHORT, store=seeded)
    assert MARKER.encode() in store.read_bytes()  # the store really holds it, so its absence below means something
    with served_room(store, cohort=COHORT, close_seconds=600) as served:  # the victim's page never connects: keep its kernel for the checks
        status, _, body = fetch(served.base, served.page_url(PAGE, victim.code).split(served.base, 1)[1])
        assert status == 200, "the victim's page should load with the token"
        yield SecuredRoom(served, store, victim.code, participant.code, kernel_id_of(body), folder / "pwned")


# --- helpers ---------------------------------------------------------------------------------------


def fetch(base: str, raw_path: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """Status, headers and body (error bodies too) of one request, the path sent exactly as written."""
    host, port = base.split("://", 1)[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
    try:
        connection.request(method, raw_path, body=b"" if method in ("POST", "DELETE") else None, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def kernel_id_of(page_html: str) -> str:
    """The kernel id Voilà embeds in a rendered page (its page config's ``kernelId``)."""
    match = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', page_html)
    assert match, "a rendered Voilà page names its kernel"
    return match.group(1)


def websocket_status(url: str) -> int | str:
    """The HTTP status a websocket upgrade is refused with, or 'OPEN' if it was accepted."""
    try:
        with connect(url, open_timeout=30):
            return "OPEN"
    except InvalidStatus as exc:
        return exc.response.status_code


def refused(status: int | str, headers: dict[str, str]) -> bool:
    """True for a refusal: a redirect to the login page, 403 Forbidden or 404 Not Found."""
    if status == 302:
        return headers.get("Location", "").startswith("/login")
    return status in (403, 404)


def kernel_message(msg_type: str, content: dict[str, Any], channel: str = "shell") -> dict[str, Any]:
    """A Jupyter protocol 5.3 message as a browser would send it over the kernel websocket."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": "security-test", "username": "p", "version": "5.3", "date": ""}
    return {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}


def execute(code: str, channel: str = "shell") -> dict[str, Any]:
    """An execute_request for code, asking for its output and an expression's value."""
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {"probe": "1 + 1"}, "allow_stdin": False, "stop_on_error": True}
    return kernel_message("execute_request", content, channel)


def to_v1(message: dict[str, Any]) -> bytes:
    """message in the binary v1 kernel websocket protocol."""
    parts = [json.dumps(message[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
    return serialize_msg_to_ws_v1(parts, message["channel"])


def from_frame(frame: str | bytes) -> dict[str, Any]:
    """A received frame (JSON or binary v1) as {channel, msg_type, parent, content, raw}."""
    if isinstance(frame, bytes):
        channel, parts = deserialize_msg_from_ws_v1(frame)
        header, parent, _, content = (json.loads(bytes(p)) for p in parts[:4])
        raw = b"".join(bytes(p) for p in parts).decode("utf-8", "replace")
    else:
        message = json.loads(frame)
        channel, header, parent, content, raw = message["channel"], message["header"], message["parent_header"], message["content"], frame
    return {"channel": channel, "msg_type": header.get("msg_type"), "parent": (parent or {}).get("msg_id"), "content": content, "raw": raw}


def converse(url: str, sent: list[tuple[str, dict[str, Any]]], *, subprotocol: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """Send each (label, message) over the kernel websocket; returns label → every message the kernel sent in reply.

    The last message sent must be a kernel_info_request on the shell channel: the kernel handles
    shell messages in order, so its reply means every earlier shell message has been dealt with;
    the socket is then watched LISTEN_SECONDS more for anything late (the control channel).
    """
    labels = {message["header"]["msg_id"]: label for label, message in sent}
    last = sent[-1][1]["header"]["msg_id"]
    replies: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in sent}
    with connect(url, open_timeout=30, subprotocols=[subprotocol] if subprotocol else None, max_size=None) as socket:
        for _, message in sent:
            socket.send(to_v1(message) if subprotocol == V1 else json.dumps(message))
        deadline, settled = time.monotonic() + HTTP_TIMEOUT, False
        while time.monotonic() < deadline:
            try:
                received = from_frame(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
            except TimeoutError:
                break
            if received["parent"] in labels:
                replies[labels[received["parent"]]].append(received)
            if not settled and received["parent"] == last and received["msg_type"] == "kernel_info_reply":
                settled, deadline = True, time.monotonic() + LISTEN_SECONDS
        assert settled, "the kernel never answered the closing kernel_info_request"
    return replies


def describe(replies: list[dict[str, Any]]) -> str:
    """A short account of what came back for one message."""
    if not replies:
        return "nothing at all (dropped before the kernel)"
    parts = []
    for reply in replies:
        if reply["msg_type"] == "stream":
            parts.append(f"stream {reply['content'].get('text', '').strip()[:70]!r}")
        elif reply["msg_type"] == "status":
            parts.append(f"status {reply['content'].get('execution_state')}")
        else:
            parts.append(reply["msg_type"])
    return ", ".join(parts)


# --- 1. without the token --------------------------------------------------------------------------


def test_without_the_token_every_route_that_could_read_answers_is_refused(secured: SecuredRoom) -> None:
    """Without the token, or with a wrong one, every page, listing, file, API and kernel-websocket route is refused and no answer, code or store byte comes back."""
    base, kernel = secured.room.base, secured.kernel_id
    pages = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    store_abs = str(secured.store)
    routes: list[tuple[str, str]] = [("GET", f"/voila/render/{page}") for page in pages]
    routes += [("GET", f"/voila/render/{PAGE}?code={secured.victim_code}")]
    routes += [("GET", path) for path in ("/", "/voila/tree", "/voila/tree/", "/voila/api/contents", f"/voila/api/contents/{PAGE}", f"/voila/api/contents/{PAGE}?content=1&format=text")]
    routes += [("GET", f"/voila/files/{name}") for name in (PAGE, "00-welcome.ipynb", "answers.sqlite", "../", "..%2F", "..%2F" * 12 + store_abs.lstrip("/"), store_abs.lstrip("/"))]
    routes += [("GET", path) for path in ("/api/kernels", f"/api/kernels/{kernel}", "/api/sessions", "/api/contents", f"/api/contents/{PAGE}", "/api/kernelspecs", "/api/status")]
    routes += [("DELETE", f"/api/kernels/{kernel}"), ("POST", f"/voila/api/shutdown/{kernel}"), ("POST", "/api/kernels"), ("POST", "/")]
    websockets = [f"/api/kernels/{kernel}/channels?session_id=s", f"/api/kernels/{uuid.uuid4()}/channels?session_id=s"]

    rows: list[tuple[str, str, int | str, str]] = []
    leaks: list[str] = []
    for credential, query in (("no token", ""), ("wrong token", "token=not-the-room-token")):
        for method, path in routes:
            sep = "&" if "?" in path else "?"
            status, headers, body = fetch(base, f"{path}{sep}{query}" if query else path, method)
            where = headers.get("Location", "")
            rows.append((credential, f"{method} {path}", status, where))
            assert refused(status, headers), f"{method} {path} with {credential} answered {status} {where}"
            # the login redirect repeats the request's own address (?next=...): only what it did not send counts
            leaks += [f"{method} {path}: {secret}" for secret in secured.secrets if secret in body or (secret in where and secret not in path)]
        for path in websockets:
            status = websocket_status(base.replace("http://", "ws://") + path + (f"&{query}" if query else ""))
            rows.append((credential, f"WS  {path}", status, ""))
            assert status in (403, 404), f"the kernel websocket {path} opened with {credential}"

    # the kernel a refused DELETE/shutdown aimed at is still running (the refusal was real)
    status, _, body = fetch(base, f"/api/kernels/{kernel}?token={secured.room.token}")
    assert status == 200 and json.loads(body)["id"] == kernel
    print(f"\n{'credential':<12} {'route':<86} status  redirect")
    for credential, route, status, where in rows:
        short = route if len(route) <= 86 else route[:83] + "..."
        print(f"{credential:<12} {short:<86} {status!s:<7} {where[:40]}")
    print(f"{len(rows)} requests refused; the marker, the victim's code and the store's bytes appeared in none.")
    assert not leaks, leaks


def test_open_static_routes_do_not_reach_the_store(secured: SecuredRoom) -> None:
    """Voilà's unauthenticated asset routes (static, templates, lab extensions, themes) refuse every path-traversal attempt at the store file."""
    base, store_rel = secured.room.base, str(secured.store).lstrip("/")
    prefixes = ("/voila/static/", "/voila/templates/lab/static/", "/voila/labextensions/", "/voila/api/themes/", "/voila/files/")
    climbs = ("../" * 12, "..%2F" * 12, "%2e%2e%2f" * 12, "%2E%2E/" * 12, "/", "%2F")
    rows, leaks = [], []
    for prefix in prefixes:
        for climb in climbs:
            path = f"{prefix}{climb}{store_rel}"
            status, headers, body = fetch(base, path)
            rows.append((path, status))
            leaks += [f"{path}: {secret}" for secret in secured.secrets if secret in body]
            if status == 500:  # Voilà's template handler asserts on the path's shape; Tornado answers with its bare page
                assert prefix == "/voila/templates/lab/static/" and "Traceback" not in body and "500: Internal Server Error" in body, (path, body)
            else:
                assert status in (403, 404), f"{path} answered {status}"
    # a real asset is served (the routes are open by design), so the refusals above are about the path
    assert fetch(base, "/voila/static/voila.js")[0] in (200, 304) or fetch(base, "/voila/templates/lab/static/voila.js")[0] == 200
    print()
    for path, status in rows:
        print(f"{status}  {path[:56]}...{path[-22:]}")
    print(f"{len(rows)} traversal attempts, none reached the store.")
    assert not leaks, leaks


def test_joining_needs_the_form_from_this_server(secured: SecuredRoom) -> None:
    """A browser that has the room's login cookie, made to post a name by a page elsewhere (no _xsrf field), gets no code."""
    import http.cookiejar
    import urllib.error
    import urllib.request

    with ResponseStore(secured.store) as store:
        before = len(room_codes.find_codes("Mallory", COHORT, store=store))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{secured.room.base}/?token={secured.room.token}", timeout=HTTP_TIMEOUT).read()  # the room's cookie, as a participant's browser holds it
    assert any("login" in c.name or "user" in c.name for c in jar), [c.name for c in jar]
    request = urllib.request.Request(f"{secured.room.base}/", data=b"name=Mallory", headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example"})
    try:
        status = opener.open(request, timeout=HTTP_TIMEOUT).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    assert status in (403, 404)
    with ResponseStore(secured.store) as store:
        assert len(room_codes.find_codes("Mallory", COHORT, store=store)) == before


# --- 2. with the token: a participant's kernel -----------------------------------------------------


def participant_kernel(secured: SecuredRoom) -> str:
    """Open the test participant's page with the token and their code; returns its kernel's websocket URL (with the token)."""
    status, _, body = fetch(secured.room.base, secured.room.page_url(PAGE, secured.code).split(secured.room.base, 1)[1])
    assert status == 200, f"the participant page answered {status}"
    kernel = kernel_id_of(body)
    return secured.room.base.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}&token={secured.room.token}"


def attack(secured: SecuredRoom) -> list[tuple[str, dict[str, Any]]]:
    """The messages a hostile participant sends: code that writes a file and code that reads the store, by several routes."""
    write = f"open(r'{secured.pwned}', 'w').write('x')"
    read = f"print(open(r'{secured.store}', 'rb').read())"
    target = f"__import__('os').system('touch {secured.pwned}')"
    return [
        ("kernel_info_request (control: the socket works)", kernel_message("kernel_info_request", {})),
        ("execute_request: write a file", execute(write)),
        ("execute_request: read the store", execute(read)),
        ("execute_request on the control channel", execute(write, "control")),
        ("inspect_request: evaluate via introspection", kernel_message("inspect_request", {"code": read, "cursor_pos": len(read), "detail_level": 1})),
        ("comm_open: non-widget target named as code", kernel_message("comm_open", {"comm_id": uuid.uuid4().hex, "target_name": target, "data": {"code": write}})),
        ("comm_msg: to a comm that does not exist", kernel_message("comm_msg", {"comm_id": uuid.uuid4().hex, "data": {"method": "custom", "content": {"code": write}}})),
        ("kernel_info_request (closing)", kernel_message("kernel_info_request", {})),
    ]


@pytest.mark.parametrize("protocol", ["json", V1])
def test_a_participant_page_cannot_run_code_over_the_kernel_websocket(secured: SecuredRoom, protocol: str) -> None:
    """With the token and a valid code, execute and inspect requests sent straight to the page's kernel are dropped unanswered and an unknown comm target is never evaluated."""
    url = participant_kernel(secured)
    sent = attack(secured)
    replies = converse(url, sent, subprotocol=protocol if protocol == V1 else None)

    print(f"\nprotocol {protocol}: what the kernel sent back")
    for label, _ in sent:
        print(f"  {label:<52} -> {describe(replies[label])}")
    assert not secured.pwned.exists(), "injected code created a file"
    everything = " ".join(r["raw"] for rs in replies.values() for r in rs)
    assert MARKER not in everything and SQLITE_MAGIC not in everything
    # the server drops these before the kernel: not even a busy/idle status comes back for them
    for label, _ in sent:
        if label.startswith(("execute_request", "inspect_request")):
            assert replies[label] == [], f"{label}: {describe(replies[label])}"
    # kernel_info (allowed) is answered, so the silence above is the server refusing, not a dead socket
    for label in (sent[0][0], sent[-1][0]):
        assert [r["content"]["status"] for r in replies[label] if r["msg_type"] == "kernel_info_reply"] == ["ok"]
    # comm messages do reach the kernel (widgets need them), which refuses the unknown target without evaluating it
    opened = replies[sent[5][0]]
    assert any(r["msg_type"] == "comm_close" for r in opened)
    assert any("No such comm target registered" in r["content"].get("text", "") for r in opened if r["msg_type"] == "stream")
    messaged = replies[sent[6][0]]
    assert any("No such comm" in r["content"].get("text", "") for r in messaged if r["msg_type"] == "stream")
    assert not any(r["msg_type"] in ("execute_reply", "execute_result", "execute_input", "error", "inspect_reply") for rs in replies.values() for r in rs)
    print(f"  file {secured.pwned.name} created: {secured.pwned.exists()}; marker in any reply: {MARKER in everything}")


# --- 3. the facilitator dashboard ------------------------------------------------------------------


def test_dashboard_kernel_refuses_the_room_token(secured: SecuredRoom) -> None:
    """The dashboard's kernel (which reads every answer) cannot be reached over its API or websocket with the room's token, only with its own."""
    assert secured.room.dashboard_url, "serve should start the facilitator dashboard"
    dash_base, dash_token = secured.room.dashboard_url.split("/?token=")
    status, _, body = fetch(dash_base, f"/?token={dash_token}")
    assert status == 200
    kernel = kernel_id_of(body)
    ws = dash_base.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels?session_id=s&token="
    rows = [
        ("GET /api/kernels/<id> room token", fetch(dash_base, f"/api/kernels/{kernel}?token={secured.room.token}")[0]),
        ("DELETE /api/kernels/<id> room token", fetch(dash_base, f"/api/kernels/{kernel}?token={secured.room.token}", "DELETE")[0]),
        ("WS channels room token", websocket_status(ws + secured.room.token)),
        ("WS channels no token", websocket_status(ws.rsplit("&token=", 1)[0])),
        ("WS channels dashboard token", websocket_status(ws + dash_token)),
    ]
    print()
    for route, status in rows:
        print(f"  dashboard {route:<40} {status}")
    assert all(status == 403 for _, status in rows[:4])
    assert rows[4][1] == "OPEN"  # the route exists: only the token decides
