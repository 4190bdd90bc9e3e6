"""Fewer widget models per page: widgets left with the default layout or style share one.

Every ipywidgets control comes with its own ``Layout`` model and, for most kinds, its own
style model, even when it keeps every default.  A section of the room holds about 300 models,
and more than a third of them are such empty defaults, each sent to the browser (about 1 KB
apiece) when the page opens.  ipywidgets lets widgets share a layout or style, so in the room's
kernels a widget that is given none shares one default model per kind.  A widget that changes
its own layout later (hiding a button, say) must be given its own ``Layout`` when it is made;
the kit's widgets do.
"""

from __future__ import annotations

import weakref
from typing import Any

import ipywidgets as widgets

_shared: dict[int, Any] = {}


def _dom_widget_classes() -> list[type[Any]]:
    found: list[type[Any]] = []
    todo = [widgets.DOMWidget]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def share_default_models() -> int:
    """From now on in this process, widgets made without a layout or style share a default one; returns how many traits changed."""
    changed = 0
    for cls in _dom_widget_classes():
        for name in ("layout", "style"):
            trait = cls.class_traits().get(name)
            if not isinstance(trait, widgets.trait_types.InstanceDict) or getattr(trait, "_wk_shared", False):
                continue
            trait.make_dynamic_default = lambda trait=trait: _shared_default(trait)
            trait._wk_shared = True
            changed += 1
    return changed


def _shared_default(trait: Any) -> Any:
    key = id(trait)
    if key not in _shared:
        _shared[key] = trait.klass()
    return _shared[key]


def answer_state_requests_in_one_pass() -> bool:
    """From now on in this process, a page's request for every widget's state serialises each widget once at most.

    ipywidgets 8 answers the browser's ``request_states`` (what Voilà's page asks as it opens) by
    first calling ``Widget.get_manager_state()``, whose result it drops, and then serialising every
    widget again for the reply: in a room's kernel, with a section of about 200 models, the first
    pass is about a fifth of what opening a page costs.  Here the reply is built in one pass.

    Each widget's state is kept once serialised, until one of its traits changes (every change passes
    through ``Widget.notify_change``), so a page built before its request (:func:`prime_states`) serialises
    only the widgets that changed since when the browser asks.  A ``Layout``'s state leaves out the
    properties it does not set, as ipywidgets' own embedding does: the browser's layout model has the same
    defaults (every property unset), and the page's ~65 layouts made up a third of the reply.
    Returns False, changing nothing, where ipywidgets has no such handler (another major version)."""
    from ipywidgets.widgets import widget as widget_module

    original = getattr(widget_module.Widget, "_handle_control_comm_msg", None)
    if original is None or getattr(original, "_wk_one_pass", False) or not hasattr(widget_module, "_instances"):
        return False
    notify_change = widget_module.Widget.notify_change

    def forget_state(self: Any, change: Any) -> None:
        _states.pop(self, None)
        notify_change(self, change)

    def handle(cls: Any, msg: dict[str, Any]) -> None:
        if cls._control_comm is None or msg["content"]["data"].get("method") != "request_states":
            return original.__func__(cls, msg)  # errors and any other method: as ipywidgets has it
        states = {
            widget.model_id: {
                "model_name": widget._model_name,
                "model_module": widget._model_module,
                "model_module_version": widget._model_module_version,
                "state": _state_of(widget),
            }
            for widget in list(widget_module._instances.values())
        }
        states, buffer_paths, buffers = widget_module._remove_buffers(states)  # copies what it changes: the kept states stay whole
        cls._control_comm.send(dict(method="update_states", states=states, buffer_paths=buffer_paths), buffers=buffers)
        return None

    handle._wk_one_pass = True  # type: ignore[attr-defined]
    widget_module.Widget.notify_change = forget_state
    widget_module.Widget._handle_control_comm_msg = classmethod(handle)
    return True


_states: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()  # widget -> its state, until it changes


def _state_of(widget: Any) -> dict[str, Any]:
    state = _states.get(widget)
    if state is None:
        state = _states[widget] = widget.get_state(drop_defaults=isinstance(widget, widgets.Layout))
    return state


def prime_states() -> int:
    """Serialise now, before anyone asks, the state of every widget this process has (see
    :func:`answer_state_requests_in_one_pass`); returns how many."""
    from ipywidgets.widgets import widget as widget_module

    for widget in list(widget_module._instances.values()):
        _state_of(widget)
    return len(_states)
