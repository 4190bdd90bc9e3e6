"""Tests for workshop_kit.store.transfer: exporting answers to one JSON file and importing it, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest

from workshop_kit.errors import ImportFileError
from workshop_kit.store.responses import ResponseStore
from workshop_kit.store.transfer import FILE_VERSION, FORMAT, ImportResult, export_answers, import_answers


def fill(store: ResponseStore) -> None:
    """Two cohorts; ann has history on two exercises."""
    store.save("brand.value", 3, participant="ann", cohort="c1")
    store.save("brand.value", 7, participant="ann", cohort="c1")
    store.save("risk.appetite", {"now": 2, "target": 8}, participant="ann", cohort="c1")
    store.save("goal.statement", "Every clinician sees one record — “today”.", participant="ann", cohort="c1")
    store.save("brand.seen-today", ["Strategic", "Decisive", "Resilient"], participant="bob", cohort="c1")
    store.save("brand.value", 9, participant="cat", cohort="c2")


def big_export(folder: Path, rows: int) -> tuple[Path, dict]:
    """An export file with `rows` valid answers (each a new record), and its parsed document."""
    with ResponseStore(folder / "source.sqlite") as source:
        source.save("brand.value", 5, participant="ann", cohort="big")
        path = folder / "big.json"
        export_answers(source, path, "big")
    document = json.loads(path.read_text(encoding="utf-8"))
    template = document["responses"][0]
    document["responses"] = [dict(template, uid=str(uuid.uuid4()), participant=f"p{i % 40}", answer=i % 10 + 1) for i in range(rows)]
    path.write_text(json.dumps(document), encoding="utf-8")
    return path, document


class TestExportAnswers:
    def test_whole_cohort(self, store: ResponseStore, tmp_path: Path) -> None:
        """A cohort export holds every row of that cohort, history included, and nothing of other cohorts."""
        fill(store)
        path = tmp_path / "c1.json"
        assert export_answers(store, path, "c1") == 5
        document = json.loads(path.read_text(encoding="utf-8"))
        assert (document["format"], document["schema_version"], document["cohort"], document["participant"]) == (FORMAT, FILE_VERSION, "c1", None)
        assert [r["answer"] for r in document["responses"]] == [3, 7, {"now": 2, "target": 8}, "Every clinician sees one record — “today”.", ["Strategic", "Decisive", "Resilient"]]
        assert {r["cohort"] for r in document["responses"]} == {"c1"}

    def test_one_participant(self, store: ResponseStore, tmp_path: Path) -> None:
        """A participant export holds only that person's rows in that cohort."""
        fill(store)
        path = tmp_path / "ann.json"
        assert export_answers(store, path, "c1", participant="ann") == 4
        document = json.loads(path.read_text(encoding="utf-8"))
        assert {r["participant"] for r in document["responses"]} == {"ann"}
        assert document["participant"] == "ann"

    def test_rows_carry_every_field(self, store: ResponseStore, tmp_path: Path) -> None:
        """Each exported row has uid, cohort, participant, exercise id, answer, UTC time and kit version."""
        saved = store.save("brand.value", 4, participant="ann", cohort="c1")
        export_answers(store, tmp_path / "e.json", "c1")
        (row,) = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))["responses"]
        assert row == saved.as_dict()
        assert row["saved_at"].endswith("+00:00")

    def test_no_partial_file_left(self, store: ResponseStore, tmp_path: Path) -> None:
        """The export is written through a temporary file that is renamed into place."""
        fill(store)
        export_answers(store, tmp_path / "e.json", "c1")
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("e.json")] == ["e.json"]


