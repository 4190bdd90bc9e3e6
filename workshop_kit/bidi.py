"""Keep a participant's text from turning the text around it backwards.

Text in Arabic, Urdu or Hebrew, or text holding Unicode's invisible direction controls
(a right-to-left override makes "evil.exe" read "exe.live"), can reorder whatever is shown
after it on the same line: the next cell of a CSV line, the kit's own words after a name.
:func:`isolate` removes the embedding, override and isolate controls (they are the attack,
and nobody types them by hand) and wraps text that still has right-to-left letters in
Unicode's first-strong isolate (U+2068 … U+2069), so it keeps its own direction and leaves
its neighbours alone.  Every view applies it to participant text: HTML, Markdown, XLSX, CSV.
Text with no right-to-left letters and no controls is returned unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

FSI, PDI = "\u2068", "\u2069"
# LRE RLE PDF LRO RLO, LRI RLI FSI PDI: they open or close a direction run and can leak past the text
_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def isolate(value: Any) -> Any:
    """Text made safe to show beside other text (see the module's note); anything else unchanged."""
    if not isinstance(value, str) or hasattr(value, "__html__"):
        return value  # not text, or markup already built (a Jinja2 macro's output) from isolated parts
    text = _CONTROLS.sub("", value)
    if text != value or any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return f"{FSI}{text}{PDI}" if text else text
    return value
