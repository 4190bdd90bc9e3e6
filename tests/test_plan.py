"""The personal development plan: gathering answers, Markdown and HTML, export, the widget."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from workshop_kit.views import plan as plan_module
from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.views.plan import PlanExportError, build_plan, development_plan, export_plan, md_escape
from workshop_kit.store.responses import ResponseStore

WHO = {"participant": "Sam Patel", "cohort": "north-2026"}
HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "profile.json"))
    monkeypatch.delenv("WORKSHOP_KIT_COHORT", raising=False)
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.delenv("WORKSHOP_KIT_PLAN_DIR", raising=False)


@pytest.fixture
def store(tmp_path):
    with ResponseStore(tmp_path / "answers.sqlite") as s:
        yield s


@pytest.fixture
def callback_errors(caplog):
    """ipywidgets only logs exceptions raised in callbacks; collect them so a test can fail on them."""
    caplog.set_level(logging.WARNING)
    yield lambda: [r for r in caplog.records if "Exception in callback" in r.getMessage() or r.exc_info]


def fill(store):
    store.save("goal.statement", "Every clinician in our ICS sees one record " + HOSTILE, **WHO)
    store.save("goal.timeframe", ["3 to 5 years"], **WHO)
    store.save("goal.ambition", 8, **WHO)
    store.save("risk.appetite", {"now": 3, "target": 7}, **WHO)
    store.save("brand.attributes", ["Strategic", "Decisive", "Innovative"], **WHO)
    store.save("brand.other-attributes", "Calm <under> *pressure*", **WHO)
    store.save("brand.peer-value", [{"quality": "Strategic", "value": 9}, {"quality": "Decisive", "value": 4}], **WHO)
    store.save("risk.moving", "Pilot the new rota app on one ward before asking for the whole trust", **WHO)
    store.save("goal.people", [{"who": "Finance director", "need": "A business case partner"}], **WHO)
    store.save("development.skills", ["Finance and business cases", "Board-level communication"], **WHO)
    store.save(
        "system.map",
        [
            {"name": "Chief executive", "x": 3, "y": 9, "tag": "My organisation"},
            {"name": "ICB chief digital officer", "x": 8, "y": 8, "tag": "Local health community (ICS)"},
        ],
        **WHO,
    )
    store.save(
        "relationships.log",
        [{"stakeholder": "Medical director", "deliverable": "Fix single sign-on on wards", "due": "2026-01-31", "status": "Planned"}],
        **WHO,
    )
    store.save("development.needs", ["Coaching", "Finance"], **WHO)
    store.save("iwe.learning-commitment", "Read one board paper a week from outside IT", **WHO)


class TestBuildPlan:
    def test_empty_store_lists_every_exercise_as_missing(self, store):
        """With no answers, every exercise is in the plan as 'not answered yet', pointing to its notebook."""
        plan = build_plan(store, **WHO)
        catalogue = default_catalogue()
        assert plan.total == len(catalogue.exercises) - len(catalogue.feedback)
        assert plan.answered == 0
        item = next(i for s in plan.sections for i in s.items if i.exercise_id == "risk.appetite")
        assert item.missing_note == "not answered yet — see notebook 02"

    def test_closing_feedback_is_not_in_the_plan(self, store):
        """The minute card and the rating are about the day: saved, they neither appear in the plan nor count towards it."""
        store.save("close.worked", "The pairs work zqfeedback", **WHO)
        store.save("close.useful", 4, **WHO)
        plan = build_plan(store, **WHO)
        ids = {i.exercise_id for s in plan.sections for i in s.items}
        assert not ids & {e.id for e in default_catalogue().feedback} and plan.answered == 0
        assert "zqfeedback" not in plan.to_markdown() and "zqfeedback" not in plan.to_html()

    def test_reading_does_not_create_the_store(self, tmp_path):
        """Building a plan from a store file that does not exist yet does not create it."""
        path = tmp_path / "never.sqlite"
        plan = build_plan(ResponseStore(path), **WHO)
        assert plan.answered == 0
        assert not path.exists()

    def test_answers_are_gathered(self, store):
        """Saved answers appear in their sections, and the highlights draw on them."""
        fill(store)
        plan = build_plan(store, **WHO, today=dt.date(2026, 2, 3))
        assert plan.answered == 14
        labels = [h.label for h in plan.highlights if h.answered]
        assert labels == [
            "My appetite for risk",
            "How I will take managed risks",
            "My audacious goal",
            "People I need",
            "My key stakeholders",
            "My commitments",
            "What I want to be known for",
            "Skills I will build",
            "Support I need",
        ]
        missing = [h.label for h in plan.highlights if not h.answered]
        assert missing == ["The authority I actually hold", "The wider changes my goal needs, and my part", "What I bring"]
        assert plan.file_stem == "development-plan-sam-patel-2026-02-03"

    def test_only_this_participant(self, store):
        """Another participant's answers never appear in the plan."""
        store.save("goal.statement", "Someone else's goal", participant="Alex", cohort="north-2026")
        plan = build_plan(store, **WHO)
        assert plan.answered == 0
        assert "Someone else" not in plan.to_markdown()

    def test_brand_shows_each_pick_with_its_value_and_the_extra_qualities(self, store):
        """The brand highlight gives each of the three picks its own peer value, and lists the other qualities beside them."""
        fill(store)
        brand = next(h for h in build_plan(store, **WHO).highlights if h.label == "What I want to be known for")
        assert brand.blocks[0].items == ("Strategic: senior peers would value it 9 of 10", "Decisive: senior peers would value it 4 of 10", "Innovative")
        assert brand.blocks[1].text == "Other qualities that matter: Calm <under> *pressure*"


