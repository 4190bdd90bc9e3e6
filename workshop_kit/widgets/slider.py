"""A slider the browser draws itself: a labelled ``<input type="range">``.

ipywidgets' ``IntSlider`` is drawn by noUiSlider, whose handle (``role="slider"``) gets no
accessible name, so a screen reader announces an unnamed slider (axe-core:
``aria-input-field-name``), and its fixed-size track does not shrink on a phone.  The
browser's own range input has none of that: it is named by its ``<label>``, moved with the
arrow keys, Page Up/Down, Home and End, announced with its value, and as wide as its column.
It is built with anywidget (a few lines of JavaScript shipped inside the Python package; no
build step) and keeps ``IntSlider``'s traits, so :func:`workshop_kit.widgets.base.number_box`
and ``traitlets.link`` work as before.
"""

from __future__ import annotations

import anywidget
import traitlets

from .. import templating

_ESM = """
function render({ model, el }) {
  const label = document.createElement("label");
  label.className = "wk-range-label";
  const text = document.createElement("span");
  text.className = "wk-range-text";
  const input = document.createElement("input");
  input.type = "range";
  input.className = "wk-range";
  label.append(text, input);
  el.append(label);
  const show = () => {
    text.textContent = model.get("description");
    const width = model.get("description_width");
    text.classList.toggle("wk-range-text-fixed", Boolean(width) && width !== "initial");
    text.style.flexBasis = text.classList.contains("wk-range-text-fixed") ? width : "";
    text.hidden = !model.get("description");
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = 1;
    input.value = model.get("value");
    input.setAttribute("aria-valuetext", model.get("value_text") || String(model.get("value")));
    input.disabled = model.get("disabled");
  };
  show();
  // "change" fires once per key press and when a dragged thumb is let go (IntSlider's continuous_update=False)
  input.addEventListener("change", () => {
    model.set("value", Number(input.value));
    model.save_changes();
  });
  // in JupyterLab the notebook would take the arrow keys for its own shortcuts: they are the slider's
  input.setAttribute("data-lm-suppress-shortcuts", "true");
  input.addEventListener("keydown", (event) => event.stopPropagation());
  model.on("change", show);
}
export default { render };
"""

_CSS = templating.stylesheet("slider.css")


class RangeSlider(anywidget.AnyWidget):
    """An integer slider with a visible label that names it for assistive technology."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    _css = traitlets.Unicode(_CSS).tag(sync=True)
    value = traitlets.Int(0, help="The chosen number.").tag(sync=True)
    min = traitlets.Int(0, help="The lowest number.").tag(sync=True)
    max = traitlets.Int(10, help="The highest number.").tag(sync=True)
    description = traitlets.Unicode("", help="The label shown before the slider; also its accessible name.").tag(sync=True)
    description_width = traitlets.Unicode("", help="The label's width, as IntSlider's style; lines the label up with the boxes' labels.").tag(sync=True)
    value_text = traitlets.Unicode("", help="What a screen reader says for the value (default: the number).").tag(sync=True)
    disabled = traitlets.Bool(False, help="Whether the slider is greyed out.").tag(sync=True)
    readout = traitlets.Bool(False, help="Kept for IntSlider's interface; the number box beside it shows the value.")

    def __init__(self, **kwargs):
        style = kwargs.pop("style", None) or {}
        kwargs.setdefault("description_width", style.get("description_width", "") if isinstance(style, dict) else "")
        kwargs.pop("continuous_update", None)
        value = kwargs.pop("value", None)  # set once min and max are, or it is clamped to the defaults
        super().__init__(**kwargs)
        if value is not None:
            self.value = value

    @traitlets.validate("value")
    def _clamp(self, proposal: traitlets.Bunch) -> int:
        return min(max(int(proposal["value"]), self.min), self.max)