class TestImportAnswers:
    def test_round_trip(self, store: ResponseStore, tmp_path: Path) -> None:
        """Importing an export into an empty store reproduces answers, timestamps and history exactly."""
        fill(store)
        path = tmp_path / "c1.json"
        export_answers(store, path, "c1")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            result = import_answers(other, path)
            assert result == ImportResult(added=5, skipped=0)
            assert other.all_responses() == store.all_responses("c1")
            assert other.history("brand.value", participant="ann", cohort="c1") == store.history("brand.value", participant="ann", cohort="c1")
            assert other.latest("brand.value", participant="ann", cohort="c1").answer == 7

    def test_idempotent(self, store: ResponseStore, tmp_path: Path) -> None:
        """Importing the same file twice adds nothing the second time."""
        fill(store)
        path = tmp_path / "c1.json"
        export_answers(store, path, "c1")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            assert import_answers(other, path).added == 5
            second = import_answers(other, path)
            assert second == ImportResult(added=0, skipped=5)
            assert str(second) == "0 answer(s) added, 5 already in the store."
            assert other.count() == 5

    def test_into_the_store_it_came_from(self, store: ResponseStore, tmp_path: Path) -> None:
        """Importing an export back into its own store changes nothing."""
        fill(store)
        export_answers(store, tmp_path / "c1.json", "c1")
        assert import_answers(store, tmp_path / "c1.json").added == 0
        assert store.count() == 6

    def test_merges_with_newer_answers(self, store: ResponseStore, tmp_path: Path) -> None:
        """An offline participant's older rows join the history without replacing a newer answer."""
        with ResponseStore(tmp_path / "laptop.sqlite") as laptop:
            laptop.save("brand.value", 2, participant="ann", cohort="c1")
            export_answers(laptop, tmp_path / "ann.json", "c1", participant="ann")
        newer = store.save("brand.value", 8, participant="ann", cohort="c1")
        assert import_answers(store, tmp_path / "ann.json").added == 1
        assert store.latest("brand.value", participant="ann", cohort="c1") == newer
        assert [r.answer for r in store.history("brand.value", participant="ann", cohort="c1")] == [2, 8]

    def test_repeated_row_in_one_file(self, store: ResponseStore, tmp_path: Path) -> None:
        """A file that holds the same record twice (two exports pasted together) imports it once."""
        store.save("brand.value", 4, participant="ann", cohort="c1")
        path = tmp_path / "e.json"
        export_answers(store, path, "c1")
        document = json.loads(path.read_text(encoding="utf-8"))
        document["responses"] *= 2
        path.write_text(json.dumps(document), encoding="utf-8")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            assert import_answers(other, path) == ImportResult(added=1, skipped=1)

    def test_timestamps_are_kept_in_utc(self, store: ResponseStore, tmp_path: Path) -> None:
        """A time with an offset is stored as the same moment in UTC; a time without one is read as UTC."""
        store.save("brand.value", 4, participant="ann", cohort="c1")
        path = tmp_path / "e.json"
        export_answers(store, path, "c1")
        document = json.loads(path.read_text(encoding="utf-8"))
        row = document["responses"][0]
        document["responses"] = [
            dict(row, uid=str(uuid.uuid4()), saved_at="2026-03-02T10:15:30.123456+01:00"),
            dict(row, uid=str(uuid.uuid4()), saved_at="2026-03-02T09:00:00"),
        ]
        path.write_text(json.dumps(document), encoding="utf-8")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            import_answers(other, path)
            times = [r.saved_at for r in other.all_responses()]
        utc = dt.timezone.utc
        assert times == [dt.datetime(2026, 3, 2, 9, 15, 30, 123456, tzinfo=utc), dt.datetime(2026, 3, 2, 9, 0, tzinfo=utc)]


