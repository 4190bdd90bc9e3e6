"""Tests for workshop_kit.commands.serve and the `serve` / `lab` commands: what is served, to whom, and clean stops."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import browser_helpers
from websockets.sync.client import connect
import psutil
import pytest

from workshop_kit.commands import serve
from workshop_kit.errors import KitError

pytestmark = pytest.mark.slow  # starts the room's servers and kernels: left out of `make check`

TIMEOUT = 300  # a loaded machine can take a while to start Jupyter and warm the room


def tiny_notebook(path: Path, heading: str, code: str = "") -> None:
    """A minimal notebook with a heading and an optional code cell."""
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"# {heading}"}]
    if code:
        cells.append({"cell_type": "code", "metadata": {}, "source": code, "outputs": [], "execution_count": None})
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    """A notebooks folder like the kit's: welcome, one section, the facilitator dashboard, and clutter."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    tiny_notebook(folder / "00-welcome.ipynb", "Welcome", "import os\nprint('cohort', os.environ.get('WORKSHOP_KIT_COHORT'))")
    tiny_notebook(folder / "01-section.ipynb", "Section one")
    tiny_notebook(folder / "facilitator-dashboard.ipynb", "Dashboard", "print('facilitator only')")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / "answers.sqlite").write_text("not for participants")
    (folder / "picture.png").write_bytes(b"\x89PNG")
    return folder


