"""Bad and hostile input: stored exactly or refused in plain English, never a crash, never a loss.

Every value in ``hostile_corpus.HOSTILE`` is sent through every exercise kind (via
``ResponseStore.save``) and through import (as a crafted export file).  Each must either
be stored exactly as ``validate_answer`` returns it, or be refused with an
``AnswerError`` / ``ImportFileError`` whose message is short and printable; any other
exception is a failure.  A known good answer saved first must still be the latest after
every refusal.  Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hostile_corpus import HOSTILE, RAW_FILES, REFUSE, STORE, export_document, export_row, good_answer, shapes
from workshop_kit.catalogue.answers import validate_answer
from workshop_kit.catalogue.model import KINDS
from workshop_kit.errors import AnswerError, ImportFileError
from workshop_kit.store.responses import ResponseStore
from workshop_kit.store.transfer import import_answers

# one exercise per variant of every kind: plain and paired scale, pick with and without own entries, text, budget, grid, log
EXERCISES = (
    "risk.authority",
    "risk.appetite",
    "risk.domains",
    "goal.timeframe",
    "risk.limits",
    "week.time-budget",
    "system.map",
    "relationships.log",
)
TEXT_EXERCISE = "risk.limits"  # max_length 800: the limit HOSTILE's as_text expectations assume
WHO = {"participant": "Pat Hostile", "cohort": "hostile"}
MAX_MESSAGE = 600


def _plain_message(exc: Exception) -> str | None:
    """Why a refusal message is not fit to show a participant, or None if it is."""
    text = str(exc)
    if not text or len(text) > MAX_MESSAGE:
        return f"message length {len(text)}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "message cannot be printed (lone surrogate)"
    if "Traceback" in text or "object at 0x" in text:
        return "message shows internals"
    return None


def _is_same(a: Any, b: Any) -> bool:
    """Equal and of the same JSON shape (a tuple read back as a list would not be the same)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


class TestCorpus:
    def test_corpus_is_big_and_covers_every_kind(self, catalogue):
        """The corpus holds at least 100 values and the exercises under test cover every kind."""
        assert len(HOSTILE) >= 100
        assert len({h.name for h in HOSTILE}) == len(HOSTILE)
        assert {catalogue.exercise(e).kind for e in EXERCISES} == set(KINDS)
        assert catalogue.exercise(TEXT_EXERCISE).max_length == 800


class TestSave:
    def test_text_answers_are_stored_or_refused_as_expected(self, store, catalogue):
        """Each corpus value sent as a text answer is stored exactly or refused, exactly as the corpus expects."""
        ex = catalogue.exercise(TEXT_EXERCISE)
        wrong = []
        for h in HOSTILE:
            try:
                saved = store.save(ex.id, h.value, **WHO)
            except AnswerError as exc:
                outcome = REFUSE
                problem = _plain_message(exc)
                if problem:
                    wrong.append(f"{h.name}: {problem}")
            except Exception as exc:  # noqa: BLE001 - any other type is the failure being tested for
                wrong.append(f"{h.name}: crashed with {type(exc).__name__}: {str(exc)[:200]}")
                continue
            else:
                outcome = STORE
                back = store.latest(ex.id, **WHO).answer
                if back != saved.answer or back != validate_answer(ex, h.value):
                    wrong.append(f"{h.name}: read back {back[:60]!r} differs from what was saved")
            if outcome != h.as_text:
                wrong.append(f"{h.name}: expected {h.as_text}, got {outcome}")
        print(f"\n{len(HOSTILE)} corpus values as text answers; problems: {len(wrong)}")
        assert not wrong, "\n".join(wrong)

    @pytest.mark.slow
    def test_every_kind_stores_exactly_or_refuses_plainly_and_loses_nothing(self, store, catalogue):
        """Every corpus value in every slot of every kind is stored exactly or refused plainly, and a refusal keeps the earlier answer."""
        outcomes: Counter[str] = Counter()
        wrong = []
        for ex_id in EXERCISES:
            ex = catalogue.exercise(ex_id)
            good = store.save(ex_id, good_answer(ex, 1), **WHO)
            rows = store.count()
            for h in HOSTILE:
                for where, answer in shapes(ex, h.value):
                    label = f"{ex_id} [{where}] {h.name}"
                    try:
                        saved = store.save(ex_id, answer, **WHO)
                    except AnswerError as exc:
                        outcomes["refused"] += 1
                        problem = _plain_message(exc)
                        if problem:
                            wrong.append(f"{label}: {problem}")
                        continue
                    except Exception as exc:  # noqa: BLE001
                        outcomes["crashed"] += 1
                        wrong.append(f"{label}: crashed with {type(exc).__name__}: {str(exc)[:200]}")
                        continue
                    outcomes["stored"] += 1
                    back = store.latest(ex_id, **WHO)
                    if back.uid != saved.uid or not _is_same(back.answer, validate_answer(ex, answer)):
                        wrong.append(f"{label}: read back differs from the validated answer")
                    good = store.save(ex_id, good_answer(ex, 1), **WHO)
                    rows += 2
                latest = store.latest(ex_id, **WHO)
                if latest is None or latest.uid != good.uid or store.count() != rows:
                    wrong.append(f"{ex_id} {h.name}: a refused answer changed the store or replaced the earlier answer")
        print(f"\nhostile saves: {dict(outcomes)}; problems: {len(wrong)}")
        assert outcomes["stored"] > 0 and outcomes["refused"] > 0
        assert not wrong, "\n".join(wrong[:50])

    def test_hostile_markup_is_stored_verbatim(self, store):
        """Markup and SQL in a text answer are data: stored and read back character for character."""
        for text in ("<script>alert(1)</script>", "'; DROP TABLE responses; --", '"><svg onload=alert(1)>'):
            store.save(TEXT_EXERCISE, text, **WHO)
            assert store.latest(TEXT_EXERCISE, **WHO).answer == text
        assert store.count() == 3


