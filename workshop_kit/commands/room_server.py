"""The room's web server: Voilà with a warm pool of kernels, a kernel-free join page, and a reaper.

``workshop-kit serve`` runs ``python -m workshop_kit.commands.room_server room.ipynb …`` (Voilà's own
command-line options).  Three things differ from plain Voilà:

- **Joining needs no kernel.**  ``/`` without a personal code is a plain HTML form (Jinja2,
  autoescaped): the participant types a name, the server records a personal code in the
  store and redirects to their personal link.  A link with a code the store did not issue
  (or has withdrawn) gets the same form with the reason; no kernel starts for it.
- **Pages come from a warm pool.**  Voilà's preheated kernels run ``room.ipynb`` ahead of
  time (:mod:`workshop_kit.pages.room_app`), so a page opened with a personal code is handed a
  kernel that has already done its imports.  The pool is filled a few kernels at a time
  (a two-core laptop starting 30 Pythons at once would time some out) up to what the room
  still needs: ``--RoomVoila.expect`` participants, less those already here, plus a margin.
- **At most one kernel per participant.**  Each kernel handed out is tied to the participant
  whose code opened it.  When the same person opens their page again (a reload, another
  tab, another device), the older kernel is shut down; a kernel whose page has been closed
  is shut down after ``--RoomVoila.disconnect_grace`` seconds.

The server writes its state (pool, participants, kernels) to ``--RoomVoila.status_file`` every
couple of seconds, for ``workshop-kit serve`` to report while it warms up.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import tornado.web
from tornado.ioloop import PeriodicCallback
from jupyter_server._tz import utcnow
from traitlets import Float, Int, Unicode
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

from .. import settings as env_names
from ..session import room
from ..errors import IdentityError, KitError
from .kernel_activity import watch_lightly

TICK_SECONDS = 2.0
WARM_STEP = 4  # kernels started at once while filling the pool
ARRIVAL_QUIET_SECONDS = 4.0  # refill only once no page has been handed out for this long,
SETTLE_SECONDS = 1.0  # and no kernel has spoken for this long (the pages handed out are still being built),
SETTLE_LIMIT_SECONDS = 30.0  # unless the last page was handed out this long ago (a busy room always has someone typing)
REQUEST_URL_ENV = env_names.VOILA_REQUEST_URL_ENV
RECENT_PAGES = 10  # arrivals that decide which section new warm pages build ahead


def pool_margin(expect: int) -> int:
    """Spare kernels kept warm beyond the people still expected (late arrivals, reloads)."""
    return max(2, math.ceil(expect * 0.1))


def pool_target(expect: int, here: int) -> int:
    """How many warm kernels the room needs now: those still expected, plus the margin."""
    return max(0, expect - here) + pool_margin(expect)


def refill_may_start(handed_out: list[float], quiet_for: float, now: float) -> bool:
    """Whether warm kernels may start now, given when pages were handed out (``time.monotonic()``) and how long every
    kernel has been quiet: not while a room's arrivals are coming in, nor while their pages are still being built (a
    Python starting then takes the CPU they need), but no later than ``SETTLE_LIMIT_SECONDS`` after the last arrival."""
    ages = [now - since for since in handed_out]
    if any(age < ARRIVAL_QUIET_SECONDS for age in ages):
        return False
    settling = any(age < SETTLE_LIMIT_SECONDS for age in ages)
    return not (settling and quiet_for < SETTLE_SECONDS)


def _jinja() -> Any:
    from .. import templating

    return templating.environment()


def code_of_url(url: str) -> str | None:
    """The personal code in a page URL, if it has one."""
    values = parse_qs(urlsplit(url).query).get(room.CODE_PARAM, [])
    return values[0] if values else None


@dataclass
class Claim:
    """A kernel handed to one participant's page."""

    participant: str
    since: float
    last_connected: float = 0.0