class TestModelView:
    def test_no_scale_answered_names_no_dimension(self, store):
        """With no scale answered, the model view names no dimension and the next step says how to get one."""
        plan = build_plan(store, **WHO)
        assert plan.dimensions == () and plan.focus == ()
        assert plan_module.MODEL_STEP_NONE in plan.next_steps

    def test_two_finishers_with_different_answers_get_different_focus(self, store):
        """The focus comes from the participant's own answers, so two people who answered everything can differ."""
        catalogue = default_catalogue()
        scales = [e for e in catalogue.exercises if e.kind == "scale"]
        for who, low in (("Ann", "risk.authority"), ("Bob", "iwe.being-wrong")):
            for ex in scales:
                answer = {"now": 5, "target": 5} if ex.paired else min(9, ex.max)
                if ex.id == low:
                    answer = 2
                store.save(ex.id, answer, participant=who, cohort="c")
        ann, bob = (build_plan(store, who, "c") for who in ("Ann", "Bob"))
        assert ann.answered == bob.answered
        assert [d.dimension for d in ann.focus][0] == "Holding to account"
        assert [d.dimension for d in bob.focus][0] == "Engaging the team"
        assert "holding to account" in " ".join(ann.next_steps) and "holding to account" not in " ".join(bob.next_steps)

    def test_evidence_quotes_the_answer_and_follows_the_model_order(self, store):
        """Each dimension shows the answers it was read from, in the model's own order of dimensions."""
        store.save("risk.appetite", {"now": 3, "target": 8}, **WHO)
        store.save("development.others", 4, **WHO)
        store.save("goal.ambition", 2, **WHO)  # not a self-rating: says nothing about room to grow
        plan = build_plan(store, **WHO)
        names = [d.dimension for d in plan.dimensions]
        assert names == [d for d in plan_module.HLM_DIMENSIONS if d in names] == ["Inspiring shared purpose", "Leading with care"]
        assert plan.dimensions[0].evidence[0].words == "Now 3, needed for the role 8"
        assert plan.focus[0].dimension == "Leading with care"  # 6 of 9 points to the top beats a wanted move of 5
        text = plan.to_markdown()
        assert "Your appetite for risk: Now 3, needed for the role 8" in text
        assert "starting with leading with care and inspiring shared purpose" in text


class TestMarkdown:
    def test_readable(self, store):
        """The Markdown plan has a dated title, the highlights and the risk shift in words."""
        fill(store)
        text = build_plan(store, **WHO, today=dt.date(2026, 2, 3)).to_markdown()
        assert text.startswith("# Personal development plan: Sam Patel")
        assert "Made on: 3 February 2026" in text
        assert "## At a glance" in text
        assert "A shift of 4 points towards “Bold”." in text
        assert "- Coaching" in text
        assert "Owen Powell and Gareth Baxendale" in text
        assert "not answered yet — see notebook 01" in text

    def test_participant_text_is_escaped(self, store):
        """Markup typed by the participant is backslash-escaped, so no renderer runs it."""
        fill(store)
        text = build_plan(store, **WHO).to_markdown()
        assert "<script>" not in text
        assert r"\<script\>" in text

    def test_md_escape_line_starts(self):
        """Text that would start a list or heading is escaped."""
        assert md_escape("- not a list") == r"\- not a list"
        assert md_escape("2026. a year") == r"2026\. a year"
        assert md_escape("# no heading") == r"\# no heading"


