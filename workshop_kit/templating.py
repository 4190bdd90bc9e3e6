"""Every piece of HTML the kit writes comes from here: one Jinja2 set-up, autoescaped.

Pages, cards and widgets render templates kept in ``workshop_kit/templates/`` (or, for a
fragment of a line or two, a string kept beside its code) through :func:`render` and
:func:`render_string`.  Every value a template shows is escaped unless it is markup already
built (``markupsafe.Markup``, another template's output), so a participant's text can never
become markup, and no code builds HTML by hand: ``tests/test_templating.py`` fails on an
f-string holding a tag or a call of ``html.escape``.

One configuration builds every environment, on first use (so that ``import workshop_kit``
does not import Jinja2): the same loader and ``autoescape=True`` for every template (file or
string, whatever its name).  Two spellings of the same escaping are kept, so no page's
markup changed when it moved here:

- :func:`environment` (what :func:`render`, :func:`render_string` and :func:`macros` use):
  the kit's pieces of HTML in notebooks and room pages (cards, widgets, the welcome page).
  Quotes are spelled as Python's ``html.escape`` spells them (``&#x27;``, ``&quot;``), as
  those pieces always were; ``trim_blocks`` and ``lstrip_blocks`` on; ``StrictUndefined``
  (a misspelt name fails instead of showing nothing).
- :func:`page_environment`: the whole pages the kit writes or serves (cohort and programme
  reports, presenter, join page, worksheet) and the grid's SVG.  Quotes keep Jinja2's own
  spelling (``&#39;``, ``&#34;``), as those pages always had.  ``isolating=True`` (the two
  reports) passes every value shown through :func:`workshop_kit.bidi.isolate` first, so it
  keeps its own text direction; ``trim=False`` leaves ``trim_blocks``/``lstrip_blocks`` off
  for a template written without them (the cohort report, the join page); ``strict=True``
  (the worksheet) fails on an undefined name, which the presenter's panel relies on showing
  as nothing.

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


def _finalize(value: Any) -> Any:
    """Every value a kit template shows, escaped (autoescape then leaves the Markup as it is)."""
    return escape(value)


def _build(*, kit: bool, isolating: bool = False, trim: bool = True, strict: bool = True) -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        trim_blocks=trim,
        lstrip_blocks=trim,
        finalize=_finalize if kit else isolate if isolating else None,
    )


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    """The kit's one HTML environment (built on first use)."""
    return _build(kit=True)


@lru_cache(maxsize=None)
def page_environment(*, isolating: bool = False, trim: bool = True, strict: bool = False) -> jinja2.Environment:
    """The same set-up for the kit's whole pages, quotes spelled as Jinja2 does (see the module's note)."""
    return _build(kit=False, isolating=isolating, trim=trim, strict=strict)


def render(template_name: str, **values: Any) -> str:
    """The template ``templates/<template_name>`` rendered with ``values`` (every one escaped)."""
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
    """One ``<style>`` element: the named ``templates/*.css`` files in order, then ``extra`` (the callers pass
    ``workshop_kit.page_css.PAGE_CSS``, the styles every page shares: this module imports no other of the kit's)."""
    css = "".join(stylesheet(name) for name in sheets) + extra
    return str(macros("style.html").style(markup(css)))


def markup(html_text: str) -> Markup:
    """HTML the kit built itself from a template (never a participant's text), marked as safe to include."""
    from markupsafe import Markup

    return Markup(html_text)


__all__ = ["TEMPLATES", "environment", "escape", "macros", "markup", "page_environment", "render", "render_string", "style", "stylesheet"]