@dataclass
class KernelWatch:
    """Which participant each kernel serves; decides which kernels to shut down.

    A page that has connected and then gone is freed after ``disconnect_grace``; a page that has
    not connected yet (its browser still loading it, on a busy machine) is given ``first_connect``.
    """

    disconnect_grace: float
    first_connect: float = 300.0
    claims: dict[str, Claim] = field(default_factory=dict)  # kernel id -> claim

    def claim(self, kernel_id: str, participant: str, now: float) -> None:
        self.claims[kernel_id] = Claim(participant, now)

    def disconnected(self, kernel_id: str, now: float) -> None:
        """A page's connection closed: it was connected until now (a page opened and closed between two ticks counts too)."""
        claim = self.claims.get(kernel_id)
        if claim is not None:
            claim.last_connected = max(claim.last_connected, now)

    def to_shut_down(self, alive: set[str], connections: dict[str, int], now: float) -> list[str]:
        """Kernels to stop: superseded by a newer page of the same participant, or closed for too long."""
        for kernel_id in list(self.claims):
            if kernel_id not in alive:
                del self.claims[kernel_id]
        newest: dict[str, str] = {}
        for kernel_id, claim in self.claims.items():
            if connections.get(kernel_id, 0) > 0:
                claim.last_connected = now
            best = newest.get(claim.participant)
            if best is None or self.claims[best].since < claim.since:
                newest[claim.participant] = kernel_id
        stop = []
        for kernel_id, claim in self.claims.items():
            if newest[claim.participant] != kernel_id:
                stop.append(kernel_id)
            elif claim.last_connected and now - claim.last_connected > self.disconnect_grace:
                stop.append(kernel_id)
            elif not claim.last_connected and now - claim.since > max(self.first_connect, self.disconnect_grace):
                stop.append(kernel_id)
        return stop

    def participants(self) -> int:
        return len({c.participant for c in self.claims.values()})


