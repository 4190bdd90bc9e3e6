"""The development plan as documents for an appraisal: Word (python-docx) and PDF (fpdf2).

Both follow the shape of an NHS personal development plan (PDP): the person and the
period, three to five objectives (what, how, support needed, by when, how they will
know), development needs, commitments with dates, where they are heading, a review box
for the appraisal conversation, and the chapter credited.  :func:`pdp_parts` lays the plan
out once as plain parts; :func:`plan_docx` and :func:`plan_pdf` draw those parts.

Everything the participant typed goes in as text runs only (no fields, links or markup),
after :func:`document_text` has replaced anything a document cannot hold (control
characters, lone surrogates) with "�", so hostile text stays text.  The PDF uses the
DejaVu Sans font that ships with matplotlib, so it needs nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .plan import Block, Plan

NOT_SET = "not set"
REVIEW_ROWS = ("Discussed with", "Date of the discussion", "Support agreed", "Next review")
# XML 1.0 cannot hold these (C0 controls but tab and newline, lone surrogates, U+FFFE/U+FFFF); C1 controls are never wanted
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
NAVY, GREY = (0, 48, 135), (76, 98, 114)  # NHS dark blue; NHS mid grey for notes


def document_text(value: object) -> str:
    """Text a DOCX or PDF can hold: line endings made "\\n", unprintable characters shown as "�"."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _UNPRINTABLE.sub("\ufffd", text)


CREDIT = (
    'Made with workshop-kit, a workshop based on "Becoming a successful leader" '
    "(Health CIO Handbook, chapter 4) by Owen Powell and Gareth Baxendale."
)

FEWER_THAN_THREE = "A development plan usually has three to five objectives: add more in notebook 11 (press “Draft from my answers” to start)."


def room_words(room: float) -> str:
    """Room to grow in words, from a share of the scale."""
    if room <= 0:
        return "no room to grow shown"
    return f"room to grow: {round(room * 100)}% of the scale"


@dataclass(frozen=True)
class Part:
    """One piece of the document: a heading, a paragraph, a note, bullets, or a table of text."""

    kind: str  # "title", "h1", "h2", "p", "note", "bullets", "pairs" (label | value rows) or "table"
    text: str = ""
    items: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = field(default=())


def pdp_parts(plan: Plan) -> list[Part]:
    """The plan laid out as a personal development plan, as plain parts (every text run through :func:`document_text`)."""
    until = _a_year_on(plan.made_on)
    parts = [
        Part("title", "Personal development plan"),
        Part(
            "pairs",
            rows=(
                ("Name", plan.name),
                ("Cohort", plan.cohort),
                ("Plan made on", plan.made_on_text),
                ("Period", f"{plan.made_on_text} to {until.day} {until:%B %Y}"),
                ("Workshop exercises answered", f"{plan.answered} of {plan.total}"),
            ),
        ),
        Part("note", CREDIT),
        Part("h1", "1. My development objectives"),
    ]
    if plan.objectives:
        parts.append(Part("p", "What I will achieve in the year ahead, written from my answers in the workshop."))
    for n, objective in enumerate(plan.objectives, start=1):
        parts += [Part("h2", f"Objective {n}"), Part("pairs", rows=objective.rows())]
    if len(plan.objectives) < 3:
        parts.append(Part("note", FEWER_THAN_THREE))
    parts.append(Part("h1", "2. My development needs"))
    parts.append(Part("bullets", items=plan.needs) if plan.needs else Part("note", "not answered yet — see notebook 07"))
    if plan.focus:
        rooms = "; ".join(f"{d.dimension} ({room_words(d.room)})" for d in plan.focus)
        parts.append(Part("p", f"Where my own scale answers show the most room to grow on the Healthcare Leadership Model: {rooms}."))
    parts.append(Part("p", plan.model_step))
    parts.append(Part("h1", "3. My commitments"))
    if plan.commitments:
        rows = tuple((c.what, c.for_whom, c.due_text, c.status) for c in plan.commitments)
        parts.append(Part("table", headers=("Commitment", "For", "Due", "Status"), rows=rows))
    else:
        parts.append(Part("note", "No commitments saved yet — see notebooks 05 and 10"))
    parts.append(Part("h1", "4. Where I am heading"))
    for highlight in plan.highlights:
        if highlight.role in ("commitments", "needs"):
            continue  # sections 2 and 3 above
        parts.append(Part("h2", highlight.label))
        parts += _block_parts(highlight.blocks) if highlight.answered else [Part("note", highlight.missing_note)]
    parts += [
        Part("h1", "5. Review"),
        Part("p", "For the appraisal or supervision conversation."),
        Part("pairs", rows=tuple((label, "") for label in REVIEW_ROWS)),
        Part("note", f"Made with workshop-kit {plan.kit_version}."),
    ]
    return [_clean(part) for part in parts]


