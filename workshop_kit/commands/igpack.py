"""The information-governance evidence pack: ``workshop-kit ig-pack``.

Written for a trust's IG lead from the kit's *real* configuration — the store it would
write to (type and location), where the room would listen, how its token is made, the
names switch, each cohort's retention rule — and from the store's *real* schema:
:data:`INVENTORY` describes every column of every table, and :func:`inventory_rows`
refuses to write a pack when a column exists that it does not describe (or the other way
round), so the data inventory cannot drift from the code.

Files written: ``README.md`` (what the pack is, and the settings it was made from),
``dpia-screening.md``, ``data-inventory.md`` and ``.csv``, ``data-flow.svg`` and
``accessibility-statement.md``.  Plain English; no legal conclusions the kit cannot back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import inspect

from .. import templating
from .._version import __version__
from ..privacy import MIN_COHORT, MIN_GROUP, release_step
from ..errors import KitError
from ..store.responses import Retention, ResponseStore


class PackError(KitError):
    """The pack cannot be written (the inventory and the schema disagree, or an axe results file is unreadable)."""


@dataclass(frozen=True)
class Column:
    """What one stored field is for, who sees it where, and how long it is kept."""

    purpose: str
    seen: str
    kept: str = "answers"  # "answers": the cohort's retention rule; or words of its own


ANSWER_KEPT = "answers"
# Every column of every table in the store (store.metadata), described for an IG reader.
INVENTORY: dict[str, dict[str, Column]] = {
    "responses": {
        "id": Column("Row number, so saves keep their order.", "No one; internal."),
        "uid": Column("A random record id, so importing the same file twice adds nothing.", "Export files only."),
        "cohort": Column("The workshop group the answer belongs to.", "Every view of that cohort (participant pages, dashboard, report, plan)."),
        "participant": Column(
            "Whose answer it is: the name set in the welcome notebook or the JupyterHub login; in a facilitated room, a key "
            "derived from the personal code (room-…), never the name.",
            "The participant (their own answers and plan); the facilitator only with the names switch on; export files (subject access).",
        ),
        "exercise_id": Column("Which exercise the answer is to.", "Every view."),
        "answer": Column(
            "What the participant answered: a number, choices, free text, a budget, a stakeholder grid or a log. Free text is "
            "screened for NHS numbers, postcodes, e-mail addresses and phone numbers before it is saved.",
            "The participant: in full. Other participants: only in aggregate (\"compare with the cohort\": counts, averages, "
            f"shares, once {MIN_COHORT} others have answered, in steps, never free text). Dashboard and report: counts and "
            f"breakdowns of {MIN_GROUP} or more; private answers as counts only; shared walls and tick-list own entries listed with no name unless the names "
            "switch is on (own entries and the closing feedback cards: never with names; the closing usefulness rating: counts and mean only).",
        ),
        "saved_at": Column("When it was saved (UTC), to find the latest answer and to apply retention by age.", "The participant (\"Saved at 14:02\"); export files."),
        "kit_version": Column("Which version of the kit saved it, for troubleshooting.", "Export files only."),
        "is_current": Column("Marks the latest version of each answer, so cohort views read one answer per person.", "No one; internal."),
    },
    "people": {
        "id": Column("Row number.", "No one; internal."),
        "cohort": Column("The room's cohort.", "The facilitator's commands (export, forget)."),
        "code": Column(
            "The personal code in the participant's link: whoever has the link can answer as them. Stored as issued so a lost "
            "link can be re-sent.",
            "The participant (in their link). No page or report shows it.",
        ),
        "participant": Column("The key their answers are saved under (derived from the code; the code cannot be worked out from it).", "Export files; forget lists it when two people typed the same name."),
        "display_name": Column("The name they typed on the welcome page.", "The participant; the facilitator only with the names switch on; export and forget match it."),
        "created_at": Column("When the link was issued (UTC), to apply retention by age.", "No one; internal."),
    },
    "retention": {
        "cohort": Column("The cohort a retention rule applies to.", "This pack; workshop-kit retention.", "Until the rule is cleared."),
        "expires_on": Column("The date all of the cohort's answers and room records expire.", "This pack; workshop-kit retention.", "Until the rule is cleared."),
        "keep_days": Column("Or: how many days each answer is kept after it was saved.", "This pack; workshop-kit retention.", "Until the rule is cleared."),
        "set_at": Column("When the rule was set (UTC).", "This pack; workshop-kit retention.", "Until the rule is cleared."),
    },
    "room_live": {
        "cohort": Column("The facilitated room's cohort.", "The presenter view and participant pages of that cohort."),
        "state": Column(
            "What the room is doing: the section and exercise it is on, self-paced or led, which results are revealed or shown "
            "live, the activity timer. No names and no answers.",
            "The presenter view (on the projector) and the room's participant pages.",
        ),
        "updated": Column("When the state last changed (UTC), to apply retention by age.", "No one; internal."),
    },
    "room_signals": {
        "cohort": Column("The room's cohort.", "The facilitator's presenter view and dashboard, as counts."),
        "participant": Column("Whose signal it is: the same key their answers are saved under, never the name.", "The participant (their own button). Others: only as counts."),
        "exercise_id": Column("Which exercise the signal is about.", "The presenter view and dashboard, as counts."),
        "signal": Column("\"Done\" or \"need help\" on that exercise.", "The participant; the presenter view and dashboard as counts (\"5 done, 2 need help\"), never who."),
        "updated": Column("When it was given (UTC), to apply retention by age.", "No one; internal."),
    },
    "kit_meta": {
        "key": Column("The name of a store setting (the store's format number).", "No one; internal.", "The life of the store."),
        "value": Column("Its value.", "No one; internal.", "The life of the store."),
    },
}


# The two tables ``workshop-kit``'s JupyterHub set-up (hub.prepare_database) adds to a PostgreSQL store.
HUB_INVENTORY: dict[str, dict[str, Column]] = {
    "wk_hub_members": {
        "login": Column(
            "The JupyterHub user's database login (hub:<their hub name>), so the database answers their \"compare with the cohort\" for their own cohort only.",
            "No page or report; the database's owner and facilitators (forget).",
            "While the user is in the cohort's JupyterHub group: written again at each server start, removed when they leave the group and by workshop-kit forget.",
        ),
        "cohort": Column(
            "The one cohort (and its follow-up waves) that login may compare with.",
            "No page or report; the database's owner and facilitators.",
            "As the login.",
        ),
    },
    "wk_compared": {
        "exercise_id": Column("Which exercises the database may compare (from the catalogue; no answers, no people).", "No one; internal.", "Until the hub set-up is run again."),
        "kind": Column("The exercise's kind (scale, budget, pick, text), so the database knows what it may return.", "No one; internal.", "Until the hub set-up is run again."),
        "options": Column("A pick's printed options, so another's own entry comes back as \"Own entry\".", "No one; internal.", "Until the hub set-up is run again."),
    },
}


def described_tables(actual: dict[str, list[str]]) -> dict[str, dict[str, Column]]:
    """What the inventory describes for a store: the kit's tables, and the hub's where the database holds them."""
    return INVENTORY | {table: columns for table, columns in HUB_INVENTORY.items() if table in actual}


@dataclass(frozen=True)
class Settings:
    """What the pack is made from: the kit's configuration as the facilitator will run it."""

    store_kind: str
    store_location: str
    host: str
    token: str
    names_switch: str
    retention: tuple[Retention, ...]
    cohort: str | None
    made_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))

    @property
    def network(self) -> str:
        from .serve import is_loopback

        if is_loopback(self.host):
            return f"this computer only ({self.host}): no other device can open the pages"
        return f"{self.host}: any device on the same network can reach the pages, and still needs the room's token"

    def retention_text(self, cohort: str | None = None) -> str:
        rules = [r for r in self.retention if cohort is None or r.cohort == cohort]
        if not rules:
            which = f"cohort {cohort}" if cohort else "any cohort"
            return f"No retention rule is set for {which}: answers are kept until deleted (workshop-kit forget, or a rule and workshop-kit purge)."
        return " ".join(f"{r.cohort}: {r.describe()}." for r in rules)


