"""JupyterLab's file access for self-study, with one change: notebooks open "unchanged".

When a kernel starts, JupyterLab copies the kernel's ``language_info`` (which names the exact
Python version, e.g. 3.11.7) into the open notebook and, if it differs from the file's, marks
the notebook as changed: a newcomer who has typed nothing is asked to save on closing.  The
kit's notebooks cannot carry every computer's Python version, so this contents manager hands
JupyterLab each notebook with the ``language_info`` of the Python it runs (the kernel's own,
from ipykernel).  The file on disk is untouched until the person saves it.
``workshop-kit lab`` selects it with ``--ServerApp.contents_manager_class``.
"""

from __future__ import annotations

import copy
from typing import Any

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager


def kernel_language_info() -> dict[str, Any]:
    """The ``language_info`` this Python's ipykernel reports (what JupyterLab will compare with)."""
    from ipykernel.ipkernel import IPythonKernel

    return copy.deepcopy(dict(IPythonKernel.language_info))


class KitContentsManager(AsyncLargeFileManager):
    """Jupyter Server's default contents manager, giving notebooks this Python's ``language_info``."""

    async def get(self, path: str, content: bool = True, type: str | None = None, format: str | None = None, *args: Any, **kwargs: Any) -> dict[str, Any]:  # noqa: A002 - Jupyter's names
        model = await super().get(path, content, type, format, *args, **kwargs)
        notebook = model.get("content") if model.get("type") == "notebook" else None
        if notebook is not None and notebook.get("metadata", {}).get("kernelspec", {}).get("language", "python") == "python":
            notebook.metadata["language_info"] = kernel_language_info()
        return model
