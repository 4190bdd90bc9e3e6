"""Tests for workshop_kit.commands.room_server's decisions: how big the warm pool is, and which kernels go.

The server itself (Voilà with the pool, the join form and the reaper) is exercised for real in
test_serve.py and the browser tests; these check the rules on their own.
"""

from __future__ import annotations

from workshop_kit.commands.room_server import KernelWatch, code_of_url, pool_margin, pool_target, refill_may_start


def test_pool_covers_those_still_expected_plus_a_margin() -> None:
    assert pool_margin(2) == 2 and pool_margin(30) == 3 and pool_margin(100) == 10
    assert pool_target(30, 0) == 33  # before anyone arrives
    assert pool_target(30, 25) == 8
    assert pool_target(30, 40) == 3  # more came than expected: the margin stays


def test_the_pool_refills_once_the_arrivals_pages_are_built_not_while() -> None:
    """No Python starts while a room is arriving or its pages are still being built; once they are, or at the latest
    half a minute after the last arrival (a busy room always has someone typing), it may."""
    assert refill_may_start([], quiet_for=0.0, now=100.0)  # nobody here yet: fill the pool while kernels warm up
    assert not refill_may_start([90.0, 98.0], quiet_for=10.0, now=100.0)  # someone arrived 2 s ago
    assert not refill_may_start([90.0, 94.0], quiet_for=0.2, now=100.0)  # arrivals over, their pages still talking
    assert refill_may_start([90.0, 94.0], quiet_for=1.5, now=100.0)  # every page built: the kernels are quiet
    assert refill_may_start([40.0, 60.0], quiet_for=0.0, now=100.0)  # 40 s since the last arrival: a working room


def test_code_is_read_from_the_page_url() -> None:
    assert code_of_url("http://h:1/?token=t&code=abc&page=02-risk.ipynb") == "abc"
    assert code_of_url("http://h:1/?token=t") is None


def test_a_reopened_page_replaces_the_older_kernel_at_once() -> None:
    watch = KernelWatch(disconnect_grace=60)
    watch.claim("k1", "room-ann", now=0)
    watch.claim("k2", "room-ben", now=1)
    watch.claim("k3", "room-ann", now=2)  # Ann reloads, or opens her link on another device
    assert watch.to_shut_down({"k1", "k2", "k3"}, {"k1": 1, "k2": 1, "k3": 1}, now=3) == ["k1"]
    assert watch.participants() == 2


def test_a_closed_page_goes_after_the_grace_period_only() -> None:
    watch = KernelWatch(disconnect_grace=60)
    watch.claim("k1", "room-ann", now=0)
    assert watch.to_shut_down({"k1"}, {"k1": 1}, now=30) == []
    assert watch.to_shut_down({"k1"}, {"k1": 0}, now=80) == []  # connected until 30: 50 s closed
    assert watch.to_shut_down({"k1"}, {"k1": 0}, now=91) == ["k1"]


def test_a_page_opened_and_closed_between_two_looks_goes_after_the_grace_period() -> None:
    """The server is told of every closed connection, so a page that never showed as connected at a tick is not kept as 'still loading'."""
    watch = KernelWatch(disconnect_grace=30, first_connect=300)
    watch.claim("k1", "room-ann", now=0)
    watch.disconnected("k1", now=5)
    assert watch.to_shut_down({"k1"}, {"k1": 0}, now=30) == []
    assert watch.to_shut_down({"k1"}, {"k1": 0}, now=36) == ["k1"]  # not kept for first_connect (300 s)


def test_a_page_still_loading_is_given_time_to_connect() -> None:
    watch = KernelWatch(disconnect_grace=10, first_connect=120)
    watch.claim("k1", "room-ann", now=0)
    assert watch.to_shut_down({"k1"}, {}, now=60) == []  # a busy machine: the page is still loading
    assert watch.to_shut_down({"k1"}, {}, now=121) == ["k1"]  # it never came


def test_kernels_that_are_gone_are_forgotten() -> None:
    watch = KernelWatch(disconnect_grace=10)
    watch.claim("k1", "room-ann", now=0)
    assert watch.to_shut_down(set(), {}, now=1) == [] and watch.claims == {}


def test_warm_pages_build_ahead_what_the_latest_arrivals_opened_else_the_opening_section() -> None:
    """Before anyone comes, and while arrivals open the welcome page (which is each person's own and cannot be built
    ahead), new warm pages build the room's opening section: those who joined open it next.  Once most of the latest
    arrivals open another section, that one."""
    import collections
    from types import SimpleNamespace

    from workshop_kit.commands.room_server import RECENT_PAGES, RoomVoila

    def ahead(pages: list[str], open_on: str = "02-risk.ipynb") -> str:
        server = SimpleNamespace(recent_pages=collections.deque(pages, maxlen=RECENT_PAGES), open_on=open_on)
        return RoomVoila.ahead_page(server)  # type: ignore[arg-type]

    assert ahead([]) == "02-risk.ipynb"
    assert ahead(["00-welcome.ipynb"] * 5) == "02-risk.ipynb"  # a room joining: they open section 2 next
    assert ahead(["00-welcome.ipynb"] * 2 + ["04-system.ipynb"] * 3) == "04-system.ipynb"
    assert ahead(["00-welcome.ipynb"] * 5, open_on="") == ""  # no opening section named: nothing built ahead
