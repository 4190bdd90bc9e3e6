"""A real, throwaway PostgreSQL server for tests and benchmarks.

``PostgresServer`` runs ``initdb``, ``pg_ctl start`` and ``createdb`` in a fresh temporary
folder, listening on a free port on 127.0.0.1 only, and removes everything on ``stop()``.
It is a context manager::

    with PostgresServer() as server:
        store = ResponseStore(server.url)

The binaries are found in ``WORKSHOP_KIT_PG_BIN``, then on ``PATH``, then in Debian's
``/usr/lib/postgresql/<version>/bin``.  PostgreSQL refuses to run as root, so when the
tests run as root the server runs as the ``postgres`` OS user (via ``runuser``).
``unavailable_reason()`` says in a sentence why a server cannot be started here, or
returns None.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

PG_BIN_ENV = "WORKSHOP_KIT_PG_BIN"
SERVER_USER = "postgres"
DATABASE = "workshop_kit"


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and createdb, or None."""
    candidates = []
    if os.environ.get(PG_BIN_ENV):
        candidates.append(os.environ[PG_BIN_ENV])
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    candidates.extend(reversed(debian))
    for folder in candidates:
        if all((Path(folder) / tool).exists() for tool in ("initdb", "pg_ctl", "createdb")):
            return Path(folder)
    return None


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def unavailable_reason() -> str | None:
    """Why a throwaway server cannot be started on this machine, or None if it can."""
    if find_bin_dir() is None:
        return f"PostgreSQL server binaries (initdb, pg_ctl) not found; set {PG_BIN_ENV} or install postgresql"
    if _running_as_root():
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no '{SERVER_USER}' OS user to run the server as (initdb refuses root)"
        if shutil.which("runuser") is None:
            return "running as root and 'runuser' is not available to start the server as another user"
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One throwaway PostgreSQL cluster with one database; ``url`` is its SQLAlchemy URL."""

    def __init__(self, database: str = DATABASE, password: str | None = None):
        self.database = database
        self.password = password  # set: TCP connections need it (scram-sha-256), as on a real server
        self.bin_dir = find_bin_dir()
        self.folder: Path | None = None
        self.port: int | None = None
        self._started = False

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database (no password with trust authentication on 127.0.0.1)."""
        secret = f":{self.password}" if self.password else ""
        return f"postgresql+psycopg://{SERVER_USER}{secret}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if _running_as_root():
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:1])} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}{self._log_tail()}")
        return result

    def _log_tail(self) -> str:
        log = self.folder / "server.log" if self.folder else None
        if log and log.exists():
            return "\nserver log:\n" + log.read_text(errors="replace")[-2000:]
        return ""

    def start(self) -> PostgresServer:
        """Create the cluster, start the server, create the database."""
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        self.folder = Path(tempfile.mkdtemp(prefix="workshop-kit-pg-"))
        if _running_as_root():
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        data = self.folder / "data"
        auth = ["-A", "trust"]
        if self.password:  # the socket in this private folder stays trusted (set-up); TCP asks for passwords
            secret = self.folder / "pwfile"
            secret.write_text(self.password + "\n", encoding="utf-8")
            if _running_as_root():
                entry = pwd.getpwnam(SERVER_USER)
                os.chown(secret, entry.pw_uid, entry.pw_gid)
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={secret}"]
        self._run("initdb", "-D", str(data), "-U", SERVER_USER, *auth, "-E", "UTF8", "--no-sync", "--no-instructions")
        for attempt in range(3):
            self.port = free_port()
            options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off -c full_page_writes=off -c max_connections=100"
            try:
                self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "server.log"), "-w", "-t", "60", "start", timeout=90)
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._started = True
        self._run("createdb", "-h", str(self.folder), "-p", str(self.port), "-U", SERVER_USER, self.database)
        return self

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        if self.folder is None:
            return
        try:
            if self._started:
                self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
        finally:
            self._started = False
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":  # a quick manual check: start, print the URL, stop
    problem = unavailable_reason()
    if problem:
        raise SystemExit(problem)
    with PostgresServer() as server:
        print(server.url)
