"""All HTML through Jinja2 with autoescape (workshop_kit/templating.py): no module builds it by hand.

A page put together with f-strings needs an ``html.escape`` call at every place a value goes
in, and one forgotten call is an injection.  Every piece of HTML is rendered from a template
through the one shared environment instead, which escapes every value unless it is markup
already built.  The scan below fails on an f-string (or ``str.format`` / ``%`` on a string)
whose literal text holds a tag, and on any use of ``html.escape``.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from workshop_kit import templating
from workshop_kit.bidi import FSI, PDI

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workshop_kit"
TAG = re.compile(r"<[A-Za-z/!]")  # "<b", "</p", "<!DOCTYPE": markup, not a "<" comparison in script text
SCRIPT = "<script>alert(1)</script>"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(v) for v in node.values)
    return ""


def hand_built_html(source: str, filename: str = "<source>") -> list[str]:
    """Where ``source`` builds HTML by hand: line and what was found."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        where = f"{filename}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.JoinedStr) and TAG.search(_literal_text(node)):
            found.append(f"{where}: f-string HTML {_literal_text(node)[:60]!r}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            if func.attr == "escape" and isinstance(func.value, ast.Name) and func.value.id == "html":
                found.append(f"{where}: html.escape")
            elif func.attr == "format" and TAG.search(_literal_text(func.value)):
                found.append(f"{where}: str.format HTML")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and TAG.search(_literal_text(node.left)):
            found.append(f"{where}: %-format HTML")
        elif isinstance(node, ast.ImportFrom) and node.module == "html" and any(a.name == "escape" for a in node.names):
            found.append(f"{where}: from html import escape")
    return found


def test_the_scan_finds_hand_built_html():
    """The scan itself: each way of building HTML by hand is found, and ordinary code is not."""
    bad = '''
import html
from html import escape
a = f"<p>{name}</p>"
b = f'Cohort <b>{html.escape(c)}</b>'
c = "<li>{}</li>".format(x)
d = "<td>%s</td>" % x
'''
    found = hand_built_html(bad)
    assert len(found) == 6, found  # a, b (its f-string and its html.escape), c, d and the import
    fine = '''
msg = f"{n} of {limit} characters"
js = f"if (still < 3 && waited < {limit}) step();"
compile(code, "<section>", "eval")
'''
    assert hand_built_html(fine) == []


def test_no_module_builds_html_by_hand():
    """No f-string HTML and no html.escape anywhere under workshop_kit/."""
    found = [hit for path in _modules() for hit in hand_built_html(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())]
    assert found == [], "build HTML from a template (workshop_kit/templating.py), not by hand:\n" + "\n".join(found)


class TestSharedEnvironment:
    def test_one_environment_autoescapes_every_template(self):
        import jinja2

        env = templating.environment()
        assert env is templating.environment()  # one environment, built once
        assert env.autoescape is True  # every template, whatever its name, and every string
        assert env.trim_blocks and env.lstrip_blocks and env.undefined is jinja2.StrictUndefined
        assert Path(env.loader.searchpath[0]) == templating.TEMPLATES == PACKAGE / "templates"

    def test_a_string_template_escapes(self):
        page = templating.render_string("<p>{{ x }}</p><a title=\"{{ x }}\">{{ y }}</a>", x=SCRIPT, y="O'Neil \"& co\"")
        assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "O&#x27;Neil &quot;&amp; co&quot;" in page  # quotes as html.escape spells them, as the kit's pages always had

    def test_a_file_template_escapes(self):
        alert = str(templating.macros("messages.html").alert(SCRIPT))
        assert alert == '<p role="alert">&lt;script&gt;alert(1)&lt;/script&gt;</p>'
        card = str(templating.macros("dashboard.html").card("x", "Text", SCRIPT, 1, 2, None, "<img src=x onerror=alert(1)>", [], None))
        assert "<script" not in card and "<img" not in card and "&lt;img src=x onerror=alert(1)&gt;" in card

    def test_markup_already_built_is_kept(self):
        inner = templating.macros("messages.html").status("a & b")
        page = templating.render_string("<div>{{ inner }}{{ raw }}</div>", inner=inner, raw="<i>x</i>")
        assert page == '<div><p role="status">a &amp; b</p>&lt;i&gt;x&lt;/i&gt;</div>'

    def test_pages_render_in_the_same_environment(self):
        """The whole pages (reports, plan, worksheet, presenter, join page) render in the one environment, quotes spelled alike."""
        assert not hasattr(templating, "page_environment")  # one environment, one name
        page = templating.render("join.html", cohort="O'Neil", problem="", error="", name=SCRIPT, xsrf_token="t")
        assert "<title>Join the workshop: O&#x27;Neil</title>" in page and "<script" not in page
        assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page

    def test_an_isolating_page(self):
        """A page rendered with isolating=True keeps each value's own direction; the same template without it does not."""
        isolated = templating.render("join.html", isolating=True, cohort="مرحبا", problem="", error="", name="", xsrf_token="t")
        assert f"<strong>{FSI}مرحبا{PDI}</strong>" in isolated
        plain = templating.render("join.html", cohort="مرحبا", problem="", error="", name="", xsrf_token="t")
        assert "<strong>مرحبا</strong>" in plain and FSI not in plain

    def test_every_standalone_page_extends_the_one_head(self):
        """The pages of their own write no head of their own: each extends page.html (charset, viewport, lang, title)."""
        for name in ("report.html", "programme.html", "worksheet.html", "plan_page.html", "join.html", "presenter.html"):
            source = (templating.TEMPLATES / name).read_text(encoding="utf-8")
            assert '{% extends "page.html" %}' in source and not re.search(r"<head[\s>]|<!DOCTYPE|<html", source, re.I), name
        head = (templating.TEMPLATES / "page.html").read_text(encoding="utf-8")
        assert '<html lang="en-GB">' in head and '<meta charset="utf-8">' in head and 'name="viewport"' in head and "<title>" in head

    def test_a_colour_is_written_once(self):
        """Every NHS colour is written in templates/palette.css alone; each stylesheet and page names it (var(--nhs-blue))."""
        colour = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b")
        written = [
            f"{path.name}: {hit}"
            for path in sorted(templating.TEMPLATES.iterdir())
            if path.suffix in (".css", ".html", ".svg") and path.name not in ("palette.css", "worksheet.css")  # the worksheet: greys of its own, no palette
            for hit in colour.findall(path.read_text(encoding="utf-8"))
        ]
        assert written == [], "name the colour from templates/palette.css instead:\n" + "\n".join(written)
        palette = templating.stylesheet("palette.css")
        values = colour.findall(palette)
        assert "#005eb8" in values and len(values) == len(set(v.casefold() for v in values))  # each colour once

    def test_what_python_draws_takes_its_colours_from_the_palette(self):
        """The charts, the programme's charts and the grid's markers name their colours from templates/palette.css
        (templating.colour); no colour is written in the package's Python (the QR code's pure black and white aside)."""
        from workshop_kit.views import charts, programme
        from workshop_kit.widgets import grid

        palette = templating.palette()
        assert templating.colour("nhs-blue") == "#005eb8" and palette["nhs-black"] == "#212b32"
        assert {charts.BLUE, charts.ORANGE, charts.GREY, charts.INK, *programme.PALETTE, *grid.COLOURS} <= set(palette.values())
        assert len(set(programme.PALETTE)) == len(programme.PALETTE) and len(set(grid.COLOURS)) == len(grid.COLOURS)
        with pytest.raises(KeyError):
            templating.colour("nhs-not-a-colour")
        colour = re.compile(r"#[0-9a-fA-F]{6}\b")
        package = templating.TEMPLATES.parent
        written = [f"{path.relative_to(package)}: {hit}" for path in sorted(package.rglob("*.py")) for hit in colour.findall(path.read_text(encoding="utf-8"))]
        assert written == [], "name the colour from templates/palette.css (templating.colour) instead:\n" + "\n".join(written)

    def test_every_style_starts_with_the_palette(self):
        """A widget's <style> carries the palette its stylesheet names, so it has its colours wherever it is shown."""
        element = templating.style("room.css")
        assert element.startswith("<style>") and "--nhs-blue: #005eb8" in element
        assert element.index("--nhs-blue:") < element.index(".wk-room-links")

    def test_a_misspelt_name_fails(self):
        import jinja2

        try:
            templating.environment().from_string("<p>{{ titel }}</p>").render(title="x")
        except jinja2.UndefinedError:
            return
        raise AssertionError("an undefined name was shown as nothing")

    def test_templating_is_a_leaf(self):
        """templating.py imports only Jinja2, MarkupSafe and workshop_kit.bidi (and the standard library)."""
        tree = ast.parse((PACKAGE / "templating.py").read_text(encoding="utf-8"))
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add("." * node.level + (node.module or ""))
        assert imported <= {"__future__", "functools", "pathlib", "re", "typing", "jinja2", "markupsafe", ".bidi"}, imported

    def test_import_stays_quick(self):
        """Importing the kit (and this module) does not import Jinja2: the environment is built on first use."""
        code = "import sys, workshop_kit, workshop_kit.templating; print('jinja2' in sys.modules)"
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "False"
