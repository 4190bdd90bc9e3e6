"""Benchmarks: what participants and facilitators wait for.

Run from the repository root::

    .venv/bin/python -m benchmarks            # everything (about 10 minutes on 2 cores)
    .venv/bin/python -m benchmarks --quick    # smaller sizes, fewer rounds (about 2 minutes)

Each section prints measured figures; nothing here is a test and nothing asserts a time.
See docs/benchmarks.md for the figures recorded on the project's machine.
"""