class RoomPageHandler(TornadoVoilaHandler):
    """``/``: the join form without a code; the participant's page (a pooled kernel) with an issued one."""

    @property
    def room_app(self) -> RoomVoila:
        return self.settings["workshop_kit_room"]

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        if path:
            raise tornado.web.HTTPError(404)
        code = self.get_query_argument(room.CODE_PARAM, None)
        if code is None:
            self._join_form()
            return
        problem = self.room_app.refusal(code)
        if problem is not None:
            self._join_form(problem=problem, status=403)
            return
        self.room_app.note_page(self.get_query_argument("page", room.WELCOME_PAGE))
        await super().get(path)

    @tornado.web.authenticated
    def post(self, path: str | None = None) -> None:
        if path:
            raise tornado.web.HTTPError(404)
        self.check_xsrf_cookie()
        name = self.get_body_argument("name", "")
        try:
            person = room.issue_code(name, cohort=self.room_app.cohort, store=self.room_app.store())
        except IdentityError as exc:
            self._join_form(error=str(exc), name=name, status=400)
            return
        except KitError as exc:
            self._join_form(error=f"Your link could not be made: {exc}", name=name, status=503)
            return
        query = [(room.CODE_PARAM, person.code)]
        if self.room_app.token:
            query.insert(0, ("token", self.room_app.token))
        self.redirect(f"{self.request.path}?{urlencode(query)}", status=303)

    def _join_form(self, *, problem: str = "", error: str = "", name: str = "", status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        page = _jinja().get_template("join.html").render(
            cohort=self.room_app.cohort,
            problem=problem,
            error=error,
            name=name,
            xsrf_token=self.xsrf_token.decode("ascii"),
        )
        self.finish(page)


class RoomVoila(Voila):
    """Voilà serving ``room.ipynb`` to a room: join form, warm pool, one kernel per participant."""

    expect = Int(10, config=True, help="Participants expected; the pool is kept warm for those not yet here.")
    disconnect_grace = Float(90.0, config=True, help="Seconds a closed page's kernel is kept before it is shut down.")
    status_file = Unicode("", config=True, help="Where to write the room's state as JSON for `workshop-kit serve`.")
    open_on = Unicode("", config=True, help="The section the room opens first (e.g. 02-risk.ipynb): warm pages have it built before anyone asks.")

    def init_settings(self) -> dict[str, Any]:
        self.voila_configuration.preheat_kernel = True
        self.voila_configuration.default_pool_size = min(WARM_STEP, pool_target(self.expect, 0))
        settings = super().init_settings()
        settings["workshop_kit_room"] = self
        # traitlets leaves the logger itself at DEBUG, so every debug line was formatted and then dropped
        self.log.setLevel(self.log_level)
        watch_lightly(self.kernel_manager)
        self._tell_watch_of_disconnects()
        self.cohort = room._cohort(None)
        self.watch = KernelWatch(self.disconnect_grace)
        self.recent_pages: collections.deque[str] = collections.deque(maxlen=RECENT_PAGES)
        os.environ[room.PREBUILD_ENV] = self.open_on  # the first pool's kernels inherit it
        self._store: Any = None
        # open the store now: importing SQLAlchemy on the first request held every arrival up for about a second
        with contextlib.suppress(KitError):  # a store that cannot be opened is reported to each page that asks
            self.store()
        self._track_kernels()
        return settings

    def init_handlers(self) -> list[Any]:
        handlers = super().init_handlers()
        return [(pattern, RoomPageHandler, *rest) if handler is TornadoVoilaHandler else (pattern, handler, *rest) for pattern, handler, *rest in handlers]

    def start(self) -> None:
        PeriodicCallback(self._tick, TICK_SECONDS * 1000).start()
        super().start()

    # --- the store ------------------------------------------------------------------------------

    def store(self) -> Any:
        if self._store is None:
            from ..store.responses import default_store

            self._store = default_store()
        return self._store

    def refusal(self, code: str) -> str | None:
        """Why a personal link opens nothing (not issued here, or withdrawn), or None; asks the store each time."""
        if not room.looks_like_code(code):
            return room.UNKNOWN_CODE_MESSAGE
        try:
            person = room.issued_person(code, cohort=self.cohort, store=self.store())
        except KitError as exc:
            return f"Your page could not be opened: {exc}"
        return None if person is not None else room.UNKNOWN_CODE_MESSAGE

    def note_page(self, page: str) -> None:
        """A participant's page was asked for, opened on this section."""
        self.recent_pages.append(page)

    def ahead_page(self) -> str:
        """The section new warm pages build before their request: what most of the latest arrivals asked for, or
        ``--open-on`` (the room's opening section) before anyone has come and while arrivals open the welcome page,
        which depends on the person and cannot be built ahead: those who joined will open the opening section next."""
        page = collections.Counter(reversed(self.recent_pages)).most_common(1)[0][0] if self.recent_pages else room.WELCOME_PAGE
        return self.open_on if page == room.WELCOME_PAGE else page

    # --- kernels ----------------------------------------------------------------------------------

    def _track_kernels(self) -> None:
        """Tie every kernel handed to a page to the participant whose link asked for it."""
        manager = self.kernel_manager
        hand_out = manager.get_rendered_notebook
        start_kernel = manager.start_kernel

        async def get_rendered_notebook(notebook_name: str, extra_kernel_env_variables: dict | None = None, **kwargs: Any) -> Any:
            url = (extra_kernel_env_variables or {}).get(REQUEST_URL_ENV, "")
            # the refill kernel must not inherit this participant's link (Voilà passes it on)
            result = await hand_out(notebook_name=notebook_name, extra_kernel_env_variables={}, **kwargs)
            self._claim(result[2], url)
            return result

        async def start_unpooled(*args: Any, **kwargs: Any) -> str:
            kernel_id = await start_kernel(*args, **kwargs)
            env = kwargs.get("env") or {}
            if env.get(env_names.VOILA_PREHEAT_ENV) == "False" and env.get(REQUEST_URL_ENV):
                self._claim(kernel_id, env[REQUEST_URL_ENV])  # the pool was empty: a kernel for this request
            return kernel_id

        manager.get_rendered_notebook = get_rendered_notebook
        manager.start_kernel = start_unpooled
        # Voilà refills the pool the moment a kernel is handed out: with 30 arriving together that
        # is 30 Pythons starting while 30 pages are being built.  The tick refills instead, a few at
        # a time, once the arrivals have been served.
        self._fill = manager.fill_if_needed
        manager.fill_if_needed = lambda *args, **kwargs: None

    def _tell_watch_of_disconnects(self) -> None:
        manager = self.kernel_manager
        notify_disconnect = manager.notify_disconnect

        def disconnected(kernel_id: str) -> None:
            notify_disconnect(kernel_id)
            self.watch.disconnected(kernel_id, time.monotonic())

        manager.notify_disconnect = disconnected

    def _claim(self, kernel_id: str, url: str) -> None:
        code = code_of_url(url)
        participant = room.participant_key(code) if code else f"unknown-{kernel_id}"
        self.watch.claim(kernel_id, participant, time.monotonic())

    def _pool(self) -> list[Any]:
        return self.kernel_manager._pools.get(self.kernel_manager.notebook_path, [])

    def _tick(self) -> None:
        """Every couple of seconds: stop kernels nobody needs, keep the pool at what the room needs, report."""
        manager = self.kernel_manager
        now = time.monotonic()
        alive = set(manager.list_kernel_ids())
        connections = dict(getattr(manager, "_kernel_connections", {}))
        for kernel_id in self.watch.to_shut_down(alive, connections, now):
            claim = self.watch.claims.pop(kernel_id, None)
            self.log.info("Freeing kernel %s (%s, %.0f s after it was handed out)", kernel_id, claim.participant if claim else "?", now - claim.since if claim else 0)
            asyncio.ensure_future(self._shut_down(kernel_id))
        starting = set(getattr(manager, "_pending_kernels", {}))
        for kernel_id in list(RequestInfoSocketHandler._cache):
            # Voilà keeps each request's details (the code) for ever otherwise; a kernel still starting
            # has not collected its request yet
            if kernel_id not in alive and kernel_id not in starting and kernel_id not in self.watch.claims:
                RequestInfoSocketHandler._cache.pop(kernel_id, None)
        pool = self._pool()
        for task in [t for t in pool if t.done() and t.exception() is not None]:
            pool.remove(task)  # a kernel that failed to start: never hand it to anyone
            self.log.warning("A pooled kernel failed to start: %s", task.exception())
        # warm = its page has run up to the point where it waits for a request (Voilà's request socket)
        warm = [t for t in pool if t.done() and t.result()["kernel_id"] in RequestInfoSocketHandler._waiters]
        warming = len(pool) - len(warm)
        target = pool_target(self.expect, self.watch.participants())
        quiet_for = (utcnow() - manager.last_kernel_activity).total_seconds()
        may_start = refill_may_start([claim.since for claim in self.watch.claims.values()], quiet_for, now)
        if len(pool) < target and warming < WARM_STEP and (may_start or len(warm) < WARM_STEP):
            manager.kernel_pools_config = {"default": {"pool_size": len(pool) + min(target - len(pool), WARM_STEP - warming)}}
            self._fill(delay=0, notebook_name=manager.notebook_path, extra_kernel_env_variables={room.PREBUILD_ENV: self.ahead_page()})
        elif len(pool) > target:
            for task in warm[: len(pool) - target]:
                self.log.info("Freeing pooled kernel %s: the room needs %d warm pages", task.result()["kernel_id"], target)
                asyncio.ensure_future(self._shut_down(task.result()["kernel_id"]))
        self._write_status(target, len(warm), warming, len(alive))

    async def _shut_down(self, kernel_id: str) -> None:
        with contextlib.suppress(Exception):  # already gone is fine
            await self.kernel_manager.shutdown_kernel(kernel_id)
        RequestInfoSocketHandler._cache.pop(kernel_id, None)

    def _write_status(self, target: int, ready: int, starting: int, kernels: int) -> None:
        if not self.status_file:
            return
        state = {"pool_target": target, "pool_ready": ready, "pool_starting": starting, "participants": self.watch.participants(), "kernels": kernels, "time": time.time()}
        tmp = f"{self.status_file}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump(state, handle)
        os.replace(tmp, self.status_file)


main = RoomVoila.launch_instance

if __name__ == "__main__":
    main()