def settings_from(store: ResponseStore, *, host: str = "127.0.0.1", fixed_token: bool = False, cohort: str | None = None) -> Settings:
    """The settings of this store and of a room served as ``workshop-kit serve --host HOST``."""
    token = (
        "a fixed token given with --token (the same on every start; share it as carefully as a password)"
        if fixed_token
        else "a new random token (192 bits) made at every start of workshop-kit serve; the dashboard has its own, for this computer only"
    )
    rules = tuple(r for r in store.retention_rules() if cohort is None or r.cohort == cohort)
    return Settings(
        store_kind="SQLite file" if store.is_sqlite else "PostgreSQL database",
        store_location=store.location,
        host=host,
        token=token,
        names_switch="off by default; the facilitator can switch names on for their own screen (dashboard) or report (--names)",
        retention=rules,
        cohort=cohort,
    )


# --- the inventory -------------------------------------------------------------------------


def schema_columns(store: ResponseStore) -> dict[str, list[str]]:
    """Every table and column the store's database actually holds (read from the database, not the code)."""
    with store.engine.connect() as conn:
        found = inspect(conn)
        return {table: [c["name"] for c in found.get_columns(table)] for table in sorted(found.get_table_names())}


def inventory_rows(store: ResponseStore, settings: Settings) -> list[dict[str, str]]:
    """One row per stored field; :class:`PackError` if the store holds a field the inventory does not describe, or the reverse."""
    actual = schema_columns(store)
    inventory = described_tables(actual)
    described = {(t, c) for t, cols in inventory.items() for c in cols}
    present = {(t, c) for t, cols in actual.items() for c in cols}
    if described != present:
        extra = sorted(f"{t}.{c}" for t, c in present - described)
        missing = sorted(f"{t}.{c}" for t, c in described - present)
        raise PackError(f"The data inventory does not match the store's schema (not described: {extra or 'none'}; not in the store: {missing or 'none'}).")
    rows = []
    for table, columns in actual.items():
        for name in columns:
            info = inventory[table][name]
            kept = settings.retention_text(settings.cohort) if info.kept == ANSWER_KEPT else info.kept
            rows.append({"table": table, "field": name, "purpose": info.purpose, "who sees it": info.seen, "where": settings.store_location, "kept": kept})
    return rows


