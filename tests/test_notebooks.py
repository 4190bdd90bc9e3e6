"""The workshop notebooks: one per catalogue section, the same frame in each, no outputs, no saving on load."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workshop_kit.catalogue.model import default_catalogue
from workshop_kit.views.plan import notebook_file

pytestmark = pytest.mark.slow  # runs every notebook in a kernel: left out of `make check`

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CATALOGUE = default_catalogue()
SECTION_FILES = [notebook_file(s) for s in CATALOGUE.sections if s.number <= 10]  # the chapter's ten sections
WORKSHOP_FILES = ["00-welcome.ipynb", *SECTION_FILES, "11-development-plan.ipynb", "12-follow-up.ipynb"]
EXERCISE_CALL = re.compile(r'^kit\.exercise\("([^"]+)"\)$')
FRAME_HEADINGS = ("## Time guide and objectives", "## Key points", "## Next")


def load(name: str) -> dict:
    return json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def code_cells(name: str) -> list[dict]:
    return [c for c in load(name)["cells"] if c["cell_type"] == "code"]


def markdown(name: str) -> str:
    return "\n\n".join(source(c) for c in load(name)["cells"] if c["cell_type"] == "markdown")


def shown_exercises(name: str) -> list[str]:
    return [m.group(1) for c in code_cells(name) if (m := EXERCISE_CALL.match(source(c).strip()))]


class TestLayout:
    def test_every_section_has_its_notebook(self):
        """Each catalogue section has a notebook named NN-<section id>.ipynb, plus the welcome and plan notebooks."""
        for name in WORKSHOP_FILES:
            assert (NOTEBOOKS / name).is_file(), f"missing notebook {name}"
        assert SECTION_FILES[0] == "01-managing-to-leading.ipynb"
        assert SECTION_FILES[-1] == "10-i-to-we.ipynb"

    @pytest.mark.parametrize("section", CATALOGUE.sections, ids=lambda s: s.id)
    def test_every_exercise_shown_once_in_its_section(self, section):
        """A section notebook shows each of its exercises exactly once, in catalogue order, and nothing else."""
        expected = [e.id for e in CATALOGUE.exercises_in(section.id)]
        assert shown_exercises(notebook_file(section)) == expected

    def test_no_exercise_outside_its_section(self):
        """No exercise appears in any notebook other than its section's."""
        for name in WORKSHOP_FILES:
            for ex_id in shown_exercises(name):
                assert notebook_file(CATALOGUE.section(CATALOGUE.exercise(ex_id).section)) == name


class TestCells:
    @pytest.mark.parametrize("name", WORKSHOP_FILES)
    def test_code_cells_are_one_line_or_setup(self, name):
        """Every code cell is a single line, except the set-up cell, which is tagged and hidden."""
        cells = code_cells(name)
        setup = [c for c in cells if "setup" in c.get("metadata", {}).get("tags", [])]
        assert len(setup) == 1, "exactly one set-up cell"
        assert source(setup[0]).strip() == "import workshop_kit as kit"
        assert "hide-input" in setup[0]["metadata"]["tags"]
        assert cells[0] is setup[0], "the set-up cell comes before any other code"
        for cell in cells:
            assert len(source(cell).strip().splitlines()) == 1, source(cell)

    @pytest.mark.parametrize("name", WORKSHOP_FILES)
    def test_only_kit_calls(self, name):
        """Apart from the import, code cells only call the kit's display functions (nothing saves)."""
        allowed = re.compile(r'^kit\.(exercise\("[a-z0-9.-]+"\)|welcome\(\)|progress\(\)|development_plan\(\)|follow_up\(\))$')
        for cell in code_cells(name)[1:]:
            assert allowed.match(source(cell).strip()), source(cell)

    @pytest.mark.parametrize("name", WORKSHOP_FILES)
    def test_no_outputs(self, name):
        """Notebooks are committed without outputs or execution counts."""
        for cell in code_cells(name):
            assert cell.get("outputs") == [], f"{name}: a cell has outputs"
            assert cell.get("execution_count") is None, f"{name}: a cell has an execution count"

    @pytest.mark.parametrize("name", WORKSHOP_FILES)
    def test_valid_notebook(self, name):
        """Each file is a valid nbformat 4 notebook using the python3 kernel."""
        import nbformat

        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        nbformat.validate(nb)
        assert nb.metadata.kernelspec.name == "python3"


