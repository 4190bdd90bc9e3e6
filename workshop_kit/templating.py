"""Every piece of HTML the kit writes comes from here: one Jinja2 set-up, autoescaped.

Pages, cards and widgets render templates kept in ``workshop_kit/templates/`` (or, for a
fragment of a line or two, a string kept beside its code) through :func:`render` and
:func:`render_string`.  Every value a template shows is escaped unless it is markup already
built (``markupsafe.Markup``, another template's output), so a participant's text can never
become markup, and no code builds HTML by hand: ``tests/test_templating.py`` fails on an
f-string holding a tag or a call of ``html.escape``.

One environment, built on first use (so that ``import workshop_kit`` does not import Jinja2), renders
every template (file or string, whatever its name): the kit's pieces of HTML in notebooks and room pages
(cards, widgets, the welcome page), the whole pages it writes or serves (cohort and programme reports,
plan, worksheet, presenter, join page) and the grid's SVG.  Its settings:

- ``autoescape=True``, and every value shown goes through :func:`escape`, which spells quotes as
  Python's ``html.escape`` does (``&#x27;``, ``&quot;``) on every page and piece alike;
- ``trim_blocks`` and ``lstrip_blocks`` on;
- ``StrictUndefined``: a misspelt name fails instead of showing nothing (a template that may lack a
  value says so, with ``is defined`` or ``default``);
- a page rendered with ``isolating=True`` (:func:`render`: the two reports and the plan) passes every
  value shown through :func:`workshop_kit.bidi.isolate` first, so it keeps its own text direction.

One palette: ``templates/palette.css`` holds the kit's colours and fonts as CSS custom properties
(``--nhs-blue``…), and every other stylesheet names them.  :func:`style` puts it first in every
``<style>`` it makes (the widgets' and the room's), and ``templates/page.html``, the head every
standalone page extends, puts it inline in the page (a report saved on its own still has its colours
offline).  Templates read a stylesheet with the global ``stylesheet(name)``.

The Markdown files of the IG pack are not HTML and are not escaped: ``commands/igpack.py``
keeps its own environment for them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .bidi import isolate

if TYPE_CHECKING:  # pragma: no cover
    import jinja2
    from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"


def escape(value: Any) -> Markup:
    """``value`` as HTML text, escaped as the kit's pages spell it (markup already built is kept as it is)."""
    from markupsafe import Markup
    from markupsafe import escape as jinja_escape

    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(str(jinja_escape(value)).replace("&#39;", "&#x27;").replace("&#34;", "&quot;"))


_ISOLATING = "_wk_isolating"  # set in a page's context by render(..., isolating=True); read by _finalize


def _finalize(context: Any, value: Any) -> Any:
    """Every value a template shows, escaped (autoescape then leaves the Markup as it is), and isolated on an isolating page."""
    if context.get(_ISOLATING):
        value = isolate(value)
    return escape(value)


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The kit's one HTML environment (built on first use)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=jinja2.pass_context(_finalize),
    )
    env.globals["stylesheet"] = lambda name: markup(stylesheet(name))
    env.globals["colour"] = colour  # a colour of the palette by name, for the SVG templates
    return env


def render(template_name: str, *, isolating: bool = False, **values: Any) -> str:
    """The template ``templates/<template_name>`` rendered with ``values`` (every one escaped; with ``isolating``,
    every one shown also keeps its own text direction, :func:`workshop_kit.bidi.isolate`)."""
    if isolating:
        values[_ISOLATING] = True
    return environment().get_template(template_name).render(**values)


def macros(template_name: str) -> Any:
    """The macros of ``templates/<template_name>``, as attributes; each returns escaped markup (``str(...)`` it for plain text)."""
    return environment().get_template(template_name).module


@lru_cache(maxsize=256)
def _compiled(source: str) -> Any:
    return environment().from_string(source)


def render_string(source: str, **values: Any) -> str:
    """A short template kept beside its code, rendered like :func:`render` (compiled once)."""
    return _compiled(source).render(**values)


@lru_cache(maxsize=None)
def stylesheet(name: str) -> str:
    """The text of ``templates/<name>`` (a ``.css`` file), read once."""
    return (TEMPLATES / name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def style(*sheets: str, extra: str = "") -> str:
    """One ``<style>`` element: the palette, the named ``templates/*.css`` files in order, then ``extra`` (the callers pass
    ``workshop_kit.page_css.PAGE_CSS``, the styles every page shares: this module imports no other of the kit's)."""
    css = "".join(stylesheet(name) for name in ("palette.css", *sheets)) + extra
    return str(macros("style.html").style(markup(css)))


@lru_cache(maxsize=None)
def palette() -> dict[str, str]:
    """The colours of ``templates/palette.css`` by name (``"nhs-blue"``), as hex, for what is drawn in Python."""
    import re

    css = re.sub(r"/\*.*?\*/", "", stylesheet("palette.css"), flags=re.S)
    return {name: value.strip() for name, value in re.findall(r"--([a-z0-9-]+)\s*:\s*([^;]+);", css) if value.strip().startswith("#")}


def colour(name: str) -> str:
    """One colour of the palette by its name (``colour("nhs-blue")``); KeyError for a name it does not have."""
    return palette()[name]


def markup(html_text: str) -> Markup:
    """HTML the kit built itself from a template (never a participant's text), marked as safe to include."""
    from markupsafe import Markup

    return Markup(html_text)


__all__ = ["TEMPLATES", "colour", "environment", "escape", "macros", "markup", "palette", "render", "render_string", "style", "stylesheet"]