def _write(path: Path, document: Any) -> bool:
    """Write a crafted export file; False when the value cannot even be written as JSON."""
    try:
        text = json.dumps(document)
    except (TypeError, ValueError, RecursionError):
        return False
    path.write_text(text, encoding="utf-8")
    return True


class TestImport:
    @pytest.mark.slow
    def test_hostile_answers_in_an_export_file_are_imported_exactly_or_refused(self, store, catalogue, tmp_path):
        """A crafted file carrying any corpus value in any answer slot is imported exactly or refused whole."""
        for ex_id in EXERCISES:
            store.save(ex_id, good_answer(catalogue.exercise(ex_id)), **WHO)
        outcomes: Counter[str] = Counter()
        wrong = []
        n = 0
        for ex_id in EXERCISES:
            ex = catalogue.exercise(ex_id)
            for h in HOSTILE:
                for where, answer in shapes(ex, h.value):
                    n += 1
                    label = f"{ex_id} [{where}] {h.name}"
                    uid = f"00000000-0000-4000-8000-{n:012d}"
                    cohort = f"import-{n}"
                    path = tmp_path / "crafted.json"
                    if not _write(path, export_document([export_row(uid, ex_id, answer, cohort=cohort)])):
                        outcomes["not JSON"] += 1
                        continue
                    try:
                        result = import_answers(store, path)
                    except ImportFileError as exc:
                        outcomes["refused"] += 1
                        problem = _plain_message(exc)
                        if problem:
                            wrong.append(f"{label}: {problem}")
                        continue
                    except Exception as exc:  # noqa: BLE001
                        outcomes["crashed"] += 1
                        wrong.append(f"{label}: crashed with {type(exc).__name__}: {str(exc)[:200]}")
                        continue
                    outcomes["imported"] += 1
                    rows = store.all_responses(cohort)
                    expected = validate_answer(ex, json.loads(path.read_text(encoding="utf-8"))["responses"][0]["answer"])
                    if result.added != 1 or [r.uid for r in rows] != [uid] or not _is_same(rows[0].answer, expected):
                        wrong.append(f"{label}: imported row differs from the validated answer")
                if store.count() != len(EXERCISES) + outcomes["imported"]:
                    wrong.append(f"{ex_id} {h.name}: a refused import changed the store")
        for ex_id in EXERCISES:
            assert _is_same(store.latest(ex_id, **WHO).answer, good_answer(catalogue.exercise(ex_id)))
        print(f"\nhostile imports: {dict(outcomes)}; problems: {len(wrong)}")
        assert outcomes["imported"] > 0 and outcomes["refused"] > 0
        assert not wrong, "\n".join(wrong[:50])

    @pytest.mark.parametrize("field", ["uid", "cohort", "participant", "exercise_id", "saved_at", "kit_version"])
    def test_hostile_row_fields_are_imported_or_refused(self, store, tmp_path, field):
        """A corpus value in any field of an export row is imported or refused with ImportFileError, never a crash."""
        wrong = []
        outcomes: Counter[str] = Counter()
        for i, h in enumerate(HOSTILE):
            path = tmp_path / "crafted.json"
            row = export_row(f"00000000-0000-4000-9000-{i:012d}", "risk.authority", 5, cohort=f"fields-{i}")
            row[field] = h.value
            if not _write(path, export_document([row])):
                continue
            before = store.count()
            try:
                import_answers(store, path)
                outcomes["imported"] += 1
            except ImportFileError as exc:
                outcomes["refused"] += 1
                problem = _plain_message(exc)
                if problem:
                    wrong.append(f"{h.name}: {problem}")
                if store.count() != before:
                    wrong.append(f"{h.name}: a refused import changed the store")
            except Exception as exc:  # noqa: BLE001
                wrong.append(f"{h.name}: crashed with {type(exc).__name__}: {str(exc)[:200]}")
        print(f"\nhostile '{field}': {dict(outcomes)}")
        assert outcomes["refused"] > 0
        assert not wrong, "\n".join(wrong)

    @pytest.mark.parametrize("name,content", RAW_FILES, ids=[name for name, _ in RAW_FILES])
    def test_broken_or_crafted_file_is_refused_and_changes_nothing(self, store, tmp_path, name, content):
        """A broken or crafted export file is refused with a plain ImportFileError and the store is unchanged."""
        kept = store.save("risk.authority", 4, participant="Importer", cohort="hostile-import")
        path = tmp_path / "answers.json"
        path.write_bytes(content)
        with pytest.raises(ImportFileError) as info:
            import_answers(store, path)
        assert _plain_message(info.value) is None, str(info.value)[:300]
        assert store.count() == 1
        assert store.latest("risk.authority", participant="Importer", cohort="hostile-import").uid == kept.uid

    def test_a_folder_instead_of_a_file_is_refused(self, store, tmp_path):
        """Importing a folder (or an unreadable path) is an ImportFileError, not an OSError."""
        with pytest.raises(ImportFileError):
            import_answers(store, tmp_path)


