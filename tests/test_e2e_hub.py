"""A programme on a real JupyterHub, with a real PostgreSQL store that asks for passwords.

The set-up installs what it needs: JupyterHub from PyPI (the test extras) and its proxy,
configurable-http-proxy, from the npm registry into a cache folder in the virtual
environment (``npm install`` on first use).  The hub uses the dummy authenticator (one
shared password), the simple local-process spawner (every server on this machine, as this
OS user) and the kit's :class:`workshop_kit.commands.hub.HubStore`, which gives each user's server
its own PostgreSQL login: participants may read and write only their own rows,
facilitators every row.

Two participants (``ada``, ``ben``) log in through the hub's login form in Chromium, open
the risk notebook in JupyterLab, run it, move the risk-appetite slider and save, as a
person would.  The facilitator (``fran``) and a fourth user (``dan``) log in with an HTTP
POST to ``/hub/login`` (with its ``_xsrf``); then code runs in a kernel of their own
server through the single-user server's kernel API, with a token the hub issues for that
user: the facilitator's dashboard and programme view see both participants under their
hub names, while ``dan`` reads nothing of theirs and cannot save under another's name.
Once four more of the cohort have answered, ``dan``'s "compare with the cohort" opens from
the database's release (``wk_cohort_release``: the others' answers with no names), and
another cohort's release is refused.
Skipped, with the reason, only where npm, JupyterHub, PostgreSQL or Chromium is missing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import (
    NOTEBOOKS,
    PAGE_TIMEOUT_MS,
    browser,  # noqa: F401 - a fixture
    exercise_box,
    new_page,
    save_and_wait,
    screenshot,
    set_slider,
    stop_process_group,
)

import pg_server

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.postgres]

PROXY_PACKAGE = "configurable-http-proxy@5"
PROXY_CACHE = Path(sys.prefix) / "hub-proxy"  # inside the project's .venv: installed once, reused
COHORT = "leeds-2027-01"
SECTION = "02-risk.ipynb"
HUB_START_S = 180
SPAWN_S = 300
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
}


def proxy_command() -> str:
    """configurable-http-proxy: WORKSHOP_KIT_CHP, else the cached npm install, else `npm install` it now (skip if there is no npm)."""
    given = os.environ.get("WORKSHOP_KIT_CHP")
    if given:
        return given
    command = PROXY_CACHE / "node_modules" / ".bin" / "configurable-http-proxy"
    if command.exists():
        return str(command)
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node.js and npm are needed to install JupyterHub's proxy (apt-get install nodejs npm), or set WORKSHOP_KIT_CHP")
    PROXY_CACHE.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [npm, "install", "--prefix", str(PROXY_CACHE), "--no-audit", "--no-fund", "--loglevel=error", PROXY_PACKAGE],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0 and command.exists(), f"npm install {PROXY_PACKAGE} failed:\n{result.stdout}\n{result.stderr}"
    return str(command)


def free_port() -> int:
    return pg_server.free_port()


@dataclass
class Hub:
    """A running hub: its address, the shared password, the service token, the store's owner URL."""

    base: str
    password: str
    token: str
    owner_url: str
    root: Path

    def api(self, method: str, path: str, **kwargs):  # type: ignore[no-untyped-def]
        import requests

        response = requests.request(method, f"{self.base}/hub/api{path}", headers={"Authorization": f"token {self.token}"}, timeout=60, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def wait_ready(self, user: str) -> None:
        """Wait until the user's server is up (the hub says so)."""
        deadline = time.monotonic() + SPAWN_S
        while time.monotonic() < deadline:
            server = self.api("GET", f"/users/{user}").get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(1)
        raise AssertionError(f"{user}'s server did not start within {SPAWN_S} s:\n{hub_log(self)}")


def wait_for_port(port: int, process: subprocess.Popen, root: Path, timeout: float = HUB_START_S) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            return
        except OSError:
            assert process.poll() is None, "the proxy stopped:\n" + (root / "hub.log").read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"the proxy did not start within {timeout} s"
            time.sleep(0.5)


def hub_log(hub: Hub) -> str:
    log = hub.root / "hub.log"
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """JupyterHub on 127.0.0.1 with the kit's PostgreSQL store; stopped (with every server) at the end."""
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        pytest.skip("JupyterHub is not installed (pip install -e '.[test]')")
    reason = pg_server.unavailable_reason()
    if reason:
        pytest.skip(reason)
    chp = proxy_command()
    from workshop_kit.commands.hub import prepare_database

    root = tmp_path_factory.mktemp("hub")
    notebooks = root / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.sqlite*"))
    settings = root / "lab-settings"
    for relative, values in LAB_SETTINGS.items():
        (settings / relative).parent.mkdir(parents=True, exist_ok=True)
        (settings / relative).write_text(json.dumps(values), encoding="utf-8")
    server = pg_server.PostgresServer(password=secrets.token_urlsafe(16))
    server.start()
    process = proxy = None
    try:
        prepare_database(server.url)
        port, token, password = free_port(), secrets.token_hex(32), secrets.token_urlsafe(12)
        config = {
            "port": port,
            "hub_port": free_port(),
            "api_port": free_port(),
            "chp": chp,
            "password": password,
            "token": token,
            "owner_url": server.url,
            "singleuser": str(Path(sys.executable).with_name("jupyterhub-singleuser")),
            "root": str(root),
            "notebooks": str(notebooks),
            "settings": str(settings),
            "as_root": os.geteuid() == 0,
            "cohort": COHORT,
            "proxy_token": secrets.token_hex(32),
        }
        (root / "settings.json").write_text(json.dumps(config), encoding="utf-8")
        (root / "jupyterhub_config.py").write_text(HUB_CONFIG, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSHOP_KIT_", "JUPYTER")) and k != "QUERY_STRING"}
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
        log = open(root / "hub.log", "w")  # noqa: SIM115 - closed below
        # The proxy runs on its own, as many deployments run it: the hub allows it only 10 s to
        # start, which a busy two-core machine does not always manage.
        proxy = subprocess.Popen(
            [chp, "--ip", "127.0.0.1", "--port", str(port), "--api-ip", "127.0.0.1", "--api-port", str(config["api_port"]),
             "--default-target", f"http://127.0.0.1:{config['hub_port']}", "--error-target", f"http://127.0.0.1:{config['hub_port']}/hub/error"],
            env={**env, "CONFIGPROXY_AUTH_TOKEN": config["proxy_token"]},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(config["api_port"], proxy, root)
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("jupyterhub")), "-f", str(root / "jupyterhub_config.py")],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        hub = Hub(f"http://127.0.0.1:{port}", password, token, server.url, root)
        deadline = time.monotonic() + HUB_START_S
        while True:
            try:
                hub.api("GET", "/")
                break
            except Exception:
                assert process.poll() is None, f"JupyterHub stopped:\n{hub_log(hub)}"
                assert time.monotonic() < deadline, f"JupyterHub did not answer within {HUB_START_S} s:\n{hub_log(hub)}"
                time.sleep(1)
        yield hub
    finally:
        if process is not None:
            stop_process_group(process)  # the hub stops the servers it spawned
        if proxy is not None:
            stop_process_group(proxy)
            log.close()
        server.stop()


HUB_CONFIG = '''
import json, pathlib
from workshop_kit.commands.hub import HubStore

s = json.loads((pathlib.Path(__file__).parent / "settings.json").read_text())
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = s["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s['api_port']}"
c.ConfigurableHTTPProxy.should_start = False  # started beside the hub (see the fixture)
c.ConfigurableHTTPProxy.auth_token = s["proxy_token"]
c.JupyterHub.db_url = f"sqlite:///{s['root']}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{s['root']}/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = s["password"]
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = s["root"] + "/home/{username}"
c.Spawner.cmd = [s["singleuser"]]
c.Spawner.args = ["--allow-root"] if s["as_root"] else []
c.Spawner.notebook_dir = s["notebooks"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.Spawner.environment = {"JUPYTERLAB_SETTINGS_DIR": s["settings"], "MPLBACKEND": "Agg"}
# the kit: each user's server gets its own PostgreSQL login and cohort (see workshop_kit/commands/hub.py)
c.Spawner.pre_spawn_hook = HubStore(s["owner_url"]).pre_spawn_hook
c.JupyterHub.load_groups = {
    "facilitators": {"users": ["fran"]},
    "cohort-" + s["cohort"]: {"users": ["ada", "ben", "dan"]},
}
# the test's own service: may start servers and issue tokens for users
c.JupyterHub.services = [{"name": "kit-test", "api_token": s["token"]}]
c.JupyterHub.load_roles = [{"name": "kit-test", "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"], "services": ["kit-test"]}]
'''


# --- driving users -------------------------------------------------------------------------------


def browser_login_and_save(browser, hub: Hub, user: str, now: int, target: int, shots: Path) -> None:  # noqa: F811
    """Log in through the hub's form, open the risk notebook in JupyterLab, run it, set the sliders, Save."""
    with new_page(browser) as page:
        page.goto(f"{hub.base}/hub/login?next=/hub/spawn")  # the hub's start button's address: log in, then start the server
        page.fill("#username_input", user)
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{user}/lab**", timeout=SPAWN_S * 1000)  # the spawn page moves on once the server is up
        page.goto(f"{hub.base}/user/{user}/lab/tree/{SECTION}")
        page.wait_for_selector(".jp-Notebook", timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function(
            "() => { const bar = document.querySelector('#jp-main-statusbar'); return bar && /\\|\\s*Idle/.test(bar.innerText); }", timeout=PAGE_TIMEOUT_MS
        )
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').first.click()
        page.wait_for_selector(".wk-exercise .wk-save", timeout=PAGE_TIMEOUT_MS)
        box = exercise_box(page, "Your appetite for risk")
        box.scroll_into_view_if_needed()
        set_slider(box, now, 0)
        set_slider(box, target, 1)
        save_and_wait(box)
        screenshot(page, shots / f"hub-{user}.png")
        assert not page.errors  # type: ignore[attr-defined]


def http_login(hub: Hub, user: str):  # type: ignore[no-untyped-def]
    """Log in as a browser's form would: GET the login page for its _xsrf cookie, then POST it with the name and password."""
    import requests

    session = requests.Session()
    session.get(f"{hub.base}/hub/login", timeout=60).raise_for_status()
    xsrf = session.cookies.get("_xsrf")
    assert xsrf, "the login page set no _xsrf cookie"
    response = session.post(
        f"{hub.base}/hub/login", data={"username": user, "password": hub.password, "_xsrf": xsrf}, allow_redirects=False, timeout=60
    )
    assert response.status_code == 302, f"login failed for {user}: {response.status_code}"
    session.get(f"{hub.base}/hub/spawn", timeout=120)  # what the browser does next: start the server
    hub.wait_ready(user)
    return session


class Kernel:
    """A kernel in a user's own server, driven through the single-user server's REST and websocket API with that user's token."""

    def __init__(self, hub: Hub, user: str):
        import requests
        import websocket

        self.token = hub.api("POST", f"/users/{user}/tokens", json={"note": "kit test", "expires_in": 3600})["token"]
        self.headers = {"Authorization": f"token {self.token}"}
        self.base = f"{hub.base}/user/{user}/api"
        kernel = requests.post(f"{self.base}/kernels", json={"name": "python3"}, headers=self.headers, timeout=120)
        kernel.raise_for_status()
        self.id = kernel.json()["id"]
        ws_base = self.base.replace("http://", "ws://")
        self.ws = websocket.create_connection(f"{ws_base}/kernels/{self.id}/channels", header=[f"Authorization: token {self.token}"], timeout=300)

    def run(self, code: str) -> str:
        """Execute code and return what it printed; fail on an error."""
        msg_id = uuid.uuid4().hex
        message = {
            "header": {"msg_id": msg_id, "username": "test", "session": uuid.uuid4().hex, "msg_type": "execute_request", "version": "5.3", "date": ""},
            "parent_header": {},
            "metadata": {},
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            "channel": "shell",
            "buffers": [],
        }
        self.ws.send(json.dumps(message))
        out: list[str] = []
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = reply["msg_type"], reply["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise AssertionError("kernel error: " + "\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(out)

    def close(self) -> None:
        import requests

        self.ws.close()
        requests.delete(f"{self.base}/kernels/{self.id}", headers=self.headers, timeout=60)


# --- the test ---------------------------------------------------------------------------------------


def test_programme_on_jupyterhub(browser, hub: Hub, tmp_path: Path) -> None:  # noqa: F811
    """Two participants save through the hub; the facilitator sees both by hub name; a fourth user sees neither."""
    from workshop_kit.store.responses import ResponseStore

    shots = Path(__file__).resolve().parent.parent / "test-artifacts"
    browser_login_and_save(browser, hub, "ada", now=3, target=8, shots=shots)
    browser_login_and_save(browser, hub, "ben", now=6, target=9, shots=shots)

    with ResponseStore(hub.owner_url) as store:  # what is really in the store
        saved = {r.participant: r.answer for r in store.latest_answers(COHORT, "risk.appetite")}
        assert saved == {"ada": {"now": 3, "target": 8}, "ben": {"now": 6, "target": 9}}

    http_login(hub, "fran")
    fran = Kernel(hub, "fran")
    try:
        out = fran.run(
            "import json, os, workshop_kit as kit\n"
            f"d = kit.facilitator_dashboard(cohort={COHORT!r}, refresh_seconds=3600)\n"
            "d.names.value = True\n"
            "d.refresh(force=True)\n"
            "prog = kit.programme(min_group=2)\n"
            "t = prog.table('risk.appetite')\n"
            f"files = kit.programme_report(kit.default_store(), [{COHORT!r}], {str(tmp_path / 'fran-report')!r}, min_group=2, exercises=[kit.default_catalogue().exercise('risk.appetite')])\n"
            "print(json.dumps({'login': kit.default_store().url.split('//')[1].split(':')[0], 'roster': d.roster.value,"
            " 'overview': prog.overview().to_dict('records'), 'now': t.loc[" + repr(COHORT) + ", 'Now'], 'html': files.html.read_text()}))\n"
        )
    finally:
        fran.close()
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["login"] == "hub%3Afran", "the facilitator's server has the facilitator's own login, not the owner's"
    assert "ada" in seen["roster"] and "ben" in seen["roster"], "the dashboard lists both participants by hub name"
    assert seen["overview"] == [{"cohort": COHORT, "participants": 2, "follow_up": 0}]
    assert seen["now"] == "4.5 ± 2.1 (median 4.5)"  # ada 3 and ben 6
    assert f'<tr data-cohort="{COHORT}"><td>{COHORT}</td><td class="num">2</td>' in seen["html"]

    with ResponseStore(hub.owner_url) as store:  # four more of the cohort answer (as if through the hub): six people, the first release
        for i in range(4):
            store.save("risk.appetite", {"now": 5, "target": 8}, participant=f"extra{i}", cohort=COHORT)

    http_login(hub, "dan")
    dan = Kernel(hub, "dan")
    try:
        out = dan.run(
            "import json, workshop_kit as kit\n"
            "from workshop_kit.errors import StoreError\n"
            "from workshop_kit.store.responses import ResponseStore\n"
            "s = kit.default_store()\n"
            "result = {'rows': len(s.all_responses()), 'cohorts': s.cohorts(), 'programme': kit.programme(min_group=1).overview().to_dict('records')}\n"
            "from workshop_kit.views.dashboard import collect, roster_html\n"
            f"total, summaries = collect(s, {COHORT!r})\n"
            "result['dashboard'] = summaries['risk.appetite'].n\n"
            "try:\n"
            f"    result['roster'] = roster_html(s, {COHORT!r})\n"
            "except StoreError as exc:\n"
            "    result['roster'] = str(exc)\n"
            "try:\n"
            f"    s.save('risk.appetite', {{'now': 1, 'target': 1}}, participant='ada', cohort={COHORT!r})\n"
            "    result['spoof'] = 'saved'\n"
            "except StoreError as exc:\n"
            "    result['spoof'] = str(exc)\n"
            "me = kit.current_identity().participant\n"  # the hub login, worked out by the kit, never by the store
            f"mine = s.save('risk.authority', 5, participant=me, cohort={COHORT!r})\n"
            "result['mine'] = mine.participant\n"
            "from workshop_kit.summaries.compare import cohort_comparison, released\n"
            "ex = kit.default_catalogue().exercise('risk.appetite')\n"
            f"s.save('risk.appetite', {{'now': 5, 'target': 7}}, participant=me, cohort={COHORT!r})\n"
            "c = cohort_comparison(s, ex, kit.current_identity(), {'now': 5, 'target': 7})\n"
            "result['compare'] = [c.ready, c.others, list(c.lines)]\n"
            f"result['release_keys'] = sorted(released(s, {COHORT!r}, 'risk.appetite', 6).answers)\n"
            "try:\n"
            "    s.database_release('york-2027-02', 'risk.appetite')\n"
            "    result['other_cohort'] = 'read'\n"
            "except StoreError as exc:\n"
            "    result['other_cohort'] = str(exc)\n"
            "url = s.url.split('@')[1]\n"
            "try:\n"
            "    ResponseStore('postgresql://postgres@' + url).cohorts()\n"
            "    result['owner'] = 'opened'\n"
            "except StoreError as exc:\n"
            "    result['owner'] = str(exc)\n"
            "print(json.dumps(result))\n"
        )
    finally:
        dan.close()
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["rows"] == 0 and seen["cohorts"] == [] and seen["programme"] == []
    assert seen["dashboard"] == 0, "the dashboard's counts, read with dan's login, hold no one else's answers"
    assert "not allowed" in seen["roster"] and "ada" not in seen["roster"], "the names behind the dashboard's switch are refused"
    assert "not allowed" in seen["spoof"], "saving under another's name is refused by the database"
    assert seen["mine"] == "dan", "a user's own saves still work"
    assert "refused this login" in seen["owner"]
    ready, others, lines = seen["compare"]
    assert ready and others == 6, "dan's comparison opens from the database's release: ada, ben and four more"
    assert lines[0] == "Now: 6 others average 4.8, median 5. You chose 5: higher than 1, the same as 4, lower than 1 of them."
    assert not any(name in key for key in seen["release_keys"] for name in ("ada", "ben", "extra")), "the release comes back with no names"
    assert "not allowed" in seen["other_cohort"], "another cohort's release is refused"
    with ResponseStore(hub.owner_url) as store:
        assert {r.participant: r.answer for r in store.latest_answers(COHORT, "risk.appetite")}["ada"] == {"now": 3, "target": 8}
