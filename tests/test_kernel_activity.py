"""The room server's light activity watch reads the same facts as jupyter_server's own."""

from __future__ import annotations

import asyncio

import pytest
from jupyter_client.session import Session
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

from workshop_kit.commands.kernel_activity import execution_state_of, message_types, watch_lightly


def _frames(msg_type: str, content: dict, parent_type: str | None) -> list[bytes]:
    session = Session(key=b"secret")
    parent = session.msg(parent_type, {}) if parent_type else None
    message = session.msg(msg_type, content, parent=parent)
    return session.serialize(message, ident=b"kernel.1.status")


def test_header_frames_give_the_types_and_status() -> None:
    msg_type, parent_type, parts = message_types(_frames("status", {"execution_state": "busy"}, "execute_request"))
    assert (msg_type, parent_type) == ("status", "execute_request")
    assert execution_state_of(parts) == "busy"


def test_a_message_without_parent_has_no_parent_type() -> None:
    msg_type, parent_type, _ = message_types(_frames("comm_msg", {"data": {"x": 1}}, None))
    assert (msg_type, parent_type) == ("comm_msg", None)


def test_frames_without_a_delimiter_are_ignored() -> None:
    assert message_types([b"garbage"]) == (None, None, [])


@pytest.mark.slow
def test_a_real_kernel_is_seen_busy_then_idle() -> None:
    async def run() -> list[str]:
        manager = AsyncMappingKernelManager()
        watch_lightly(manager)
        kernel_id = await manager.start_kernel()
        kernel = manager.get_kernel(kernel_id)
        try:
            client = kernel.client()
            client.start_channels()
            await client.wait_for_ready(timeout=60)
            before = kernel.last_activity
            seen = []
            client.execute("import time; time.sleep(0.5)")
            for _ in range(200):
                await asyncio.sleep(0.02)
                if not seen or seen[-1] != kernel.execution_state:
                    seen.append(kernel.execution_state)
                if seen[-1] == "idle" and "busy" in seen:
                    break
            assert kernel.last_activity > before
            client.stop_channels()
            return seen
        finally:
            await manager.shutdown_kernel(kernel_id, now=True)

    seen = asyncio.run(run())
    assert "busy" in seen and seen[-1] == "idle", seen
