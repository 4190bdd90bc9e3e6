"""Tests for workshop_kit.catalogue.model: the shipped catalogue, malformed files, and edited copies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workshop_kit.catalogue.model import (
    CATALOGUE_ENV,
    DEFAULT_CATALOGUE,
    KINDS,
    Catalogue,
    Exercise,
    default_catalogue,
    load_catalogue,
)
from workshop_kit.errors import AnswerError, CatalogueError
from workshop_kit.store.responses import ResponseStore

SECTION_IDS = [
    "managing-to-leading",
    "risk",
    "audacious-goals",
    "system",
    "relationships",
    "personal-brand",
    "pulling-together",
    "empathy",
    "iceberg-spotting",
    "i-to-we",
]

# The content brief: "use exactly these 14, in this order".
BRAND_ATTRIBUTES = (
    "Approachable",
    "Friendly",
    "Technical Expert",
    "Delivery-focused",
    "Strategic",
    "People Skills",
    "Problem Solver",
    "Well-organised",
    "Supportive",
    "Decisive",
    "Politically Astute",
    "Innovative",
    "Financially Literate",
    "Excellent Judgement",
)

SECTION = """
[[sections]]
id = "risk"
number = 2
title = "Risk"
"""
SCALE = """
[[exercises]]
id = "risk.appetite"
section = "risk"
kind = "scale"
title = "Risk appetite"
prompt = "How bold are you with risk today?"
min = 1
max = 10
low_label = "Avoid all risk"
high_label = "Bold"
"""
PICK = """
[[exercises]]
id = "risk.domains"
section = "risk"
kind = "pick"
title = "Where the risk lies"
prompt = "Pick the two areas where you take most risk."
options = ["Technology", "Spending", "Change"]
pick = 2
"""


def write(folder: Path, text: str, name: str = "catalogue.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def edited_copy(folder: Path) -> Path:
    """The shipped catalogue with a reworded prompt and a 15th brand attribute."""
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    old_prompt = load_catalogue(DEFAULT_CATALOGUE).exercise("brand.attributes").prompt
    assert text.count(old_prompt) == 1
    text = text.replace(old_prompt, "Which three qualities do you want the board to see in you?")
    text = text.replace('  "Excellent Judgement",\n]', '  "Excellent Judgement",\n  "Resilient",\n]')  # both brand lists
    return write(folder, text, "edited.toml")


class TestShippedCatalogue:
    def test_loads(self, catalogue: Catalogue) -> None:
        """The catalogue shipped with the kit loads without errors."""
        assert isinstance(catalogue, Catalogue)
        assert catalogue.path == DEFAULT_CATALOGUE
        assert len(catalogue.exercises) == 48

    def test_closing_feedback_ends_the_day(self, catalogue: Catalogue) -> None:
        """The minute card (two shared cards) and a five-point rating are the last exercises, in the plan's section."""
        assert [e.id for e in catalogue.feedback] == ["close.worked", "close.change", "close.useful"]
        assert [e.id for e in catalogue.exercises[-3:]] == ["close.worked", "close.change", "close.useful"]
        assert {e.section for e in catalogue.feedback} == {"development-plan"}
        assert not any(e.sensitive for e in catalogue.feedback)
        useful = catalogue.exercise("close.useful")
        assert (useful.kind, useful.min, useful.max, useful.paired) == ("scale", 1, 5, False)

    def test_ten_sections_in_chapter_order(self, catalogue: Catalogue) -> None:
        """It has the ten chapter sections, numbered 1 to 10, then the development plan (11), in notebook order."""
        assert [s.id for s in catalogue.sections] == SECTION_IDS + ["development-plan"]
        assert [s.number for s in catalogue.sections] == list(range(1, 12))
        assert [s.part for s in catalogue.sections] == [1] * 7 + [2] * 4

    def test_every_section_has_exercises(self, catalogue: Catalogue) -> None:
        """Every section has at least one exercise and every exercise belongs to a known section."""
        for section in catalogue.sections:
            assert catalogue.exercises_in(section.id), section.id
        assert {e.section for e in catalogue.exercises} == set(SECTION_IDS) | {"development-plan"}

    def test_uses_every_kind(self, catalogue: Catalogue) -> None:
        """All six exercise kinds appear in the shipped catalogue."""
        assert {e.kind for e in catalogue.exercises} == set(KINDS)

    @pytest.mark.parametrize("exercise_id", ["brand.attributes", "brand.seen-today"])
    def test_brand_attributes_exactly_as_in_the_brief(self, catalogue: Catalogue, exercise_id: str) -> None:
        """The brand exercises offer the brief's 14 attributes in its order and pick three; only "seen today" takes one's own among them."""
        exercise = catalogue.exercise(exercise_id)
        assert exercise.kind == "pick"
        assert exercise.options == BRAND_ATTRIBUTES
        assert (exercise.min_picks, exercise.max_picks) == (3, 3)
        assert exercise.allow_custom == (exercise_id == "brand.seen-today")

    def test_own_attributes_sit_beside_the_three_and_each_pick_is_valued(self, catalogue: Catalogue) -> None:
        """Other qualities have their own box, and the peer-value log rates one of the 14 attributes per row, up to three."""
        assert catalogue.exercise("brand.other-attributes").kind == "text"
        value = catalogue.exercise("brand.peer-value")
        quality, rating = value.fields[0], value.fields[1]
        assert (value.kind, value.max_rows) == ("log", 3)
        assert quality.choices == BRAND_ATTRIBUTES and quality.required
        assert (rating.type, rating.min, rating.max, rating.required) == ("number", 1, 10, True)

    def test_chapter_questions_are_saved_exercises(self, catalogue: Catalogue) -> None:
        """Each of the chapter's own questions has an exercise of its own (issue 15)."""
        for exercise_id in ("risk.moving", "risk.authority-held", "goal.changes", "goal.bring-and-need", "goal.people", "relationships.team", "development.skills"):
            assert exercise_id in catalogue, exercise_id
        assert catalogue.exercise("goal.people").kind == "log"

    def test_sensitive_free_text_is_marked(self, catalogue: Catalogue) -> None:
        """The free-text answer about political dynamics is marked sensitive."""
        assert catalogue.exercise("system.politics").sensitive


