"""7. One room kernel's work for one page: the CPU a warm kernel spends once its person is known.

A real ipykernel is started as ``workshop-kit serve`` starts the room's (``room_app.warm(share_models=True)``
with section 02 built ahead), and its page is then opened for an issued personal code the way the room
opens it: the page made that person's (``open_page``), ``kernel_info``, then the widget manager's
``request_states`` until its reply arrives.  Each step's CPU is read from the kernel's threads
(``/proc/<pid>/task/*/schedstat``, nanoseconds; Linux only), for the welcome page and for section 02,
in a fresh kernel each time; the median of a few kernels is printed.  With ``--room-before REVISION``
the kit at that revision is measured beside this tree.  Figures are printed, never asserted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import uuid
from pathlib import Path

from .common import ROOT, Figure
from .startup import _env

PAGES = {"welcome page": "", "section 02": "&page=02-risk.ipynb"}
STEPS = ("the request", "kernel_info", "request_states")


def _cpu(pid: int) -> float:
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that has just ended
    return total / 1e9


def one_kernel(root: Path, env: dict[str, str], query: str) -> dict[str, float]:
    """CPU seconds of each step of one page's opening, in a fresh warm kernel running the kit at root."""
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(env={**env, "QUERY_STRING": query, "PYTHONPATH": str(root)}, cwd=str(root / "notebooks"))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(60)
        pid = manager.provisioner.process.pid  # type: ignore[union-attr]

        def run(code: str) -> None:
            reply = client.execute_interactive(code, timeout=60, output_hook=lambda _msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"the kernel refused {code!r}: {reply['content'].get('evalue')}")

        run("import workshop_kit.pages.room_app as room_app\nroom_app.warm(share_models=True)\n_frame = room_app._FRAME[0]\n_frame.waiting()")
        used: dict[str, float] = {}
        marks = [_cpu(pid)]

        def lap(step: str) -> None:
            marks.append(_cpu(pid))
            used[step] = marks[-1] - marks[-2]

        run("_page = room_app.open_page(__import__('os').environ['QUERY_STRING'], room_app._FRAME.pop())")
        lap("the request")
        client.kernel_info()
        client.get_shell_msg(timeout=30)
        lap("kernel_info")
        control = uuid.uuid4().hex
        opening = client.session.msg("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}})
        opening["metadata"] = {"version": "1.0.0"}
        client.shell_channel.send(opening)
        client.shell_channel.send(client.session.msg("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}))
        while True:
            msg = client.get_iopub_msg(timeout=30)
            if msg["msg_type"] == "comm_msg" and msg["content"].get("comm_id") == control:
                break
        lap("request_states")
        return used
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def measure(root: Path, label: str, tmp: Path, repeats: int) -> list[Figure]:
    from workshop_kit.session import room
    from workshop_kit.store.responses import ResponseStore

    store_path = tmp / f"{label.split()[0]}.sqlite"
    env = {**_env(tmp), "WORKSHOP_KIT_STORE": str(store_path), "WORKSHOP_KIT_COHORT": "bench-kernel", room.ROOM_ENV: "1", room.PREBUILD_ENV: "02-risk.ipynb"}
    env.pop("VOILA_PREHEAT", None)
    figures = []
    for page, extra in PAGES.items():
        runs = []
        for i in range(repeats):
            with ResponseStore(store_path) as store:
                code = room.issue_code(f"Kernel participant {i + 1}", cohort="bench-kernel", store=store).code
            runs.append(one_kernel(root, env, f"token=t&code={code}{extra}"))
        for step in STEPS:
            values = [r[step] * 1000 for r in runs]
            figures.append(Figure("kernel", f"{label}: {page}, {step} (kernel CPU, median of {repeats})", f"{statistics.median(values):.1f} ms", note=f"range {min(values):.1f}–{max(values):.1f} ms"))
            print(f"  {figures[-1].what}: {figures[-1].value} ({figures[-1].note})", flush=True)
    return figures


def run(quick: bool, before: str | None = None) -> list[Figure]:
    if not sys.platform.startswith("linux"):
        return [Figure("kernel", "one room kernel's work for a page", "skipped", note="reads /proc (Linux only)")]
    from .room import checkout

    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="wk-bench-kernel-") as name:
        tmp = Path(name)
        figures = measure(ROOT, "this tree", tmp, repeats)
        if before:
            figures += measure(checkout(before, tmp), f"before: kit at {before}", tmp, repeats)
    return figures