class TestHtml:
    def test_hostile_text_escaped(self, store):
        """A <script> typed into any answer is shown as text in the HTML plan, never as markup."""
        fill(store)
        store.save("risk.limits", HOSTILE, **WHO)
        page = build_plan(store, participant="Sam Patel", cohort="north-2026").to_html()
        assert "<script>" not in page
        assert "<b>bold</b>" not in page
        assert "&lt;script&gt;" in page
        assert "Calm &lt;under&gt; *pressure*" in page

    def test_hostile_name_escaped(self, store):
        """Names are escaped too (the store's name rules already refuse angle brackets; the plan does not rely on that)."""
        plan = build_plan(store, **WHO)
        plan = plan_module.Plan(**{**plan.__dict__, "participant": "<img src=x onerror=alert(1)>"})
        assert "<img" not in plan.to_html()

    def test_standalone_page(self, store):
        """The HTML plan is a complete page with a title and its own styles."""
        page = build_plan(store, **WHO).to_html()
        assert page.startswith("<!DOCTYPE html>")
        assert "<title>Personal development plan: Sam Patel" in page
        assert "<style>" in page


class TestExport:
    @pytest.mark.slow
    def test_writes_four_files(self, store, tmp_path):
        """Export writes Word, PDF, HTML and Markdown files into the chosen folder, creating it."""
        fill(store)
        plan = build_plan(store, **WHO, today=dt.date(2026, 2, 3))
        paths = export_plan(plan, tmp_path / "my plans")
        assert paths.markdown.name == "development-plan-sam-patel-2026-02-03.md"
        assert paths.html.read_text(encoding="utf-8") == plan.to_html()
        assert paths.markdown.read_text(encoding="utf-8") == plan.to_markdown()
        assert paths.docx.read_bytes().startswith(b"PK") and paths.pdf.read_bytes().startswith(b"%PDF-")
        assert sorted(p.name for p in (tmp_path / "my plans").iterdir()) == sorted(p.name for p in (paths.docx, paths.html, paths.markdown, paths.pdf))

    @pytest.mark.slow
    def test_default_folder_from_env(self, store, tmp_path, monkeypatch):
        """WORKSHOP_KIT_PLAN_DIR chooses the default folder."""
        monkeypatch.setenv("WORKSHOP_KIT_PLAN_DIR", str(tmp_path / "plans"))
        paths = export_plan(build_plan(store, **WHO))
        assert paths.html.parent == tmp_path / "plans"

    def test_default_folder_documents_then_home(self, tmp_path, monkeypatch):
        """Without the variable, Documents is used if it exists, else the home folder."""
        monkeypatch.setenv("HOME", str(tmp_path))
        assert plan_module.default_plan_folder() == tmp_path
        (tmp_path / "Documents").mkdir()
        assert plan_module.default_plan_folder() == tmp_path / "Documents"

    def test_unwritable_folder(self, store, tmp_path):
        """A folder that cannot be made gives a plain-English error."""
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        with pytest.raises(PlanExportError, match="could not be saved in the folder"):
            export_plan(build_plan(store, **WHO), blocker / "sub")