class TestCatalogueLookups:
    def test_exercise_by_id(self, catalogue: Catalogue) -> None:
        """exercise() returns the typed Exercise with its settings."""
        exercise = catalogue.exercise("risk.appetite")
        assert isinstance(exercise, Exercise)
        assert (exercise.kind, exercise.min, exercise.max, exercise.paired) == ("scale", 1, 10, True)
        assert "risk.appetite" in catalogue
        assert "risk.nothing" not in catalogue

    def test_unknown_exercise_is_a_plain_error(self, catalogue: Catalogue) -> None:
        """An unknown exercise id raises CatalogueError naming the id and the file."""
        with pytest.raises(CatalogueError, match=r"no exercise called 'risk\.nothing'.*catalogue\.toml"):
            catalogue.exercise("risk.nothing")

    def test_non_text_exercise_id_is_a_plain_error(self, catalogue: Catalogue) -> None:
        """An exercise id that is not text (e.g. from a damaged file) gives CatalogueError, not a TypeError."""
        with pytest.raises(CatalogueError, match="no exercise called"):
            catalogue.exercise(["risk.appetite"])  # type: ignore[arg-type]

    def test_section_and_its_exercises(self, catalogue: Catalogue) -> None:
        """section() and exercises_in() find a section and its exercises in order."""
        assert catalogue.section("personal-brand").number == 6
        assert [e.id for e in catalogue.exercises_in("personal-brand")] == ["brand.attributes", "brand.other-attributes", "brand.peer-value", "brand.value", "brand.seen-today"]
        with pytest.raises(CatalogueError, match="no section called 'nowhere'"):
            catalogue.section("nowhere")


MALFORMED = {
    "unknown kind": (
        SECTION + SCALE.replace('kind = "scale"', 'kind = "slider"') + PICK,
        "risk.appetite",
        "kind",
        "must be one of scale, pick, text, budget, grid, log (got 'slider')",
    ),
    "duplicate id": (
        SECTION + SCALE + PICK.replace('id = "risk.domains"', 'id = "risk.appetite"'),
        "risk.appetite",
        "id",
        "used more than once",
    ),
    "pick more than the list": (
        SECTION + SCALE + PICK.replace("pick = 2", "pick = 5"),
        "risk.domains",
        "pick",
        "asks for 5 picks but the list has only 3 options",
    ),
    "missing prompt": (
        SECTION + SCALE.replace('prompt = "How bold are you with risk today?"\n', "") + PICK,
        "risk.appetite",
        "prompt",
        "is missing",
    ),
    "empty prompt": (
        SECTION + SCALE.replace('prompt = "How bold are you with risk today?"', 'prompt = "  "') + PICK,
        "risk.appetite",
        "prompt",
        "must not be empty",
    ),
    "scale max below min": (
        SECTION + SCALE.replace("min = 1\nmax = 10", "min = 10\nmax = 1") + PICK,
        "risk.appetite",
        "max",
        "must be larger than min (10), got 1",
    ),
    "scale bound not a number": (
        SECTION + SCALE.replace("max = 10", 'max = "ten"') + PICK,
        "risk.appetite",
        "max",
        "expected a whole number, got 'ten'",
    ),
    "unknown section": (
        SECTION + SCALE.replace('section = "risk"', 'section = "rsik"') + PICK,
        "risk.appetite",
        "section",
        "'rsik'",
    ),
    "duplicate option": (
        SECTION + SCALE + PICK.replace('"Change"]', '"Spending"]'),
        "risk.domains",
        "options",
        "lists Spending more than once",
    ),
}


