"""Start the kit's servers: Voilà for a room, JupyterLab for self-study, and stop them cleanly.

``workshop-kit serve --cohort X`` serves the participant pages (every notebook except the
facilitator's) as code-free Voilà pages, behind a token, with every kernel writing to one
store.  The facilitator dashboard runs in a second Voilà that only this computer can reach
(127.0.0.1) and that has its own token, so a participant who has the room's link still
cannot open it.  ``workshop-kit lab`` starts JupyterLab on the notebooks for self-study.

Each server runs in its own process group.  On Ctrl-C (SIGINT) or SIGTERM the server is
asked to stop, then its group and every process it started (Jupyter starts each kernel in a
session of its own) are killed, so no kernel is left behind.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urlencode

from .. import settings as env_names

if TYPE_CHECKING:
    import psutil

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
WELCOME_PAGE = "00-welcome.ipynb"
DASHBOARD_GLOB = "facilitator*.ipynb"
DEFAULT_ROOM_PORT = 8866
DEFAULT_LAB_PORT = 8888
IOPUB_TIMEOUT_SECONDS = 300
READY_TIMEOUT_SECONDS = 60
DEFAULT_IDLE_MINUTES = 15.0
STOP_TIMEOUT_SECONDS = 10
# Never left in the folder a room is served from: the facilitator's pages and local clutter.
# The follow-up is taken weeks later, on its own, not on the workshop day.
_FOLLOW_UP = "*follow-up*"
_NOT_FOR_PARTICIPANTS = ("facilitator*", _FOLLOW_UP, ".ipynb_checkpoints", "__pycache__", "*.sqlite", "*.sqlite-*", ".*")
# Every Voilà page: never send the page's link (which holds the token and personal code) to another site.
_HEADERS = {"Referrer-Policy": "same-origin", "X-Content-Type-Options": "nosniff"}
ROOM_PAGE = "workshop.ipynb"  # the one page served to the room (see room_app); written when the room is staged
DEFAULT_EXPECT = 30
KERNEL_MIB_GUESS = 90  # a participant's kernel before one is measured: 78–79 MiB RSS with two sections built (docs/benchmarks.md), and room to grow


def default_notebooks() -> Path:
    """The kit's notebooks: beside the package in a checkout (or editable install), else the copy a
    ``pip install .`` puts in ``<prefix>/share/workshop-kit/notebooks``, else ./notebooks."""
    installed = Path(sys.prefix) / "share" / "workshop-kit" / "notebooks"
    for folder in (NOTEBOOKS, installed):
        if folder.is_dir():
            return folder
    return Path.cwd() / "notebooks"


def new_token() -> str:
    """A fresh access token for a server (192 bits)."""
    return secrets.token_urlsafe(24)


def free_port(host: str = "127.0.0.1", preferred: int | None = None) -> int:
    """The preferred port if it is free on host, otherwise one the system picks."""
    for port in ([preferred] if preferred else []) + [0]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise OSError(f"No free port on {host}.")  # pragma: no cover - binding port 0 does not fail


def is_loopback(host: str) -> bool:
    """True when host only accepts connections from this computer."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """This computer's address on the local network (what other devices in the room type)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.connect(("10.255.255.255", 1))  # no packet is sent; this only picks the outgoing interface
        address = sock.getsockname()[0]
        if not address.startswith("0."):
            return address
    return socket.gethostname()


def share_host(host: str) -> str:
    """The host name to put in a link for a server bound to host."""
    if host in ("", "0.0.0.0", "::"):
        return lan_address()
    return host


def stage_participant_pages(source: Path, dest: Path, *, follow_up: bool = False) -> list[str]:
    """Copy the participant notebooks (and their pictures) to dest, leaving the facilitator's out (and the
    follow-up, unless ``follow_up``: self-study offers it, the workshop room does not); returns the pages."""
    if not (source / WELCOME_PAGE).is_file():
        raise FileNotFoundError(f"The notebooks folder {source} has no {WELCOME_PAGE}.")
    left_out = [p for p in _NOT_FOR_PARTICIPANTS if not (follow_up and p == _FOLLOW_UP)]
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(*left_out), dirs_exist_ok=True)
    return sorted(p.name for p in dest.glob("*.ipynb"))