def _a_year_on(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _block_parts(blocks: tuple[Block, ...]) -> list[Part]:
    out = []
    for block in blocks:
        if block.kind == "text":
            out.append(Part("p", block.text))
        elif block.kind == "list":
            out.append(Part("bullets", items=block.items))
        else:
            out.append(Part("table", headers=block.headers, rows=block.rows))
    return out


def _clean(part: Part) -> Part:
    return Part(
        part.kind,
        document_text(part.text),
        tuple(document_text(i) for i in part.items),
        tuple(document_text(h) for h in part.headers),
        tuple(tuple(document_text(c) for c in row) for row in part.rows),
    )


# --- Word ----------------------------------------------------------------------------------------


def plan_docx(plan: Plan) -> bytes:
    """The plan as a Word document (.docx), laid out as a personal development plan."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Cm, Pt, RGBColor

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        document.styles[name].font.name = "Arial"
        document.styles[name].font.color.rgb = RGBColor(*NAVY)
    properties = document.core_properties
    properties.title = document_text(f"Personal development plan: {plan.name}")
    properties.author, properties.comments = "", ""
    section.footer.paragraphs[0].text = document_text(f"Personal development plan: {plan.name} · {plan.made_on_text}")

    for part in pdp_parts(plan):
        if part.kind == "title":
            document.add_heading(part.text, level=0)
        elif part.kind in ("h1", "h2"):
            document.add_heading(part.text, level=1 if part.kind == "h1" else 2)
        elif part.kind == "p":
            document.add_paragraph(part.text).paragraph_format.keep_with_next = True
        elif part.kind == "note":
            run = document.add_paragraph().add_run(part.text)
            run.italic, run.font.color.rgb = True, RGBColor(*GREY)
        elif part.kind == "bullets":
            for item in part.items:
                document.add_paragraph(item, style="List Bullet")
        else:
            pairs = part.kind == "pairs"
            table = document.add_table(rows=0, cols=2 if pairs else len(part.headers), style="Table Grid")
            table.alignment = WD_TABLE_ALIGNMENT.LEFT
            if not pairs:
                _docx_row(table, part.headers, bold=True)
            for row in part.rows:
                cells = _docx_row(table, row, bold=False)
                if pairs:
                    cells[0].paragraphs[0].runs[0].bold = True
                    if not row[1]:
                        cells[1].paragraphs[0].add_run("\n")  # room to write in the review box
            for row in table.rows[:-1]:  # a short table stays on one page, with its heading
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        paragraph.paragraph_format.keep_with_next = True
            widths = (Cm(5), Cm(12)) if pairs else [Cm(17 / len(part.headers))] * len(part.headers)
            table.autofit = False
            for column, width in zip(table.columns, widths):
                column.width = width  # the grid (LibreOffice reads this) and each cell (Word reads that)
                for cell in column.cells:
                    cell.width = width
            document.add_paragraph()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_row(table, values, *, bold: bool):  # noqa: ANN001, ANN202 - python-docx types
    cells = table.add_row().cells
    for cell, value in zip(cells, values):
        run = cell.paragraphs[0].add_run(value)
        run.bold = bold
    return cells


# --- PDF -----------------------------------------------------------------------------------------


def _fonts() -> dict[str, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf", "I": folder / "DejaVuSans-Oblique.ttf"}


def plan_pdf(plan: Plan) -> bytes:
    """The plan as a PDF (A4), laid out as a personal development plan; made offline with fpdf2."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    footer_text = document_text(f"Personal development plan: {plan.name} · {plan.made_on_text}")

    class _Document(FPDF):
        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(*GREY)
            self.cell(0, 6, f"{footer_text} · page {self.page_no()} of {{nb}}", align="C")

    pdf = _Document(format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=20)
    for style, path in _fonts().items():
        pdf.add_font("DejaVu", style, str(path))
    pdf.set_title(document_text(f"Personal development plan: {plan.name}"))
    pdf.set_lang("en-GB")
    pdf.set_creator(f"workshop-kit {plan.kit_version}")
    pdf.add_page()
    width = pdf.epw
    bold = FontFace(emphasis="BOLD")

    def write(text: str, size: float, style: str = "", colour: tuple[int, int, int] = (33, 43, 50), gap: float = 2, indent: float = 0) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*colour)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(width - indent, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    for part in pdp_parts(plan):
        if part.kind == "title":
            write(part.text, 20, "B", NAVY, gap=4)
        elif part.kind == "h1":
            if pdf.get_y() > pdf.h - 60:
                pdf.add_page()  # never a heading alone at the foot of a page
            pdf.ln(3)
            write(part.text, 14, "B", NAVY, gap=1)
            pdf.set_draw_color(*NAVY)
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
            pdf.ln(3)
        elif part.kind == "h2":
            if pdf.get_y() > pdf.h - 80:  # an objective's table (about 55 mm) stays with its heading
                pdf.add_page()
            write(part.text, 11.5, "B", NAVY, gap=1)
        elif part.kind == "p":
            write(part.text, 10)
        elif part.kind == "note":
            write(part.text, 9, "I", GREY)
        elif part.kind == "bullets":
            for item in part.items:
                write(f"•  {item}", 10, gap=1, indent=4)
            pdf.ln(1)
        else:
            pairs = part.kind == "pairs"
            pdf.set_font("DejaVu", "", 9.5)
            pdf.set_text_color(33, 43, 50)
            pdf.set_draw_color(174, 183, 189)
            columns = (0.3, 0.7) if pairs else None
            with pdf.table(
                col_widths=columns,
                width=width,
                first_row_as_headings=not pairs,
                headings_style=FontFace(emphasis="BOLD", fill_color=(232, 237, 238)),
                text_align="LEFT",
                line_height=5,
                padding=1.5,
            ) as table:
                if not pairs:
                    heading = table.row()
                    for header in part.headers:
                        heading.cell(header)
                for values in part.rows:
                    row = table.row()
                    for i, value in enumerate(values):
                        row.cell(value if value or not pairs else "\n\n", style=bold if pairs and i == 0 else None)
            pdf.ln(4)
    return bytes(pdf.output())