class TestFrame:
    @pytest.mark.parametrize("section", CATALOGUE.sections, ids=lambda s: s.id)
    def test_frame(self, section):
        """Each section notebook has its title, the frame headings in order, the time and the objectives."""
        name = notebook_file(section)
        text = markdown(name)
        assert text.startswith(f"# {section.number}. {section.title}\n")
        positions = [text.find(h) for h in FRAME_HEADINGS]
        assert all(p >= 0 for p in positions), f"{name} lacks one of {FRAME_HEADINGS}"
        assert positions == sorted(positions)
        assert f"**About {section.minutes} minutes**" in text
        for objective in section.objectives:
            assert f"- {objective}" in text

    @pytest.mark.parametrize("section", [s for s in CATALOGUE.sections if s.number <= 10], ids=lambda s: s.id)  # notebook 11 has no ideas to read
    def test_reading_time_matches_the_ideas(self, section):
        """The time guide's reading minutes are the ideas' length read at about 180 words a minute (within a minute)."""
        cells = load(notebook_file(section))["cells"]
        ideas = next(source(c) for c in cells if c["cell_type"] == "markdown" and source(c).startswith("## The ideas"))
        stated = re.search(r"\*\*About \d+ minutes\*\*: about (\d+) minutes? to read the ideas", markdown(notebook_file(section)))
        assert stated, "the time guide should say how long the reading takes"
        assert abs(int(stated.group(1)) - len(re.findall(r"\w+", ideas)) / 180) <= 1
        assert "roughly a third reading" not in markdown(notebook_file(section))

    @pytest.mark.parametrize("section", CATALOGUE.sections, ids=lambda s: s.id)
    def test_exercise_headings(self, section):
        """Each exercise has a numbered heading with its title just before its cell."""
        cells = load(notebook_file(section))["cells"]
        for i, cell in enumerate(cells):
            m = EXERCISE_CALL.match(source(cell).strip()) if cell["cell_type"] == "code" else None
            if m:
                before = source(cells[i - 1])
                assert cells[i - 1]["cell_type"] == "markdown"
                assert before.startswith(f"### Exercise {section.number}.")
                assert CATALOGUE.exercise(m.group(1)).title in before

    @pytest.mark.parametrize("index", range(len(WORKSHOP_FILES) - 1))
    def test_next_points_to_the_next_notebook(self, index):
        """The Next part of each notebook links to the following notebook."""
        text = markdown(WORKSHOP_FILES[index])
        next_part = text[text.rindex("## Next") :]
        assert f"]({WORKSHOP_FILES[index + 1]})" in next_part

    def test_credit_and_quotations(self):
        """The chapter and both authors are credited; quotations and borrowed ideas are attributed."""
        welcome = markdown("00-welcome.ipynb")
        for words in ("Health CIO Handbook", "Becoming a successful leader", "Owen Powell", "Gareth Baxendale"):
            assert words in welcome
        assert "Collins and Porras" in markdown("03-audacious-goals.ipynb")
        assert "Mendelow" in markdown("04-system.ipynb")
        empathy = markdown("08-empathy.ipynb")
        assert "— Franklin D. Roosevelt" in empathy and "— Dwight D. Eisenhower" in empathy
        assert "Roselinde Torres" in markdown("09-iceberg-spotting.ipynb")
        assert "— John F. Kennedy" in markdown("10-i-to-we.ipynb")

    def test_brand_attributes_listed(self):
        """The personal brand notebook lists all the attributes the exercise offers."""
        text = markdown("06-personal-brand.ipynb")
        for option in CATALOGUE.exercise("brand.attributes").options:
            assert option in text

    def test_welcome_and_plan_widgets(self):
        """The welcome notebook shows progress (near the top) and the name form; notebook 11 the objectives and the plan."""
        assert [source(c) for c in code_cells("00-welcome.ipynb")[1:]] == ["kit.progress()", "kit.welcome()"]  # where you got to, first
        assert [source(c) for c in code_cells("11-development-plan.ipynb")[1:]] == [
            'kit.exercise("plan.objectives")',
            "kit.development_plan()",
            'kit.exercise("close.worked")',
            'kit.exercise("close.change")',
            'kit.exercise("close.useful")',
        ]
        assert "Who will see your answers" in markdown("00-welcome.ipynb")

    def test_follow_up_notebook_asks_what_the_catalogue_lists(self):
        """Notebook 12 names no exercise itself: kit.follow_up() asks the catalogue's [follow_up] list, then the plan shows before and after."""
        assert [source(c) for c in code_cells("12-follow-up.ipynb")[1:]] == ["kit.follow_up()", "kit.development_plan()"]
        assert shown_exercises("12-follow-up.ipynb") == []


