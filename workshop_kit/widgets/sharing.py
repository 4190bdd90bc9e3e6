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