def inventory_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


# --- accessibility ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AxeAudit:
    """One page's axe-core results as the browser tests record them (test-artifacts/axe-NAME.json)."""

    page: str
    measured_at: dt.datetime
    counts: dict[str, dict[str, int]]  # "kit" / "upstream" / "chrome" -> impact -> nodes
    serious_kit: list[str]
    excluded: list[str]


IMPACTS = ("critical", "serious", "moderate", "minor")


def read_axe(path: str | os.PathLike[str]) -> AxeAudit:
    """Read one results file; the time measured is the file's own modification time."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        stamp = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
    except (OSError, ValueError) as exc:
        raise PackError(f"The axe results file {path.name} cannot be read ({exc}).") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), list) for k in ("kit", "upstream", "chrome")):
        raise PackError(f"{path.name} is not an axe results file written by the kit's browser tests (it needs 'kit', 'upstream' and 'chrome' lists).")
    counts = {where: {i: sum(e.get("impact") == i for e in data[where]) for i in IMPACTS} for where in ("kit", "upstream", "chrome")}
    serious = [f"{e.get('rule')} ({e.get('impact')}): {e.get('help', '')}" for e in data["kit"] if e.get("impact") in ("critical", "serious")]
    excluded = sorted({f"{e.get('rule')}: {e.get('excluded', '')}" for e in data["upstream"]})
    page = path.stem.removeprefix("axe-")
    return AxeAudit(page, stamp, counts, serious, excluded)


# --- writing the pack ------------------------------------------------------------------------


def md_text(text: Any) -> str:
    """Text for a Markdown table cell, shown as written: pipes, markup and HTML characters escaped, on one line."""
    text = " ".join(str(text).split())
    for ch in "\\`*[]|":
        text = text.replace(ch, "\\" + ch)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("workshop_kit", "templates"),
        autoescape=select_autoescape(["svg", "html"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_text
    env.filters["when"] = lambda t: f"{t:%d %B %Y, %H:%M} UTC"
    env.filters["split_lines"] = lambda text: text.split("\n")
    env.filters["extract"] = lambda key, mapping: mapping[key]
    env.globals["colour"] = templating.colour  # the diagram's colours, from the palette
    return env


@dataclass(frozen=True)
class Pack:
    """The files written, by name."""

    folder: Path
    files: tuple[str, ...]


def write_pack(store: ResponseStore, out: str | os.PathLike[str], settings: Settings, axe_files: Sequence[str | os.PathLike[str]] = ()) -> Pack:
    """Write every file of the pack into ``out`` (made if needed); returns what was written."""
    rows = inventory_rows(store, settings)
    audits = [read_axe(p) for p in axe_files]
    env = _environment()
    context = {
        "s": settings,
        "rows": rows,
        "audits": audits,
        "version": __version__,
        "min_cohort": MIN_COHORT,
        "step": release_step(MIN_COHORT),
        "min_group": MIN_GROUP,
        "impacts": IMPACTS,
    }
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = {
        "README.md": env.get_template("ig-readme.md.j2").render(context),
        "dpia-screening.md": env.get_template("dpia-screening.md.j2").render(context),
        "data-inventory.md": env.get_template("data-inventory.md.j2").render(context),
        "data-inventory.csv": inventory_csv(rows),
        "data-flow.svg": env.get_template("data-flow.svg").render(context),
        "accessibility-statement.md": env.get_template("accessibility-statement.md.j2").render(context),
    }
    for name, text in written.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Pack(folder, tuple(written))