@contextlib.contextmanager
def staged_pages(source: Path, prefix: str, *, follow_up: bool = False) -> Iterator[tuple[Path, Path]]:
    """A private temporary folder (its owner only) with the participant pages staged in it; yields (folder, pages)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        os.chmod(folder, 0o700)
        pages = folder / "pages"
        stage_participant_pages(source, pages, follow_up=follow_up)
        yield folder, pages


def write_voila_config(folder: Path, token: str, *, idle_minutes: float = DEFAULT_IDLE_MINUTES) -> Path:
    """Write a private voila.json with the token (kept off the command line, where `ps` shows it)
    and kernel culling; returns the folder.

    Culling is the backstop: the room server shuts a participant's kernel down itself once its
    page has been closed (see room_server).  Voilà's own "shut the kernel down when the page is
    left" request is refused with a token ('_xsrf' argument missing; voila-dashboards/voila#1458),
    so any other kernel with no page connected is stopped once idle for ``idle_minutes``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    idle = max(1, round(idle_minutes * 60))
    config = {
        "Voila": {"token": token, "tornado_settings": {"headers": _HEADERS}},
        "MappingKernelManager": {"cull_idle_timeout": idle, "cull_interval": max(1, min(60, idle // 2)), "cull_connected": False},
    }
    _write_private(folder / "voila.json", json.dumps(config))
    return folder


def write_room_page(folder: Path, *, follow_up: bool = False) -> Path:
    """The one notebook the room is served: warm up ahead of time, then show the participant's page
    (``follow_up``: the follow-up is one of its pages, as in self-study)."""
    warm = "room_app.warm(share_models=True, follow_up=True)" if follow_up else "room_app.warm(share_models=True)"
    cells = [
        {"cell_type": "code", "id": "warm-up", "execution_count": None, "metadata": {"tags": ["warm-up"]}, "outputs": [], "source": f"import workshop_kit.pages.room_app as room_app\n{warm}"},
        {"cell_type": "code", "id": "page", "execution_count": None, "metadata": {}, "outputs": [], "source": "room_app.show()"},
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / ROOM_PAGE
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")
    return path


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def voila_command(target: Path, *, host: str, port: int, config_dir: Path, room: dict[str, object] | None = None) -> list[str]:
    """The Voilà command line for one notebook; for a room, the kit's room server with its settings."""
    program = ["-m", "workshop_kit.commands.room_server"] if room is not None else ["-m", "voila"]
    command = [
        sys.executable,
        *program,
        str(target),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",  # a busy port is an error, never a silently different link
        f"--Voila.config_file_paths={config_dir}",
        "--VoilaConfiguration.show_tracebacks=False",  # a participant sees a plain message, not code
        "--theme=light",
        # A page's widgets reach the server as hundreds of messages after its cell has finished; when many
        # pages are built at once they take longer than nbclient's 4 s, which then drops the page's output
        # without a word (the page opens with no exercises).  Wait for them as long as a page may take.
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_SECONDS}",
        os.environ.get(env_names.SERVER_LOG_ENV, "--Voila.log_level=ERROR"),  # kernel start/stop/cull lines and refused shutdown beacons would bury the link
    ]
    if os.name == "posix":  # kernels on Unix sockets in Voilà's private folder, not on TCP ports any local user can reach
        command.append("--KernelManager.transport=ipc")
    command += [f"--RoomVoila.{name}={value}" for name, value in (room or {}).items()]
    return command


# JupyterLab's defaults for self-study (the person's own settings still win): no "get notified about
# news?" prompt and no update checks, which would reach out to the internet from a locked-down laptop.
LAB_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def write_lab_settings(folder: Path) -> Path:
    """An app settings folder whose overrides.json holds :data:`LAB_OVERRIDES` on top of the installation's own."""
    folder.mkdir(parents=True, exist_ok=True)
    overrides: dict[str, dict[str, object]] = {}
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    with contextlib.suppress(OSError, ValueError):
        overrides = json.loads((installed / "overrides.json").read_text(encoding="utf-8"))
    if installed.is_dir():
        shutil.copytree(installed, folder, dirs_exist_ok=True)  # page_config.json, overrides.d, …
    for plugin, values in LAB_OVERRIDES.items():
        overrides.setdefault(plugin, {}).update(values)
    (folder / "overrides.json").write_text(json.dumps(overrides, indent=2), encoding="utf-8")
    return folder


def lab_command(folder: Path, *, host: str, port: int, open_browser: bool, settings: Path | None = None) -> list[str]:
    """The JupyterLab command line for self-study on the notebooks folder (``settings``: see :func:`write_lab_settings`)."""
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        WELCOME_PAGE,
        f"--ServerApp.root_dir={folder}",
        f"--ServerApp.ip={host}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
    ]
    if settings is not None:
        command.append(f"--LabApp.app_settings_dir={settings}")
    command.append("--ServerApp.contents_manager_class=workshop_kit.commands.lab_contents.KitContentsManager")  # notebooks open unchanged
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


# --- processes ----------------------------------------------------------------------------------


@dataclass
class Server:
    """A running server: its process (leader of its own process group) and its links."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    url: str
    log: TextIO | None = None
    seen: dict[int, psutil.Process] = field(default_factory=dict)  # pid -> psutil.Process of every descendant noticed
    stopped: bool = False

    @property
    def pid(self) -> int:
        return self.process.pid

    def descendants(self) -> list[int]:
        """The pids of every process this server started (kernels included), now and seen before."""
        import psutil

        try:
            now = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            now = []
        for proc in now:
            self.seen.setdefault(proc.pid, proc)
        return sorted(p.pid for p in now)


def start_server(name: str, command: Sequence[str], *, env: dict[str, str], cwd: Path, port: int, url: str, log: TextIO | None = None) -> Server:
    """Start a server in a new session (its own process group), output to log (or inherited)."""
    process = subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log if log is not None else None,
        stderr=subprocess.STDOUT if log is not None else None,
        start_new_session=True,
    )
    return Server(name, process, port, url, log)


def wait_until_listening(server: Server, host: str = "127.0.0.1", timeout: float = READY_TIMEOUT_SECONDS) -> bool:
    """True once the server accepts connections; False if it exited or the time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection((host, server.port), timeout=0.5):
            return True
        time.sleep(0.2)
    return False


def stop_server(server: Server, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Ask the server to stop, then kill its process group and any kernel it left; waits for all."""
    import psutil

    if server.stopped:
        return
    server.descendants()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGTERM)  # Jupyter and Voilà shut their kernels down on SIGTERM
    try:
        server.process.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.process.wait(5)
    # kernels run in sessions of their own, so the group kill misses them; psutil checks that a
    # pid still belongs to the same process (start time) before it sends anything
    leftovers = [proc for proc in server.seen.values() if proc.is_running()]
    for proc in leftovers:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(leftovers, timeout=5)
    server.stopped = True


class _Stop(Exception):
    """Raised from the signal handler so the main loop unwinds and stops every server."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    def handler(signum: int, _frame: object) -> None:
        raise _Stop(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _run(servers: list[Server], out: TextIO) -> int:
    """Wait while every server runs; return on a signal (0) or when one ends by itself (1)."""
    try:
        while True:
            for server in servers:
                server.descendants()
                if server.process.poll() is not None:
                    print(f"The {server.name} stopped unexpectedly (exit code {server.process.returncode}).", file=out)
                    return 1
            time.sleep(1)
    except (_Stop, KeyboardInterrupt):
        print("\nStopping: closing the pages and their kernels ...", file=out, flush=True)
        return 0


@contextlib.contextmanager
def _running(servers: list[Server], out: TextIO) -> Iterator[None]:
    """Stop on SIGINT/SIGTERM while inside; on the way out, always stop every server started."""
    try:
        with _stop_on_signals():
            yield
    finally:
        previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:  # a second Ctrl-C must not interrupt the clean-up
            for server in servers:
                stop_server(server)
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)
        if servers:
            print("Stopped. Every answer saved with a Save button is in the store.", file=out, flush=True)


# --- the two commands -----------------------------------------------------------------------------


@dataclass
class RoomSettings:
    """What `workshop-kit serve` was asked for."""

    cohort: str
    notebooks: Path = field(default_factory=default_notebooks)
    host: str = "127.0.0.1"
    port: int | None = None
    token: str | None = None
    store: str | None = None
    dashboard: bool = True
    dashboard_port: int | None = None
    dashboard_token: str | None = None
    qr_dir: Path | None = None  # where the room link's QR code goes (default: a room-link-qr folder in the served temp folder)
    idle_minutes: float = DEFAULT_IDLE_MINUTES
    expect: int = DEFAULT_EXPECT
    disconnect_grace: float = 90.0
    open_on: str = ""  # the section the room opens first: warm pages have it built before anyone asks
    warm_timeout: float | None = None
    log: TextIO | None = None


def opening_section(pages: Path, wanted: str) -> str:
    """The section page ``--open-on`` names (a number such as ``2`` or a file name), or "" for none;
    KitError, listing the sections, when there is no such section."""
    from ..errors import KitError
    from ..session.room import section_pages

    wanted = wanted.strip()
    if not wanted:
        return ""
    sections = section_pages(pages)
    for page, _title in sections:
        if wanted in (page, page.removesuffix(".ipynb")) or (wanted.isdigit() and page.startswith(f"{int(wanted):02d}-")):
            return page
    listing = ", ".join(page.split("-", 1)[0].lstrip("0") or "0" for page, _title in sections)
    raise KitError(f"There is no section {wanted!r} to open on. Give a section number ({listing}) or a file name such as {sections[0][0]}.")


def room_environment(base: dict[str, str], *, store_url: str, cohort: str, room_url: str, token: str) -> dict[str, str]:
    """The environment every participant kernel inherits: one store, one cohort, room identity."""
    env = dict(base)
    for name in (env_names.QUERY_STRING_ENV, env_names.HUB_USER_ENV, env_names.PROFILE_ENV):
        env.pop(name, None)  # a kernel learns who it serves from its page's link, nothing else
    env.update(
        WORKSHOP_KIT_STORE=store_url,
        WORKSHOP_KIT_COHORT=cohort,
        WORKSHOP_KIT_ROOM="1",
        WORKSHOP_KIT_ROOM_URL=room_url,
        WORKSHOP_KIT_ROOM_TOKEN=token,
        PYTHONUNBUFFERED="1",
    )
    return env


def serve_room(settings: RoomSettings, out: TextIO = sys.stdout) -> int:
    """Serve the participant pages (and the facilitator dashboard, locally) until Ctrl-C; returns an exit code."""
    from ..session import room as room_module
    from ..session.identity import validate_name
    from ..store.responses import ResponseStore, resolve_store_url

    cohort = validate_name(settings.cohort, "cohort name")
    source = Path(settings.notebooks).resolve()
    store_url = resolve_store_url(settings.store)
    with ResponseStore(store_url) as store:
        store.count()  # create the tables now: a wrong address is reported before anyone arrives
        where = store.location
    token = settings.token or new_token()
    port = settings.port or free_port(settings.host if settings.host not in ("", "::") else "0.0.0.0", DEFAULT_ROOM_PORT)
    host_in_link = share_host(settings.host)
    room_base = f"http://{_bracket(host_in_link)}:{port}/"
    participant_url = f"{room_base}?token={token}"

    with staged_pages(source, "workshop-kit-room-") as (tmp_path, pages):
        open_on = opening_section(pages, settings.open_on)
        status_file = tmp_path / "room-status.json"
        room_options = {"expect": settings.expect, "disconnect_grace": settings.disconnect_grace, "status_file": status_file, "open_on": open_on}
        env = room_environment(dict(os.environ), store_url=store_url, cohort=cohort, room_url=room_base, token=token)
        env[room_module.PREBUILD_ENV] = open_on  # the first warm pages build it before anyone asks
        # a pooled kernel asks the server for its request on this address (Voilà's default is 127.0.0.1)
        env["VOILA_APP_IP"] = settings.host if settings.host not in ("", "0.0.0.0", "::", "localhost") else "127.0.0.1"
        servers: list[Server] = []
        try:
            with _running(servers, out):
                _check_room_fits(settings.expect, out)
                room = start_server(
                    "room server",
                    voila_command(
                        write_room_page(pages),
                        host=settings.host,
                        port=port,
                        config_dir=write_voila_config(tmp_path / "room-config", token, idle_minutes=settings.idle_minutes),
                        room=room_options,
                    ),
                    env=env,
                    cwd=pages,
                    port=port,
                    url=participant_url,
                    log=settings.log,
                )
                servers.append(room)
                dashboard_token = settings.dashboard_token or new_token()
                dashboard = _start_dashboard(settings, source, tmp_path, store_url, cohort, dashboard_token)
                presenter = None
                if dashboard is not None:
                    servers.append(dashboard)
                    presenter = _start_presenter(settings, tmp_path, store_url, cohort, dashboard_token, participant_url)
                    servers.append(presenter)
                qr_files = _write_qr(participant_url, settings.qr_dir or tmp_path / "room-link-qr")
                for server in servers:
                    if not wait_until_listening(server):
                        print(f"The {server.name} did not start; see the messages above.", file=out)
                        return 1
                if not _warm_up(room, status_file, settings, out):
                    return 1
                _announce(settings, cohort, where, room, dashboard, out, presenter=presenter, qr_files=qr_files)
                return _run(servers, out)
        except (_Stop, KeyboardInterrupt):  # stopped while starting up
            return 0


def _check_room_fits(expect: int, out: TextIO, kernel_mib: float = KERNEL_MIB_GUESS) -> bool:
    """Warn, before and after warming up, when this computer looks too small for the room; True if it fits."""
    import psutil

    from .room_server import pool_margin

    need_mib = (expect + pool_margin(expect)) * kernel_mib + 300  # the servers themselves
    free_mib = psutil.virtual_memory().available / 2**20
    cores = os.cpu_count() or 1
    fits = need_mib <= free_mib * 0.9
    if not fits:
        largest = max(0, int((free_mib * 0.9 - 300) / kernel_mib / 1.1))
        print(
            f"WARNING: a room of {expect} needs about {need_mib / 1024:.1f} GiB of memory and this computer has "
            f"{free_mib / 1024:.1f} GiB free. Pages will be slow or fail to open. The largest room that fits now is "
            f"about {largest} people: close other programs, or use a bigger computer or JupyterHub (docs/deployment.md).",
            file=out,
            flush=True,
        )
    if cores < 2:
        print("WARNING: this computer has one processor core; pages will open slowly when many people join at once.", file=out, flush=True)
    return fits


def _room_state(status_file: Path) -> dict[str, float]:
    try:
        return json.loads(status_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _warm_up(room: Server, status_file: Path, settings: RoomSettings, out: TextIO) -> bool:
    """Wait until the pool holds a warm page for everyone expected, saying how far it has got; False if the server died."""
    from .room_server import pool_target

    target = pool_target(settings.expect, 0)
    timeout = settings.warm_timeout if settings.warm_timeout is not None else 60 + 4.0 * target
    print(f"Getting the room ready for {settings.expect} participants: warming up {target} pages (about {max(5, round(target * 1.2))} s on this computer) …", file=out, flush=True)
    started = last_said = time.monotonic()
    while True:
        if room.process.poll() is not None:
            print("The room server stopped while warming up; see the messages above.", file=out, flush=True)
            return False
        ready = int(_room_state(status_file).get("pool_ready", 0))
        if ready >= target:
            break
        now = time.monotonic()
        if now - started > timeout:
            print(f"Only {ready} of {target} pages are warm after {now - started:.0f} s; the first arrivals may wait a little.", file=out, flush=True)
            break
        if now - last_said >= 10:
            print(f"  {ready} of {target} pages ready …", file=out, flush=True)
            last_said = now
        time.sleep(0.5)
    kernels = [p for p in _processes(room) if "ipykernel" in " ".join(_cmdline(p))]
    if kernels:
        mib = sum(_rss(p) for p in kernels) / len(kernels) / 2**20
        print(f"Room ready: {len(kernels)} warm pages, about {mib:.0f} MiB each.", file=out, flush=True)
        if mib > KERNEL_MIB_GUESS:  # heavier than assumed before warming up: check again with the real figure
            _check_room_fits(settings.expect, out, kernel_mib=mib)
    return True


def _processes(server: Server) -> list[object]:
    import psutil

    try:
        return list(psutil.Process(server.pid).children(recursive=True))
    except psutil.Error:
        return []


def _cmdline(proc: object) -> list[str]:
    import psutil

    try:
        return proc.cmdline()  # type: ignore[attr-defined]
    except psutil.Error:
        return []


def _rss(proc: object) -> int:
    import psutil

    try:
        return proc.memory_info().rss  # type: ignore[attr-defined]
    except psutil.Error:
        return 0


def _start_dashboard(settings: RoomSettings, source: Path, tmp: Path, store_url: str, cohort: str, token: str) -> Server | None:
    """The facilitator dashboard on 127.0.0.1 only, with its own token, or None if there is none."""
    if not settings.dashboard:
        return None
    found = sorted(source.glob(DASHBOARD_GLOB))
    if not found:
        return None
    port = settings.dashboard_port or free_port("127.0.0.1")
    env = dict(os.environ)
    for name in (env_names.QUERY_STRING_ENV, env_names.ROOM_ENV, env_names.PROFILE_ENV):
        env.pop(name, None)
    env.update(WORKSHOP_KIT_STORE=store_url, WORKSHOP_KIT_COHORT=cohort, PYTHONUNBUFFERED="1")
    return start_server(
        "facilitator dashboard",
        voila_command(found[0], host="127.0.0.1", port=port, config_dir=write_voila_config(tmp / "dashboard-config", token)),
        env=env,
        cwd=source,
        port=port,
        url=f"http://127.0.0.1:{port}/?token={token}",
        log=settings.log,
    )


def _start_presenter(settings: RoomSettings, tmp: Path, store_url: str, cohort: str, token: str, room_link: str) -> Server:
    """The presenter view (workshop_kit.views.presenter) on 127.0.0.1 only, behind the dashboard's token; the token and link travel in its environment."""
    from ..views.presenter import LINK_ENV, TOKEN_ENV

    port = free_port("127.0.0.1")
    env = dict(os.environ)
    for name in (env_names.QUERY_STRING_ENV, env_names.ROOM_ENV, env_names.PROFILE_ENV):
        env.pop(name, None)
    env.update({env_names.STORE_ENV: store_url, env_names.COHORT_ENV: cohort, TOKEN_ENV: token, LINK_ENV: room_link, "PYTHONUNBUFFERED": "1"})
    return start_server(
        "presenter view",
        [sys.executable, "-m", "workshop_kit.views.presenter", "--cohort", cohort, "--port", str(port)],
        env=env,
        cwd=tmp,
        port=port,
        url=f"http://127.0.0.1:{port}/?token={token}",
        log=settings.log,
    )


def _write_qr(link: str, folder: Path) -> tuple[Path, Path] | None:
    """The room link as QR code files (PNG and SVG) in folder, or None when the folder cannot be written."""
    from ..views.presenter import write_qr_files

    try:
        return write_qr_files(link, Path(folder))
    except OSError:
        return None


def _announce(
    settings: RoomSettings,
    cohort: str,
    where: str,
    room: Server,
    dashboard: Server | None,
    out: TextIO,
    *,
    presenter: Server | None = None,
    qr_files: tuple[Path, Path] | None = None,
) -> None:
    lines = [
        "",
        f"workshop-kit is serving the participant pages for cohort {cohort!r}.",
        "",
        "  Share this link with the room (on the screen, or as a QR code):",
        f"    {room.url}",
        "",
    ]
    if dashboard is not None:
        lines += ["  Facilitator dashboard (opens on this computer only; do not share):", f"    {dashboard.url}", ""]
    if presenter is not None:
        lines += ["  Presenter view for the projector (this computer only; its first screen is the QR code):", f"    {presenter.url}", ""]
    if qr_files is not None:
        lines += ["  The room link as a QR code, for slides or a printout (deleted when serving stops unless --qr-dir was given):", *(f"    {path}" for path in qr_files), ""]
    elif settings.qr_dir is not None:
        lines += [f"  Could not write the QR code files into {settings.qr_dir}; the presenter view still shows the code.", ""]
    lines += [f"  Answers are saved to {where}.", "", "Press Ctrl-C to stop."]
    if not is_loopback(settings.host):
        lines[6:6] = [
            f"  WARNING: the pages are open to every device that can reach this computer on port {room.port}.",
            "  Anyone with the link above (it holds the room's token) can open them. Use a trusted network",
            "  (the training room's, not public Wi-Fi) and stop the server when the session ends. The link",
            "  is not encrypted (http); for remote or public settings use JupyterHub (docs/deployment.md).",
            "",
        ]
    else:
        lines[6:6] = ["  Only this computer can open the pages; add --host 0.0.0.0 to open them to the room.", ""]
    print("\n".join(lines), file=out, flush=True)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def run_lab(notebooks: Path | None = None, *, port: int | None = None, token: str | None = None, open_browser: bool = True, out: TextIO = sys.stdout, log: TextIO | None = None) -> int:
    """JupyterLab on the notebooks for self-study (this computer only) until Ctrl-C; returns an exit code."""
    folder = Path(notebooks or default_notebooks()).resolve()
    if not folder.is_dir():
        print(f"The notebooks folder {folder} does not exist.", file=out)
        return 2
    token = token or new_token()
    port = port or free_port("127.0.0.1", DEFAULT_LAB_PORT)
    env = dict(os.environ, JUPYTER_TOKEN=token)  # read by Jupyter Server; kept off the command line
    url = f"http://127.0.0.1:{port}/lab/tree/{WELCOME_PAGE}?token={token}"
    servers: list[Server] = []
    try:
        with tempfile.TemporaryDirectory(prefix="workshop-kit-lab-") as tmp, _running(servers, out):
            settings = write_lab_settings(Path(tmp) / "settings")
            command = lab_command(folder, host="127.0.0.1", port=port, open_browser=open_browser, settings=settings)
            servers.append(start_server("JupyterLab", command, env=env, cwd=folder, port=port, url=url, log=log))
            if not wait_until_listening(servers[0]):
                print("JupyterLab did not start; see the messages above.", file=out)
                return 1
            print(f"\nJupyterLab is open for self-study on this computer:\n    {url}\n\nPress Ctrl-C to stop.", file=out, flush=True)
            return _run(servers, out)
    except (_Stop, KeyboardInterrupt):  # stopped while starting up
        return 0


# --- self-study: the room's code-free pages, for one person on this computer ----------------------

STUDY_PORT = 8867
STUDY_ENV = env_names.STUDY_ENV
STUDY_PAGE_NAME = "Self-study page"  # the name on the page's record in the store (answers use the profile's name)
STUDY_KEEP_SECONDS = 7 * 24 * 3600  # a page left open (a laptop asleep overnight) keeps its kernel while the pages run


def study_link_file() -> Path:
    """Where ``workshop-kit study`` keeps its personal code, beside the profile."""
    from ..session.identity import profile_path

    return profile_path().with_name("study-links.json")


def study_code(store: object, cohort: str) -> str:
    """This computer's personal code for its self-study pages in this store and cohort: the one kept from
    last time if the store still has it, else a new one (kept for next time)."""
    from ..session import room

    path = study_link_file()
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        kept = kept if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        kept = {}
    key = f"{store.url}|{cohort}"  # type: ignore[attr-defined]
    code = kept.get(key)
    if isinstance(code, str) and room.issued_person(code, cohort=cohort, store=store) is not None:  # type: ignore[arg-type]
        return code
    code = room.issue_code(STUDY_PAGE_NAME, cohort=cohort, store=store).code  # type: ignore[arg-type]
    kept[key] = code
    with contextlib.suppress(OSError):  # not kept: next time simply makes a new one
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_private(path, json.dumps(kept, indent=2))
    return code


def study_environment(base: dict[str, str], *, store_url: str, cohort: str) -> dict[str, str]:
    """The environment of the self-study pages: the local store, the cohort fixed for the session, the person's
    own identity (their saved profile, else this computer's login), and never room mode."""
    env = dict(base)
    for name in (env_names.QUERY_STRING_ENV, env_names.HUB_USER_ENV, env_names.ROOM_ENV, env_names.ROOM_URL_ENV, env_names.ROOM_TOKEN_ENV):
        env.pop(name, None)
    env.update(WORKSHOP_KIT_STORE=store_url, WORKSHOP_KIT_COHORT=cohort, VOILA_APP_IP="127.0.0.1", PYTHONUNBUFFERED="1")
    env[STUDY_ENV] = "1"
    return env


def run_study(
    notebooks: Path | None = None,
    *,
    cohort: str | None = None,
    store: str | None = None,
    port: int | None = None,
    open_browser: bool = True,
    out: TextIO = sys.stdout,
    log: TextIO | None = None,
    ready_timeout: float = 180.0,
) -> int:
    """The workshop's code-free pages for one person on this computer (127.0.0.1), ready to answer, until Ctrl-C.

    The same pages as a room (:mod:`workshop_kit.commands.room_server`, one warm page), but the answers are saved
    under the person's own name and cohort in the local store, as in JupyterLab, so the two can be mixed.
    """
    import webbrowser

    from ..session.identity import resolve_cohort, validate_name
    from ..store.responses import ResponseStore, resolve_store_url

    source = Path(notebooks or default_notebooks()).resolve()
    if not (source / WELCOME_PAGE).is_file():
        print(f"The notebooks folder {source} has no {WELCOME_PAGE}.", file=out)
        return 2
    base = {k: v for k, v in os.environ.items() if k not in (env_names.ROOM_ENV, env_names.COHORT_ENV)}
    with _environment(base):
        cohort = validate_name(cohort, "cohort name") if cohort else resolve_cohort()[0]
        store_url = resolve_store_url(store)
        with ResponseStore(store_url) as opened:
            opened.count()  # a wrong address is reported now, in words
            code, where = study_code(opened, cohort), opened.location
    token = new_token()
    port = port or free_port("127.0.0.1", STUDY_PORT)
    link = f"http://127.0.0.1:{port}/?{urlencode([('token', token), ('code', code)])}"
    with staged_pages(source, "workshop-kit-study-", follow_up=True) as (tmp_path, pages):
        status_file = tmp_path / "status.json"
        options = {"expect": 1, "disconnect_grace": STUDY_KEEP_SECONDS, "status_file": status_file}
        config = write_voila_config(tmp_path / "config", token, idle_minutes=STUDY_KEEP_SECONDS / 60)
        command = voila_command(write_room_page(pages, follow_up=True), host="127.0.0.1", port=port, config_dir=config, room=options)
        servers: list[Server] = []
        try:
            with _running(servers, out):
                print("Getting your workshop pages ready (this takes a few seconds) …", file=out, flush=True)
                servers.append(start_server("workshop pages", command, env=study_environment(base, store_url=store_url, cohort=cohort), cwd=pages, port=port, url=link, log=log))
                if not wait_until_listening(servers[0]) or not _first_page_warm(servers[0], status_file, ready_timeout):
                    print("The workshop pages did not start; see the messages above.", file=out, flush=True)
                    return 1
                print(
                    f"\nYour workshop pages are ready, on this computer only:\n    {link}\n\n"
                    f"Answers are saved to {where}, in the cohort {cohort!r}.\n"
                    "Each Save is kept at once: close the browser whenever you like, and run this command again to carry on.\n\n"
                    "Press Ctrl-C to stop.",
                    file=out,
                    flush=True,
                )
                if open_browser:
                    with contextlib.suppress(Exception):  # no browser to open (a server): the link above is enough
                        webbrowser.open(link)
                return _run(servers, out)
        except (_Stop, KeyboardInterrupt):
            return 0


def _first_page_warm(server: Server, status_file: Path, timeout: float) -> bool:
    """Wait until the first page has run its imports (the pool holds one warm page); False if the server died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        if int(_room_state(status_file).get("pool_ready", 0)) >= 1:
            return True
        time.sleep(0.3)
    return True  # slow machine: the page still opens, a little later


@contextlib.contextmanager
def _environment(env: dict[str, str]) -> Iterator[None]:
    """Run with os.environ replaced by env (so identity and store are resolved as the pages will)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
