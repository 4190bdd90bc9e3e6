"""Landing on one exercise of a page: scroll it to the top of the window and put the focus on its title.

A link from the welcome page ("Next unanswered exercise: …") opens a section page with
``exercise=<id>`` in its address.  The page's widgets are drawn by the browser some time after
the page arrives, so neither an ``#anchor`` nor a message from the kernel can do the landing:
this small widget (anywidget: a few lines of JavaScript shipped inside the Python package) waits
in the browser until the exercise's box is drawn and has stopped moving, then scrolls to it and
focuses its title, so a keyboard or screen-reader user starts there too (Tab reaches its first
control).  It gives up if the person scrolls or types first: their own choice wins.
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = """
function render({ model, el }) {
  el.className = "wk-landing";
  el.hidden = true;
  let timer = null;
  const stop = () => { clearTimeout(timer); timer = null; };
  const land = () => {
    stop();
    const target = model.get("target");
    if (!target) return;
    let last = null, still = 0, waited = 0;
    const step = () => {
      const box = document.querySelector("." + CSS.escape(target));
      const top = box ? Math.round(box.getBoundingClientRect().top + window.scrollY) : null;
      still = box && top === last ? still + 1 : 0;
      last = top;
      waited += 1;
      if (still < 3 && waited < 600) { timer = setTimeout(step, 100); return; }  // drawn and not moving for 0.3 s (or 60 s gone)
      timer = null;
      if (!box) return;
      const title = box.querySelector(".wk-title") || box;
      if (!title.hasAttribute("tabindex")) title.setAttribute("tabindex", "-1");
      box.style.scrollMarginTop = "1rem";  // a little room above the box
      box.scrollIntoView({ block: "start" });
      title.focus({ preventScroll: true });
    };
    step();
  };
  for (const what of ["wheel", "touchmove", "keydown", "mousedown"]) {
    window.addEventListener(what, () => { if (timer !== null) stop(); }, { passive: true });
  }
  land();
}
export default { render };
"""


class Landing(anywidget.AnyWidget):
    """Invisible: lands the browser on the exercise box with the CSS class ``target`` (see ``base.exercise_class``)
    once, when drawn.  One widget per landing, its target set when it is made: it needs no update from the kernel."""

    _esm = traitlets.Unicode(_ESM).tag(sync=True)
    target = traitlets.Unicode("", help="The CSS class of the exercise box to land on ('' for none).").tag(sync=True)