class TestLoadCatalogueRefusesMalformedFiles:
    @pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
    def test_message_names_file_exercise_and_field(self, tmp_path: Path, case: str) -> None:
        """A malformed exercise fails at load with a message naming the file, the exercise id, the field and the problem."""
        text, exercise_id, field, problem = MALFORMED[case]
        path = write(tmp_path, text)
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        message = str(caught.value)
        assert message.startswith(f"{path}: exercise '{exercise_id}', field '{field}':"), message
        assert problem in message

    def test_the_base_of_the_malformed_cases_is_valid(self, tmp_path: Path) -> None:
        """The small catalogue the malformed cases are made from loads, so each case fails for its own edit only."""
        catalogue = load_catalogue(write(tmp_path, SECTION + SCALE + PICK))
        assert [e.id for e in catalogue.exercises] == ["risk.appetite", "risk.domains"]

    def test_bad_toml_names_the_file_and_the_line(self, tmp_path: Path) -> None:
        """A file that is not valid TOML fails with a message naming the file and where the syntax broke."""
        path = write(tmp_path, SECTION + SCALE + '[[exercises]\nid = "x"\n')
        with pytest.raises(CatalogueError) as caught:
            load_catalogue(path)
        assert str(caught.value).startswith(f"{path}: this is not valid TOML")
        assert "line" in str(caught.value)

    def test_missing_file_names_the_file(self, tmp_path: Path) -> None:
        """A catalogue path that does not exist fails with a message naming it."""
        path = tmp_path / "nowhere.toml"
        with pytest.raises(CatalogueError, match="the catalogue file does not exist") as caught:
            load_catalogue(path)
        assert str(path) in str(caught.value)

    def test_missing_exercise_id_names_its_position(self, tmp_path: Path) -> None:
        """An exercise without an id is named by its position in the file."""
        path = write(tmp_path, SECTION + SCALE.replace('id = "risk.appetite"\n', "") + PICK)
        with pytest.raises(CatalogueError, match=r"exercise #1 \(\?\), field 'id': is missing"):
            load_catalogue(path)


    @pytest.mark.parametrize("name", ["sections", "exercises"])
    def test_entries_that_are_not_tables(self, tmp_path: Path, name: str) -> None:
        """A sections or exercises list holding something other than tables is a CatalogueError, not a crash."""
        text = f"{name} = [1]\n" + (SECTION if name == "exercises" else "exercises = []\n")
        path = write(tmp_path, text)
        with pytest.raises(CatalogueError, match=rf"field '{name}': entry #1 should be a \[\[{name}\]\] table"):
            load_catalogue(path)


class TestEditedCatalogue:
    def test_load_catalogue_uses_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """load_catalogue() with no path reads WORKSHOP_KIT_CATALOGUE: the reworded prompt and added attribute."""
        path = edited_copy(tmp_path)
        monkeypatch.setenv(CATALOGUE_ENV, str(path))
        exercise = load_catalogue().exercise("brand.attributes")
        assert exercise.prompt == "Which three qualities do you want the board to see in you?"
        assert exercise.options == (*BRAND_ATTRIBUTES, "Resilient")

    def test_explicit_path_wins_over_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit path is read even when WORKSHOP_KIT_CATALOGUE names another file."""
        monkeypatch.setenv(CATALOGUE_ENV, str(edited_copy(tmp_path)))
        assert load_catalogue(DEFAULT_CATALOGUE).exercise("brand.attributes").options == BRAND_ATTRIBUTES

    def test_default_catalogue_uses_the_environment(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """default_catalogue() follows WORKSHOP_KIT_CATALOGUE, and the kit's own file without it."""
        assert default_catalogue().path == DEFAULT_CATALOGUE
        path = edited_copy(tmp_path)
        monkeypatch.setenv(CATALOGUE_ENV, str(path))
        assert default_catalogue().path == path
        assert "Resilient" in default_catalogue().exercise("brand.attributes").options

    def test_default_catalogue_reloads_an_edited_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """default_catalogue() picks up an edit to the file without restarting."""
        path = edited_copy(tmp_path)
        monkeypatch.setenv(CATALOGUE_ENV, str(path))
        assert "Resilient" in default_catalogue().exercise("brand.attributes").options
        path.write_text(path.read_text(encoding="utf-8").replace('"Resilient"', '"Curious"', 1), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert "Curious" in default_catalogue().exercise("brand.attributes").options

    def test_default_catalogue_missing_file_names_the_variable(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A WORKSHOP_KIT_CATALOGUE that names no file gives an error pointing at the variable."""
        monkeypatch.setenv(CATALOGUE_ENV, str(tmp_path / "gone.toml"))
        with pytest.raises(CatalogueError, match=CATALOGUE_ENV):
            default_catalogue()

    def test_store_validates_against_the_edited_copy(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """ResponseStore checks answers against WORKSHOP_KIT_CATALOGUE: the added attribute becomes a normal option."""
        answer = ["resilient", "Curious", "Strategic"]  # two of the participant's own under the shipped list
        with ResponseStore() as store:
            with pytest.raises(AnswerError, match="only one choice of your own"):
                store.save("brand.seen-today", answer, participant="ann", cohort="c1")
            monkeypatch.setenv(CATALOGUE_ENV, str(edited_copy(tmp_path)))
            saved = store.save("brand.seen-today", answer, participant="ann", cohort="c1")
            assert saved.answer == ["Resilient", "Curious", "Strategic"]
            assert store.count() == 1