class TestPieces:
    def test_staged_pages_leave_the_facilitator_out(self, notebooks: Path, tmp_path: Path) -> None:
        """Only participant pages (and pictures) are copied to the folder a room is served from."""
        pages = serve.stage_participant_pages(notebooks, tmp_path / "pages")
        assert pages == ["00-welcome.ipynb", "01-section.ipynb"]
        assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == ["00-welcome.ipynb", "01-section.ipynb", "picture.png"]

    def test_self_study_stages_the_follow_up_and_the_room_does_not(self, notebooks: Path, tmp_path: Path) -> None:
        """The follow-up is left out of the room's pages and staged for self-study (still without the facilitator's)."""
        tiny_notebook(notebooks / "12-follow-up.ipynb", "Follow-up")
        assert "12-follow-up.ipynb" not in serve.stage_participant_pages(notebooks, tmp_path / "room")
        assert serve.stage_participant_pages(notebooks, tmp_path / "study", follow_up=True) == ["00-welcome.ipynb", "01-section.ipynb", "12-follow-up.ipynb"]
        page = serve.write_room_page(tmp_path / "study", follow_up=True)
        assert json.loads(page.read_text())["cells"][0]["source"].endswith("room_app.warm(share_models=True, follow_up=True)")

    def test_staging_needs_a_welcome_page(self, tmp_path: Path) -> None:
        """A folder without the welcome page is refused with its name in the message."""
        with pytest.raises(FileNotFoundError, match="00-welcome.ipynb"):
            serve.stage_participant_pages(tmp_path, tmp_path / "pages")

    def test_token_is_kept_off_the_command_line(self, tmp_path: Path) -> None:
        """The token goes into a private voila.json; the command line never holds it."""
        token = serve.new_token()
        folder = serve.write_voila_config(tmp_path / "config", token)
        config = json.loads((folder / "voila.json").read_text())
        assert config["Voila"]["token"] == token
        assert config["Voila"]["tornado_settings"]["headers"]["Referrer-Policy"] == "same-origin"
        assert stat.S_IMODE((folder / "voila.json").stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert config["MappingKernelManager"] == {"cull_idle_timeout": 900, "cull_interval": 60, "cull_connected": False}
        command = serve.voila_command(tmp_path / "workshop.ipynb", host="127.0.0.1", port=8866, config_dir=folder, room={"expect": 30})
        assert not any(token in part for part in command)
        assert "--Voila.ip=127.0.0.1" in command and "--no-browser" in command and "--Voila.port_retries=0" in command
        assert command[1:3] == ["-m", "workshop_kit.commands.room_server"] and "--RoomVoila.expect=30" in command
        assert f"--VoilaExecutor.iopub_timeout={serve.IOPUB_TIMEOUT_SECONDS}" in command  # nbclient's 4 s dropped crowded pages' output

    def test_room_page_warms_up_then_shows(self, tmp_path: Path) -> None:
        """The one notebook served to the room does its imports first, then waits for its request and shows the page."""
        page = serve.write_room_page(tmp_path)
        cells = json.loads(page.read_text())["cells"]
        assert [c["source"] for c in cells] == ["import workshop_kit.pages.room_app as room_app\nroom_app.warm(share_models=True)", "room_app.show()"]
        assert all(c["outputs"] == [] and c["id"] for c in cells)

    def test_the_opening_section_is_named_by_number_or_file(self, tmp_path: Path) -> None:
        pages = tmp_path / "pages"
        serve.stage_participant_pages(Path(__file__).resolve().parent.parent / "notebooks", pages)
        assert serve.opening_section(pages, "2") == serve.opening_section(pages, "02-risk") == "02-risk.ipynb"
        assert serve.opening_section(pages, " ") == ""
        with pytest.raises(KitError, match=r"no section '42'.*1, 2, 3"):
            serve.opening_section(pages, "42")

    def test_tokens_are_long_and_fresh(self) -> None:
        """Generated tokens carry 192 bits and differ every time."""
        tokens = {serve.new_token() for _ in range(20)}
        assert len(tokens) == 20 and all(len(t) >= 32 for t in tokens)

    def test_room_environment(self) -> None:
        """Kernels inherit one store, one cohort and room mode, and nothing that names a person."""
        base = {"PATH": "/bin", "QUERY_STRING": "code=x", "JUPYTERHUB_USER": "fac", "WORKSHOP_KIT_PROFILE": "/p.json"}
        env = serve.room_environment(base, store_url="sqlite:///a.sqlite", cohort="Leeds", room_url="http://h:1/", token="T")
        assert env["WORKSHOP_KIT_STORE"] == "sqlite:///a.sqlite" and env["WORKSHOP_KIT_COHORT"] == "Leeds"
        assert env["WORKSHOP_KIT_ROOM"] == "1" and env["PATH"] == "/bin"
        assert not {"QUERY_STRING", "JUPYTERHUB_USER", "WORKSHOP_KIT_PROFILE"} & set(env)

    def test_free_port_prefers_the_asked_one(self) -> None:
        """free_port returns the preferred port when free, and another when it is taken."""
        port = serve.free_port()
        assert serve.free_port(preferred=port) == port
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", port))
            busy.listen()
            assert serve.free_port(preferred=port) != port

    def test_loopback_hosts(self) -> None:
        """Only loopback addresses count as 'this computer only'."""
        assert serve.is_loopback("127.0.0.1") and serve.is_loopback("localhost") and serve.is_loopback("::1")
        assert not serve.is_loopback("0.0.0.0") and not serve.is_loopback("192.168.1.4")

    def test_opening_to_the_room_prints_a_warning(self) -> None:
        """Binding beyond this computer prints a warning; the default says how to open it up."""

        class FakeServer:
            url, port = "http://x:1/?token=T", 1

        for host, warned in (("0.0.0.0", True), ("127.0.0.1", False)):
            out = io.StringIO()
            serve._announce(serve.RoomSettings(cohort="Leeds", host=host), "Leeds", "the file a.sqlite", FakeServer(), None, out)  # type: ignore[arg-type]
            assert ("WARNING" in out.getvalue()) is warned
            assert FakeServer.url in out.getvalue()


    def test_a_room_too_big_for_this_computer_is_warned_of_with_the_largest_that_fits(self) -> None:
        """serve --expect N checks this computer's free memory against a kernel per participant and the pool's margin."""
        free_mib = psutil.virtual_memory().available / 2**20
        too_many = int(free_mib / serve.KERNEL_MIB_GUESS) * 2 + 100
        out = io.StringIO()
        assert not serve._check_room_fits(too_many, out)
        warning = out.getvalue()
        largest = int(re.search(r"The largest room that fits now is about (\d+) people", warning).group(1))  # type: ignore[union-attr]
        assert f"a room of {too_many} needs about" in warning and 0 < largest < too_many
        out = io.StringIO()
        assert serve._check_room_fits(1, out) and "needs about" not in out.getvalue()  # one person fits anywhere the tests run


# --- the real commands -------------------------------------------------------------------------


def start_command(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `workshop-kit ARGS` in its own session, as a facilitator's terminal would."""
    return subprocess.Popen(
        [sys.executable, "-m", "workshop_kit.commands.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = TIMEOUT) -> str:
    """The command's output up to the line containing marker (fails if it exits first)."""
    return browser_helpers.read_until(process, marker, timeout)


def get(url: str | urllib.request.Request, timeout: float = TIMEOUT) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of a GET, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), ""


def is_kernel(proc: psutil.Process) -> bool:
    """True for a Jupyter kernel process (False once it has gone)."""
    try:
        return "ipykernel" in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def family(process: subprocess.Popen[str]) -> list[psutil.Process]:
    """Every process the command has started, kernels included."""
    return psutil.Process(process.pid).children(recursive=True)


def kill_everything(process: subprocess.Popen[str]) -> None:
    """After a failure: kill the command and every process it started (the dashboard's server has a session of its own)."""
    with contextlib.suppress(psutil.Error):
        for child in family(process):
            with contextlib.suppress(psutil.Error):
                child.kill()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def stop_and_check_nothing_survives(process: subprocess.Popen[str], seen: list[psutil.Process], sig: int) -> str:
    """Send sig to the command; it exits 0 and every process it started is gone; returns the rest of its output."""
    process.send_signal(sig)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        kill_everything(process)
        raise
    rest = process.stdout.read() or ""  # type: ignore[union-attr]
    assert process.returncode == 0, rest
    gone, alive = psutil.wait_procs(seen, timeout=10)
    assert not alive, f"left behind: {alive}"
    return rest


def room_links(output: str) -> tuple[str, str | None]:
    """The room's link and the dashboard's, from what `serve` printed."""
    room_url = re.search(r"Share this link.*\n\s*(http://\S+)", output).group(1)  # type: ignore[union-attr]
    dash = re.search(r"Facilitator dashboard.*\n\s*(http://\S+)", output)
    return room_url, dash.group(1) if dash else None


def join(base: str, token: str, name: str) -> tuple[int, str]:
    """Post the join form as a browser does (its _xsrf cookie and field); the status and where it redirects."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    form = opener.open(f"{base}/?token={token}", timeout=TIMEOUT).read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    body = urllib.parse.urlencode({"_xsrf": xsrf, "name": name}).encode()
    try:
        with opener.open(urllib.request.Request(f"{base}/", data=body, headers={"Origin": base}), timeout=TIMEOUT) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def kernel_ids(process: subprocess.Popen[str]) -> set[str]:
    """The ids of the kernels the command's room server is running (from their connection files)."""
    ids = set()
    for proc in family(process):
        with contextlib.suppress(psutil.Error):
            match = re.search(r"kernel-([0-9a-f-]{36})\.json", " ".join(proc.cmdline()))
            if match:
                ids.add(match.group(1))
    return ids


def page_kernel(html_text: str) -> str:
    """The kernel a Voilà page was handed (its page config names it)."""
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', html_text).group(1)  # type: ignore[union-attr]


def wait_until(condition, timeout: float = TIMEOUT) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


class TestServeCommand:
    def test_room_is_served_with_a_token_and_stops_cleanly(self, notebooks: Path, kit_env: Path) -> None:
        """`serve` warms up, prints a working link, joins people without a kernel, refuses requests without the token, hides the dashboard, and leaves no kernel behind on Ctrl-C."""
        store_file = kit_env / "room.sqlite"
        env = dict(os.environ, WORKSHOP_KIT_STORE=str(store_file))
        process = start_command(["serve", "--cohort", "Leeds-2025", "--notebooks", str(notebooks), "--port", str(serve.free_port()), "--expect", "2"], env)
        try:
            output = read_until(process, "Press Ctrl-C")
            room_url, dash_url = room_links(output)
            base, token = room_url.split("/?")[0], room_url.rsplit("token=", 1)[1]
            assert "WARNING" not in output and str(store_file) in output
            assert "Getting the room ready for 2 participants" in output and "Room ready" in output

            status, headers, body = get(room_url)  # the join form: plain HTML, no kernel
            assert status == 200 and headers.get("Referrer-Policy") == "same-origin" and "Leeds-2025" in body and 'name="name"' in body
            status, location = join(base, token, "Siân")
            assert status == 303 and location.startswith(f"/?token={token}&code=")
            code = location.rsplit("code=", 1)[1]
            status, _, body = get(f"{base}{location}")
            # the page was rendered before anyone asked (its frame, drawn from the kernel once the request reached it),
            # so nothing of the person is in the HTML a warm page hands out
            assert status == 200 and "application/vnd.jupyter.widget-view+json" in body
            assert "Siân" not in body and "Si&#" not in body and code not in body
            assert page_kernel(body) in kernel_ids(process)

            assert get(f"{base}/")[0] in (302, 403)
            assert get(f"{base}/?token=wrong&code={code}")[0] in (302, 403)
            assert get(f"{base}/voila/render/facilitator-dashboard.ipynb?token={token}")[0] == 404
            assert get(f"{base}/voila/files/answers.sqlite?token={token}")[0] in (403, 404)
            assert get(f"{base}/voila/tree?token={token}")[0] == 404
            dash_base = dash_url.split("/?token=")[0]
            assert get(f"{dash_base}/?token={token}")[0] in (302, 403)  # the room's token does not open it
            status, _, body = get(dash_url)
            assert status == 200 and "facilitator only" in body

            seen = family(process)
            assert any(is_kernel(p) for p in seen), "the warm pool and the participant's page should be kernels"
        except BaseException:
            kill_everything(process)
            raise
        rest = stop_and_check_nothing_survives(process, seen, signal.SIGINT)
        assert "Stopped" in rest

    def test_kernels_follow_people_not_requests(self, notebooks: Path, kit_env: Path) -> None:
        """No kernel for a request without an issued code; one kernel per participant however often they reopen; a closed page's kernel goes."""
        from workshop_kit.session import room
        from workshop_kit.store.responses import ResponseStore

        store_file = kit_env / "room.sqlite"
        with ResponseStore(store_file) as store:
            codes = [room.issue_code(name, cohort="Leeds", store=store).code for name in ("Ann", "Ben")]
        env = dict(os.environ, WORKSHOP_KIT_STORE=str(store_file))
        port = serve.free_port("0.0.0.0")
        args = ["serve", "--cohort", "Leeds", "--notebooks", str(notebooks), "--host", "0.0.0.0", "--port", str(port), "--no-dashboard", "--expect", "2", "--close-seconds", "4"]
        process = start_command(args, env)
        try:
            output = read_until(process, "Press Ctrl-C")
            token = re.search(r"token=(\S+)", output).group(1)
            base = f"http://127.0.0.1:{port}"
            warm = kernel_ids(process)
            assert len(warm) >= 2
            for query in ["", "&page=01-section.ipynb", f"&code={room.new_code()}", "&code=short"] * 5:  # 20 requests, none with an issued code
                assert get(f"{base}/?token={token}{query}")[0] in (200, 403)
            time.sleep(3)  # the tick would have started any refill by now
            assert kernel_ids(process) == warm, "a request without an issued code must not start or use a kernel"

            first = page_kernel(get(f"{base}/?token={token}&code={codes[0]}")[2])
            second = page_kernel(get(f"{base}/?token={token}&code={codes[0]}&page=01-section.ipynb")[2])  # Ann reopens
            other = page_kernel(get(f"{base}/?token={token}&code={codes[1]}")[2])
            assert len({first, second, other}) == 3
            assert wait_until(lambda: first not in kernel_ids(process), 30), "Ann's older page should be shut down at once"
            assert second in kernel_ids(process) and other in kernel_ids(process)
            # each page connects (as its browser would) and is closed: freed once closed for --close-seconds
            for kernel in (second, other):
                with connect(f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?session_id=s&token={token}", open_timeout=60):
                    time.sleep(3)  # the server's tick sees it connected
            assert wait_until(lambda: not {second, other} & kernel_ids(process), 60), "closed pages should free their kernels"
            assert wait_until(lambda: len(kernel_ids(process)) >= 2, 60), "the pool is kept warm"
            seen = family(process)
        except BaseException:
            kill_everything(process)
            raise
        stop_and_check_nothing_survives(process, seen, signal.SIGTERM)
        assert "WARNING: the pages are open to every device" in output
        assert "Facilitator dashboard" not in output
        assert re.search(r"http://(?!0\.0\.0\.0)\S+:\d+/\?token=", output)

    def test_bad_cohort_name_is_refused(self, notebooks: Path) -> None:
        """A cohort name the kit cannot use stops `serve` before anything starts, with a plain message."""
        result = subprocess.run(
            [sys.executable, "-m", "workshop_kit.commands.cli", "serve", "--cohort", "<b>", "--notebooks", str(notebooks)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 1 and "cohort name" in result.stderr


class TestLabCommand:
    def test_lab_prints_its_link_and_stops_cleanly(self, notebooks: Path, tmp_path: Path) -> None:
        """`lab` prints a link with its token, refuses requests without it, and leaves no kernel behind on Ctrl-C."""
        env = dict(os.environ)
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR"):
            env[name] = str(tmp_path / name.lower())
        process = start_command(["lab", "--notebooks", str(notebooks), "--no-browser", "--port", str(serve.free_port())], env)
        try:
            output = read_until(process, "Press Ctrl-C")
            url = re.search(r"(http://127\.0\.0\.1:\d+/lab/tree/00-welcome\.ipynb\?token=(\S+))", output)
            base, token = url.group(1).split("/lab/")[0], url.group(2)
            assert get(f"{base}/api/contents?token={token}")[0] == 200
            assert get(f"{base}/api/contents")[0] in (302, 403)
            request = urllib.request.Request(f"{base}/api/kernels?token={token}", data=b"{}", method="POST")
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                assert response.status == 201
            deadline = time.monotonic() + TIMEOUT
            while not any(is_kernel(p) for p in family(process)) and time.monotonic() < deadline:
                time.sleep(0.5)
            seen = family(process)
            assert any(is_kernel(p) for p in seen), "the kernel asked for should be running"
        except BaseException:
            kill_everything(process)
            raise
        stop_and_check_nothing_survives(process, seen, signal.SIGINT)


class TestBinder:
    def test_binder_reads_the_one_environment(self) -> None:
        """binder/environment.yml is the repository's environment.yml (Binder ignores top-level files once binder/ exists)."""
        repo = Path(__file__).resolve().parent.parent
        assert (repo / "binder" / "environment.yml").resolve() == (repo / "environment.yml").resolve()

    def test_post_build_installs_the_kit(self) -> None:
        """binder/postBuild is executable and installs the kit from the checkout without touching conda's packages."""
        post_build = Path(__file__).resolve().parent.parent / "binder" / "postBuild"
        assert os.access(post_build, os.X_OK)
        assert "pip install --no-deps" in post_build.read_text()


class TestStudyCommand:
    """`workshop-kit study`: the room's pages for one person, under their own identity and local store."""

    def test_study_environment_is_never_a_room(self) -> None:
        """The pages get the local store and a fixed cohort, keep the person's profile, and never room mode or a link."""
        base = {"PATH": "/bin", "QUERY_STRING": "code=x", "WORKSHOP_KIT_ROOM": "1", "WORKSHOP_KIT_ROOM_TOKEN": "T", "WORKSHOP_KIT_PROFILE": "/p.json"}
        env = serve.study_environment(base, store_url="sqlite:///a.sqlite", cohort="self-study")
        assert env["WORKSHOP_KIT_STORE"] == "sqlite:///a.sqlite" and env["WORKSHOP_KIT_COHORT"] == "self-study"
        assert env["WORKSHOP_KIT_STUDY"] == "1" and env["WORKSHOP_KIT_PROFILE"] == "/p.json" and env["VOILA_APP_IP"] == "127.0.0.1"
        assert not {"QUERY_STRING", "WORKSHOP_KIT_ROOM", "WORKSHOP_KIT_ROOM_TOKEN"} & set(env)

    def test_the_personal_code_is_kept_for_next_time(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The second start reuses the code the store issued; a store that no longer has it gets a new one."""
        from workshop_kit.store.responses import ResponseStore

        monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
        with ResponseStore(tmp_path / "a.sqlite") as store:
            first = serve.study_code(store, "self-study")
            assert serve.study_code(store, "self-study") == first
            assert serve.study_code(store, "another") != first  # a code belongs to one cohort
            assert oct(serve.study_link_file().stat().st_mode & 0o777) == "0o600"
        with ResponseStore(tmp_path / "b.sqlite") as other:
            assert serve.study_code(other, "self-study") != first

    def test_a_welcome_page_is_needed(self, tmp_path: Path) -> None:
        """A notebooks folder without the welcome page stops with a plain message and code 2."""
        out = io.StringIO()
        assert serve.run_study(tmp_path, open_browser=False, out=out) == 2
        assert "00-welcome.ipynb" in out.getvalue()

    def test_bad_cohort_name_is_refused(self, notebooks: Path, tmp_path: Path) -> None:
        """A cohort name the kit cannot use stops `study` before anything starts, with a plain message."""
        env = dict(os.environ, WORKSHOP_KIT_PROFILE=str(tmp_path / "p.json"), WORKSHOP_KIT_STORE=str(tmp_path / "a.sqlite"))
        result = subprocess.run(
            [sys.executable, "-m", "workshop_kit.commands.cli", "study", "--cohort", "<b>", "--notebooks", str(notebooks), "--no-browser"],
            capture_output=True, text=True, timeout=TIMEOUT, env=env,
        )
        assert result.returncode == 1 and "cohort name" in result.stderr


class TestLabSettings:
    def test_news_and_update_checks_are_off_by_default(self, tmp_path: Path) -> None:
        """JupyterLab gets overrides turning the news prompt and update checks off, and the contents manager that keeps notebooks unchanged."""
        folder = serve.write_lab_settings(tmp_path / "settings")
        overrides = json.loads((folder / "overrides.json").read_text(encoding="utf-8"))
        assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false", "checkForUpdates": False}
        command = serve.lab_command(tmp_path, host="127.0.0.1", port=1, open_browser=False, settings=folder)
        assert f"--LabApp.app_settings_dir={folder}" in command
        assert "--ServerApp.contents_manager_class=workshop_kit.commands.lab_contents.KitContentsManager" in command

    def test_notebooks_carry_this_pythons_language_info(self, tmp_path: Path) -> None:
        """A notebook is handed to JupyterLab with the kernel's language_info; the file itself is untouched."""
        import asyncio

        from workshop_kit.commands.lab_contents import KitContentsManager, kernel_language_info

        tiny_notebook(tmp_path / "n.ipynb", "A page")
        before = (tmp_path / "n.ipynb").read_bytes()
        model = asyncio.run(KitContentsManager(root_dir=str(tmp_path)).get("n.ipynb"))
        assert model["content"]["metadata"]["language_info"] == kernel_language_info()
        assert kernel_language_info()["version"] == sys.version.split()[0]
        assert (tmp_path / "n.ipynb").read_bytes() == before
