"""The IG evidence pack: regenerated here, from real settings, and checked against the store's real schema."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import inspect

from workshop_kit.commands.cli import main
from workshop_kit.commands.igpack import INVENTORY, md_text, PackError, read_axe, schema_columns, settings_from, write_pack
from workshop_kit.store.responses import ResponseStore, metadata


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request) -> ResponseStore:
    if request.param == "postgres":
        return request.getfixturevalue("pg_store")
    return request.getfixturevalue("store")


def axe_file(folder, name="section", kit=()):
    path = folder / f"axe-{name}.json"
    path.write_text(json.dumps({"kit": list(kit), "upstream": [], "chrome": [{"rule": "region", "impact": "moderate", "target": "div", "help": "h"}]}))
    return path


class TestInventory:
    def test_describes_every_column_the_database_holds(self, any_store):
        """The inventory names exactly the tables and columns found in a real store (SQLite and PostgreSQL)."""
        any_store.count()  # create the schema
        actual = schema_columns(any_store)
        assert {t: set(c) for t, c in actual.items()} == {t: set(c) for t, c in INVENTORY.items()}
        assert {t: set(c) for t, c in INVENTORY.items()} == {t.name: {c.name for c in t.columns} for t in metadata.sorted_tables}

    def test_a_new_column_stops_the_pack(self, store, tmp_path):
        """A field added to the store without a line in the inventory refuses to write a pack, naming it."""
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE responses ADD COLUMN ip_address TEXT")
        with pytest.raises(PackError, match=r"not described: \['responses.ip_address'\]"):
            write_pack(store, tmp_path / "pack", settings_from(store))
        assert not (tmp_path / "pack" / "data-inventory.csv").exists()


class TestPack:
    def test_regenerated_from_the_real_settings(self, any_store, tmp_path, capsys):
        """The command writes every file; each states the settings it was given; the inventory CSV is the schema, row for row."""
        any_store.save("brand.value", 4, participant="ann", cohort="north-2026")
        any_store.set_retention("north-2026", expires_on=dt.date(2027, 3, 31))
        out = tmp_path / "pack"
        args = ["ig-pack", "--out", str(out), "--store", any_store.url, "--host", "0.0.0.0", "--fixed-token"]
        assert main(args) == 0
        assert "No axe results were given" in capsys.readouterr().out
        readme = (out / "README.md").read_text()
        assert md_text(any_store.location) in readme
        assert ("SQLite file" if any_store.is_sqlite else "PostgreSQL database") in readme
        assert "0.0.0.0: any device on the same network" in readme and "a fixed token given with --token" in readme
        assert "north-2026: all answers and room records deleted by the first purge on or after 31 March 2027" in readme
        assert "31 March 2027" in (out / "dpia-screening.md").read_text()
        rows = list(csv.DictReader(io.StringIO((out / "data-inventory.csv").read_text())))
        assert sorted((r["table"], r["field"]) for r in rows) == sorted((t, c) for t, cols in schema_columns(any_store).items() for c in cols)
        answer = next(r for r in rows if (r["table"], r["field"]) == ("responses", "answer"))
        assert "31 March 2027" in answer["kept"] and answer["where"] == any_store.location
        svg = ET.fromstring((out / "data-flow.svg").read_text())
        assert svg.tag.endswith("svg") and "31 March 2027" in "".join(svg.itertext())

    def test_no_retention_and_loopback(self, store, tmp_path):
        out = write_pack(store, tmp_path / "p", settings_from(store)).folder
        readme = (out / "README.md").read_text()
        assert "this computer only (127.0.0.1)" in readme and "a new random token" in readme
        assert "No retention rule is set for any cohort: answers are kept until deleted" in readme

    def test_odd_store_path_is_escaped_in_the_svg(self, tmp_path):
        """A store in a folder named with <, & and quotes still gives well-formed SVG showing the path."""
        folder = tmp_path / 'a&b <c> "d"'
        folder.mkdir()
        with ResponseStore(folder / "s.sqlite") as odd:
            odd.count()
            out = write_pack(odd, tmp_path / "p", settings_from(odd)).folder
        text = "".join("".join(ET.fromstring((out / "data-flow.svg").read_text()).itertext()).split())
        assert "".join(str(folder / "s.sqlite").split()) in text


class TestAccessibility:
    def test_without_results_nothing_is_claimed(self, store, tmp_path):
        text = (write_pack(store, tmp_path / "p", settings_from(store)).folder / "accessibility-statement.md").read_text()
        assert "No axe-core results were supplied" in text
        assert "No serious or critical problem" not in text

    def test_results_reported_with_when_they_were_measured(self, store, tmp_path):
        clean = axe_file(tmp_path, "welcome")
        bad = axe_file(tmp_path, "section", kit=[{"rule": "label", "impact": "serious", "target": "input", "help": "Form elements must have labels"}])
        text = (write_pack(store, tmp_path / "p", settings_from(store), [clean, bad]).folder / "accessibility-statement.md").read_text()
        measured = read_axe(clean).measured_at
        assert f"| welcome | {measured:%d %B %Y, %H:%M} UTC | 0 / 0 / 0 / 0 | 0 / 0 / 1 / 0 |" in text
        assert "| section |" in text and "- section: label (serious): Form elements must have labels" in text
        assert "No serious or critical problem" not in text

    def test_clean_results(self, store, tmp_path):
        text = (write_pack(store, tmp_path / "p", settings_from(store), [axe_file(tmp_path)]).folder / "accessibility-statement.md").read_text()
        assert "No serious or critical problem was found in the kit's own markup on these pages." in text

    def test_unreadable_results(self, store, tmp_path):
        wrong = tmp_path / "axe-x.json"
        wrong.write_text('{"violations": []}')
        with pytest.raises(PackError, match="not an axe results file"):
            write_pack(store, tmp_path / "p", settings_from(store), [wrong])
        assert main(["ig-pack", "--out", str(tmp_path / "q"), "--store", store.url, "--axe-results", str(tmp_path / "missing.json")]) == 1