class TestFacilitatorProgramme:
    NAME = "facilitator-programme.ipynb"

    def test_one_line_per_view_and_never_served_to_the_room(self):
        """Every code cell is one line; the file name keeps it out of the room (serve leaves out facilitator*)."""
        from fnmatch import fnmatch

        from workshop_kit.commands.serve import _NOT_FOR_PARTICIPANTS

        assert any(fnmatch(self.NAME, pattern) for pattern in _NOT_FOR_PARTICIPANTS)
        cells = [source(c).strip() for c in code_cells(self.NAME)]
        assert all(len(c.splitlines()) == 1 for c in cells)
        for view in ("prog.overview()", 'prog.table("risk.appetite")', 'prog.chart("risk.appetite")', 'prog.shift("week.time-budget")', "prog.write_report()"):
            assert view in cells
        assert all(c.get("outputs") == [] and c.get("execution_count") is None for c in code_cells(self.NAME))

    def test_runs_on_a_programme_and_writes_the_report(self, tmp_path):
        """With two demo cohorts and a follow-up, every view shows them and the report is written beside the notebook."""
        import os
        import shutil

        import nbformat
        from nbclient import NotebookClient

        from workshop_kit.store.demo import make_demo_cohort, make_demo_follow_up
        from workshop_kit.store.responses import ResponseStore

        store_path = tmp_path / "answers.sqlite"
        with ResponseStore(store_path) as store:
            make_demo_cohort(store, 8, "leeds-2026-03", seed=1)
            make_demo_follow_up(store, 8, "leeds-2026-03", seed=1)
            make_demo_cohort(store, 2, "york-2026-04", seed=2)
        shutil.copy(NOTEBOOKS / self.NAME, tmp_path / self.NAME)
        env = {k: v for k, v in os.environ.items() if k not in ("WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM", "JUPYTERHUB_USER", "QUERY_STRING")}
        env.update(WORKSHOP_KIT_STORE=str(store_path), MPLBACKEND="Agg")
        nb = nbformat.read(tmp_path / self.NAME, as_version=4)
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(env=env)
        outputs = {source(c).strip(): c.outputs for c in nb.cells if c.cell_type == "code"}
        assert not [o for outs in outputs.values() for o in outs if o.output_type == "error"]
        html = lambda cell: "".join(o.get("data", {}).get("text/html", "") for o in outputs[cell])  # noqa: E731
        assert "leeds-2026-03" in html("prog.overview()") and "york-2026-04" in html("prog.overview()")
        table = html('prog.table("risk.appetite")')
        assert "suppressed: fewer than 3 answers" in table and "± " in table
        assert any("image/svg+xml" in o.get("data", {}) for o in outputs['prog.chart("risk.appetite")'])
        assert "→" in html('prog.shift("week.time-budget")')
        assert (tmp_path / "programme-report" / "programme.html").is_file()
        assert (tmp_path / "programme-report" / "programme.xlsx").is_file()


@pytest.mark.parametrize("name", WORKSHOP_FILES)
def test_executing_saves_nothing(name, tmp_path):
    """Running a notebook top to bottom (as Voilà does on page load) raises no error and saves nothing."""
    import os

    import nbformat
    from nbclient import NotebookClient

    from workshop_kit.store.responses import ResponseStore

    store_path, profile, plans = tmp_path / "answers.sqlite", tmp_path / "profile.json", tmp_path / "plans"
    env = {k: v for k, v in os.environ.items() if k not in ("WORKSHOP_KIT_COHORT", "WORKSHOP_KIT_ROOM", "JUPYTERHUB_USER", "QUERY_STRING")}
    env.update(WORKSHOP_KIT_STORE=str(store_path), WORKSHOP_KIT_PROFILE=str(profile), WORKSHOP_KIT_PLAN_DIR=str(plans), MPLBACKEND="Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute(env=env)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    if store_path.exists():
        with ResponseStore(store_path) as store:
            assert store.count() == 0
    assert not profile.exists()
    assert not plans.exists()


def test_welcome_table_matches_the_catalogue():
    """The welcome page's table of sessions gives each section its catalogue minutes and number of exercises."""
    text = markdown("00-welcome.ipynb")
    for section in CATALOGUE.sections:
        row = f"| {section.number:02d} | [{section.title}]({notebook_file(section)}) | {section.minutes} min | {len(CATALOGUE.exercises_in(section.id))} |"
        assert row in text, row
    total = sum(s.minutes for s in CATALOGUE.sections)
    assert f"In total about {total // 60} hours {total % 60} minutes" in text