class TestRendering:
    """Stored hostile text is shown escaped in every HTML view: widgets, comparison, plan, report, dashboard."""

    TEXT, PICK = "goal.statement", "risk.support"  # a non-sensitive text (listed in reports) and a pick with own entries

    @pytest.fixture
    def hostile_cohort(self, store: ResponseStore) -> tuple[ResponseStore, dict[str, list[str]]]:
        """One participant per markup-bearing corpus value, each saving it as a text answer and an own pick entry."""
        stored: dict[str, list[str]] = {}
        markup = [h for h in HOSTILE if h.as_text == STORE and isinstance(h.value, str) and any(c in h.value for c in "<>&\"")]
        for i, h in enumerate(markup):
            who = {"participant": f"H{i:03d}", "cohort": "render"}
            saved = []
            for ex_id, answer in ((self.TEXT, h.value), (self.PICK, [h.value])):
                try:
                    saved.append(store.save(ex_id, answer, **who).answer)
                except AnswerError:  # too long for this exercise: fine, it is refused
                    pass
            if saved:
                stored[who["participant"]] = [a if isinstance(a, str) else a[0] for a in saved]
        assert len(stored) >= 20
        return store, stored

    @staticmethod
    def _unescaped(page: str, values: list[str]) -> list[str]:
        """Stored values containing markup that appear verbatim, i.e. unescaped, in the page."""
        return [v for v in values if any(c in v for c in "<>") and v in page]

    def test_widget_status_and_comparison_escape_stored_markup(self, hostile_cohort):
        """The exercise widget's status and compare panel never show a stored value unescaped."""
        import workshop_kit as kit

        store, stored = hostile_cohort
        for participant, values in list(stored.items())[:12]:
            for ex_id in (self.TEXT, self.PICK):
                widget = kit.exercise(ex_id, store=store, participant=participant, cohort="render", min_cohort=3)
                shown = widget.status.value + widget.compare_text.value
                assert not self._unescaped(shown, values), (participant, ex_id)
                assert "<script" not in shown.casefold()

    def test_personal_plan_escapes_stored_markup(self, hostile_cohort):
        """Each participant's plan shows their own markup as text, never as markup."""
        from workshop_kit.views.plan import build_plan

        store, stored = hostile_cohort
        for participant, values in stored.items():
            page = build_plan(store, participant, "render").to_html()
            assert not self._unescaped(page, values), participant
            assert "<script" not in page.casefold()

    @pytest.mark.slow
    def test_report_and_dashboard_escape_stored_markup(self, hostile_cohort, tmp_path):
        """The cohort report and the dashboard list the anonymous answers with every bit of markup escaped."""
        from workshop_kit.views.dashboard import Dashboard
        from workshop_kit.views.report import cohort_report

        store, stored = hostile_cohort
        values = [v for vs in stored.values() for v in vs]
        page = cohort_report(store, "render", tmp_path / "report").html.read_text(encoding="utf-8")
        assert "&lt;script&gt;" in page  # the answers are listed, escaped
        assert not self._unescaped(page, values)
        assert "<script" not in page.casefold()
        board = Dashboard(store, "render", autostart=False)
        try:
            cards = "\n".join(card.value for card in board.cards.values())
        finally:
            board.close()
        assert "&lt;" in cards
        assert not self._unescaped(cards, values)
        assert "<script" not in cards.casefold()
