"""The paper worksheet: every exercise of the catalogue on A4, grey-safe, escaped, made by one command."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from workshop_kit.catalogue.model import load_catalogue
from workshop_kit.commands.cli import main
from workshop_kit.views.worksheet import WorksheetError, find_browser, worksheet_html, write_worksheet

CATALOGUE = load_catalogue()


def text_of(page: str) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    body = page.split("</style>", 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


class TestContent:
    def test_every_exercise_is_on_paper(self):
        """Each exercise's title, prompt and help, and each option of a pick, appear on the worksheet."""
        shown = text_of(worksheet_html(CATALOGUE))
        missing = []
        for ex in CATALOGUE.exercises:
            for words in (ex.title, ex.prompt, ex.help, *getattr(ex, "options", ()), *(f.label for f in getattr(ex, "fields", ()))):  # a pick's options, a grid's or log's fields
                if words and " ".join(words.split()) not in shown:
                    missing.append((ex.id, words))
        assert missing == []

    def test_sections_start_new_pages_and_private_ones_are_marked(self):
        """Each section starts a page, and exactly the sensitive exercises carry the Private mark."""
        page = worksheet_html(CATALOGUE)
        assert page.count('<div class="section">') == len(CATALOGUE.sections)
        assert page.count('<span class="private">Private</span>') == sum(e.sensitive for e in CATALOGUE.exercises)

    def test_a4_and_grey_only(self):
        """The page asks for A4, and every colour it uses is a grey (equal red, green and blue)."""
        page = worksheet_html(CATALOGUE)
        assert "size: A4" in page
        colours = re.findall(r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", page)
        assert colours
        for c in colours:
            full = c if len(c) == 6 else "".join(ch * 2 for ch in c)
            assert full[0:2] == full[2:4] == full[4:6], f"#{c} is not a grey"

    def test_credits_the_chapter_and_both_authors(self):
        """The worksheet credits the chapter and both authors."""
        shown = text_of(worksheet_html(CATALOGUE))
        for words in ("Becoming a successful leader", "Health CIO Handbook", "Owen Powell", "Gareth Baxendale"):
            assert words in shown

    def test_edited_prompt_is_escaped(self, tmp_path):
        """A facilitator's reworded prompt holding markup is shown as text, never run."""
        source = Path(CATALOGUE.path).read_text(encoding="utf-8")
        prompt = CATALOGUE.exercise("brand.attributes").prompt
        edited = tmp_path / "edited.toml"
        edited.write_text(source.replace(prompt, "Pick three <script>alert(1)</script> qualities"), encoding="utf-8")
        page = worksheet_html(load_catalogue(edited))
        assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


class TestWriting:
    def test_html_path_writes_the_page(self, tmp_path):
        """A .html path gets the page and no PDF."""
        written = write_worksheet(tmp_path / "sheet.html")
        assert written.pdf is None and written.html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")

    def test_no_browser_is_a_plain_error_and_keeps_the_html(self, tmp_path, monkeypatch):
        """Without a browser for the PDF, the error says so in words and the web page is still written."""
        monkeypatch.setenv("WORKSHOP_KIT_BROWSER", str(tmp_path / "no-such-browser"))
        with pytest.raises(WorksheetError, match="no Chrome, Chromium or Edge was found"):
            write_worksheet(tmp_path / "sheet.pdf")
        assert (tmp_path / "sheet.html").exists()

    def test_unwritable_folder_is_a_plain_error(self, tmp_path):
        """A folder that cannot be made is named in a plain error."""
        blocker = tmp_path / "file"
        blocker.write_text("x")
        with pytest.raises(WorksheetError, match="could not be written"):
            write_worksheet(blocker / "sheet.html")

    def test_command_writes_html(self, tmp_path, capsys):
        """`workshop-kit worksheet --out X.html` writes the page and says where."""
        assert main(["worksheet", "--out", str(tmp_path / "w.html")]) == 0
        assert "Wrote the worksheet to" in capsys.readouterr().out

    @pytest.mark.browser
    @pytest.mark.skipif(find_browser() is None or shutil.which("pdfinfo") is None, reason="needs Chromium and pdfinfo")
    def test_command_makes_an_a4_pdf(self, tmp_path, capsys):
        """`workshop-kit worksheet --out X.pdf` prints a real A4 PDF, at least a page per section."""
        out = tmp_path / "worksheet.pdf"
        assert main(["worksheet", "--out", str(out)]) == 0
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        assert "(A4)" in info
        pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        assert pages >= len(CATALOGUE.sections) + 1