class TestImportRefusals:
    def test_truncated_file_changes_nothing(self, store: ResponseStore, tmp_path: Path) -> None:
        """A file cut short is refused, saying the line and column where it breaks, and nothing is imported."""
        fill(store)
        path = tmp_path / "c1.json"
        export_answers(store, path, "c1")
        text = path.read_text(encoding="utf-8")
        path.write_text(text[: len(text) // 2], encoding="utf-8")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            other.save("brand.value", 1, participant="zed", cohort="c9")
            with pytest.raises(ImportFileError) as caught:
                import_answers(other, path)
            assert other.count() == 1
        message = str(caught.value)
        assert "c1.json is not a complete answers file: it breaks at line" in message
        assert "column" in message and "Nothing was imported" in message

    def test_bad_500th_answer_changes_nothing(self, store: ResponseStore, tmp_path: Path) -> None:
        """A file whose 500th answer is out of range is refused as a whole, naming answer #500 and the problem."""
        path, document = big_export(tmp_path, 600)
        document["responses"][499]["answer"] = 11
        path.write_text(json.dumps(document), encoding="utf-8")
        store.save("brand.value", 1, participant="zed", cohort="c9")
        with pytest.raises(ImportFileError) as caught:
            import_answers(store, path)
        message = str(caught.value)
        assert message.startswith("big.json, answer #500: ")
        assert "(brand.value): the answer must be a whole number from 1 to 10 (got 11)" in message
        assert message.endswith("Nothing was imported.")
        assert store.count() == 1

    def test_good_600_rows_all_arrive(self, store: ResponseStore, tmp_path: Path) -> None:
        """The same 600-answer file without the bad row imports completely (more than one batch)."""
        path, _ = big_export(tmp_path, 600)
        assert import_answers(store, path) == ImportResult(added=600, skipped=0)
        assert store.count("big") == 600

    @pytest.mark.parametrize("version", [FILE_VERSION + 1, 0, "1", None])
    def test_unknown_schema_version(self, store: ResponseStore, tmp_path: Path, version: object) -> None:
        """A file in another answers-file format is refused with a clear message, and nothing is imported."""
        fill(store)
        path = tmp_path / "c1.json"
        export_answers(store, path, "c1")
        document = json.loads(path.read_text(encoding="utf-8"))
        document["schema_version"] = version
        path.write_text(json.dumps(document), encoding="utf-8")
        with ResponseStore(tmp_path / "other.sqlite") as other:
            with pytest.raises(ImportFileError) as caught:
                import_answers(other, path)
            assert other.count() == 0
        assert f"c1.json was written in answers-file format {version!r}; this kit reads format {FILE_VERSION}" in str(caught.value)

    def test_not_an_answers_file(self, store: ResponseStore, tmp_path: Path) -> None:
        """Valid JSON that is not an answers file is refused."""
        path = tmp_path / "other.json"
        path.write_text('{"hello": "world"}', encoding="utf-8")
        with pytest.raises(ImportFileError, match="not a workshop-kit answers file"):
            import_answers(store, path)

    def test_missing_file(self, store: ResponseStore, tmp_path: Path) -> None:
        """A file that does not exist is named in the error."""
        with pytest.raises(ImportFileError, match="There is no file called .*nowhere.json"):
            import_answers(store, tmp_path / "nowhere.json")

    @pytest.mark.parametrize(
        ("change", "words"),
        [
            ({"exercise_id": "brand.colour"}, "no exercise called 'brand.colour'"),
            ({"participant": "<script>"}, "participant name"),
            ({"saved_at": "yesterday"}, "'saved_at' is not a date and time"),
            ({"uid": "x"}, "'uid' is not a valid record id"),
        ],
    )
    def test_bad_row_names_the_row(self, store: ResponseStore, tmp_path: Path, change: dict, words: str) -> None:
        """A bad field in a row is refused naming the answer number and the problem, and nothing is imported."""
        path, document = big_export(tmp_path, 3)
        document["responses"][1].update(change)
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(ImportFileError) as caught:
            import_answers(store, path)
        assert str(caught.value).startswith("big.json, answer #2")
        assert words in str(caught.value)
        assert store.count() == 0

    def test_nan_is_refused(self, store: ResponseStore, tmp_path: Path) -> None:
        """A file containing NaN (not valid JSON for an answer) is refused."""
        path, _ = big_export(tmp_path, 1)
        path.write_text(path.read_text(encoding="utf-8").replace('"answer": 1', '"answer": NaN'), encoding="utf-8")
        with pytest.raises(ImportFileError, match="NaN"):
            import_answers(store, path)
        assert store.count() == 0


@pytest.mark.postgres
class TestPostgresTransfer:
    def test_round_trip_through_postgres(self, store: ResponseStore, pg_store: ResponseStore, tmp_path: Path) -> None:
        """SQLite → file → PostgreSQL → file → SQLite keeps every row, answer, timestamp and history."""
        fill(store)
        export_answers(store, tmp_path / "from-sqlite.json", "c1")
        assert import_answers(pg_store, tmp_path / "from-sqlite.json") == ImportResult(added=5, skipped=0)
        assert import_answers(pg_store, tmp_path / "from-sqlite.json") == ImportResult(added=0, skipped=5)
        assert pg_store.all_responses("c1") == store.all_responses("c1")
        export_answers(pg_store, tmp_path / "from-pg.json", "c1")
        with ResponseStore(tmp_path / "back.sqlite") as back:
            import_answers(back, tmp_path / "from-pg.json")
            assert back.all_responses() == store.all_responses("c1")

    def test_bad_row_changes_nothing_on_postgres(self, pg_store: ResponseStore, tmp_path: Path) -> None:
        """On PostgreSQL too, a file whose 500th answer is bad imports nothing."""
        pg_store.save("brand.value", 1, participant="zed", cohort="c9")
        path, document = big_export(tmp_path, 600)
        document["responses"][499]["answer"] = 0
        path.write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(ImportFileError, match="answer #500"):
            import_answers(pg_store, path)
        assert pg_store.count() == 1
        document["responses"][499]["answer"] = 5
        path.write_text(json.dumps(document), encoding="utf-8")
        assert import_answers(pg_store, path).added == 600