class TestWidget:
    def test_page_load_writes_nothing(self, tmp_path):
        """Showing the widget neither creates the store nor writes a file."""
        path = tmp_path / "answers.sqlite"
        w = development_plan(ResponseStore(path), folder=str(tmp_path / "out"), **WHO)
        assert "0 of 45" in w.intro.value
        assert not path.exists()
        assert not (tmp_path / "out").exists()

    @pytest.mark.slow
    def test_export_button(self, store, tmp_path, callback_errors):
        """Pressing Export writes the four files and says where they went."""
        fill(store)
        w = development_plan(store, folder=str(tmp_path / "out"), **WHO)
        w.export_button.click()
        assert not callback_errors()
        files = sorted(p.suffix for p in (tmp_path / "out").iterdir())
        assert files == [".docx", ".html", ".md", ".pdf"]
        assert "Your plan is saved" in w.status.value
        assert str(tmp_path / "out") in w.status.value
        assert "<script>" not in w.preview.value

    def test_export_error_shown(self, store, tmp_path, callback_errors):
        """A bad folder is reported in the status line, not as a traceback."""
        blocker = tmp_path / "a-file"
        blocker.write_text("x")
        w = development_plan(store, folder=str(blocker / "sub"), **WHO)
        w.export_button.click()
        assert not callback_errors()
        assert "Not saved." in w.status.value

    def test_refresh_picks_up_new_answers(self, store, callback_errors):
        """Refresh re-reads the store."""
        w = development_plan(store, **WHO)
        store.save("goal.ambition", 6, **WHO)
        w.refresh_button.click()
        assert not callback_errors()
        assert "1 of 45" in w.intro.value


class TestRoom:
    def test_room_offers_downloads_only(self, store, tmp_path, monkeypatch, callback_errors):
        """In a room served by Voilà nothing is written on the server: Export gives download links, and there is no folder box."""
        import base64
        import re

        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        monkeypatch.setenv("WORKSHOP_KIT_PLAN_DIR", str(tmp_path / "plans"))
        fill(store)
        w = development_plan(store, **WHO)
        assert w.folder.layout.display == "none"
        w.export_button.click()
        assert not callback_errors()
        assert not (tmp_path / "plans").exists()
        links = re.findall(r'download="([^"]+)" href="data:[^"]*?;base64,([^"]+)"', w.status.value)
        assert [name.rsplit(".", 1)[1] for name, _ in links] == ["docx", "pdf", "html", "md", "json"]
        assert base64.b64decode(links[0][1]).startswith(b"PK") and base64.b64decode(links[1][1]).startswith(b"%PDF-")
        page = base64.b64decode(links[2][1]).decode("utf-8")
        assert page.startswith("<!DOCTYPE html>") and "<script>" not in page

    def test_answers_file_download_imports_elsewhere(self, store, tmp_path, monkeypatch, callback_errors):
        """The plan page's answers file holds exactly this participant's answers and imports into another store."""
        import base64
        import re

        from workshop_kit.store.responses import ResponseStore
        from workshop_kit.store.transfer import import_answers

        monkeypatch.setenv("WORKSHOP_KIT_ROOM", "1")
        fill(store)
        store.save("goal.statement", "Someone else's goal", participant="Other Person", cohort=WHO["cohort"])
        w = development_plan(store, **WHO)
        w.export_button.click()
        assert not callback_errors()
        name, data = re.findall(r'download="([^"]+-answers\.json)" href="data:[^;]+;charset=utf-8;base64,([^"]+)"', w.status.value)[0]
        (tmp_path / name).write_bytes(base64.b64decode(data))
        other = ResponseStore(tmp_path / "facilitator.sqlite")
        result = import_answers(other, tmp_path / name)
        mine = store.all_responses(WHO["cohort"], participant=WHO["participant"])
        assert result.added == len(mine) > 0
        assert other.participants(WHO["cohort"]) == [WHO["participant"]]

    def test_display_name_names_the_plan(self, store):
        """A room participant's plan is made out to their display name, not their answer key."""
        plan = build_plan(store, participant="room-abc123", cohort="c1", display_name="Sam Patel", today=dt.date(2026, 2, 3))
        assert plan.to_markdown().startswith("# Personal development plan: Sam Patel")
        assert "room-abc123" not in plan.to_html()
        assert plan.file_stem == "development-plan-sam-patel-2026-02-03"


def test_plan_reads_a_read_only_store(tmp_path):
    """A plan built from a store opened read-only (an SQLite file: URI) still finds the participant's answers."""
    from workshop_kit.views.plan import build_plan
    from workshop_kit.store.responses import ResponseStore

    path = tmp_path / "a.sqlite"
    ResponseStore(path).save("goal.statement", "One record for every patient", participant="Ann", cohort="c")
    read_only = ResponseStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert read_only.sqlite_path == path
    plan = build_plan(read_only, "Ann", "c")
    assert "One record for every patient" in plan.to_markdown()
