"""The ``workshop-kit`` command: start the kit, and the facilitator's tools."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path



def _lab(args: argparse.Namespace) -> int:
    """Start JupyterLab on the welcome notebook, for self-study (this computer only)."""
    from .serve import run_lab

    return run_lab(args.notebooks and Path(args.notebooks), port=args.port, token=args.token, open_browser=not args.no_browser)


def _study(args: argparse.Namespace) -> int:
    """Open the workshop's code-free pages for self-study (this computer only), ready to answer."""
    from ..errors import KitError
    from .serve import run_study

    try:
        return run_study(args.notebooks and Path(args.notebooks), cohort=args.cohort, store=args.store, port=args.port, open_browser=not args.no_browser)
    except (KitError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1


def _room_size(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--expect takes a number of participants, such as 30 (got {text!r})") from None
    if not 1 <= value <= 500:
        raise argparse.ArgumentTypeError(f"--expect must be between 1 and 500 participants (got {value})")
    return value


def _serve(args: argparse.Namespace) -> int:
    """Serve the participant pages to a room with Voila, and the facilitator dashboard locally."""
    from ..errors import KitError
    from .serve import RoomSettings, default_notebooks, serve_room

    settings = RoomSettings(
        cohort=args.cohort,
        notebooks=Path(args.notebooks) if args.notebooks else default_notebooks(),
        host=args.host,
        port=args.port,
        token=args.token,
        store=args.store,
        dashboard=not args.no_dashboard,
        idle_minutes=args.idle_minutes,
        expect=args.expect,
        disconnect_grace=args.close_seconds,
        open_on=args.open_on,
        qr_dir=Path(args.qr_dir) if args.qr_dir else None,
    )
    try:
        return serve_room(settings)
    except (KitError, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1


def _store(args: argparse.Namespace):
    from ..store.responses import ResponseStore

    return ResponseStore(args.store)


def _kit_errors(command):
    """Run a facilitator command, turning the kit's own errors into a plain message and exit code 1."""

    def run(args: argparse.Namespace) -> int:
        from ..errors import KitError

        try:
            return command(args)
        except KitError as exc:
            print(exc, file=sys.stderr)
            return 1

    return run


@_kit_errors
def _export(args: argparse.Namespace) -> int:
    """Write one participant's answers (history included) to a JSON file."""
    from .admin import export_subject, find_subject

    with _store(args) as store:
        subject = find_subject(store, args.cohort, args.participant, code=args.code, name_only=args.name_only, doing="exported")
        n = export_subject(store, subject, args.out)
    print(f"Wrote {n} answers by {subject.described} in {subject.cohort} to {args.out}.")
    return 0


@_kit_errors
def _import(args: argparse.Namespace) -> int:
    """Add the answers in an export file to the store (all or nothing)."""
    from .admin import import_file

    with _store(args) as store:
        result = import_file(store, args.file, allow_contact_details=args.allow_contact_details)
    print(f"{result.added} added, {result.skipped} skipped (already in the store).")
    return 0


@_kit_errors
def _forget(args: argparse.Namespace) -> int:
    """Delete one participant's answers in one cohort (and a room participant's record), after confirmation."""
    from .admin import ConfirmationRefused, find_subject, forget_subject

    if not args.yes and not sys.stdin.isatty():
        print("Refusing to delete without confirmation: run this in a terminal, or add --yes.", file=sys.stderr)
        return 2

    def ask(prompt: str) -> str:
        try:
            return input(prompt)
        except EOFError:
            return ""

    with _store(args) as store:
        subject = find_subject(store, args.cohort, args.participant, code=args.code, name_only=args.name_only, doing="deleted")
        try:
            gone = forget_subject(store, subject, confirm=None if args.yes else ask)
        except ConfirmationRefused as exc:
            print(exc, file=sys.stderr)
            return 1
    who = f"{subject.described} in {subject.cohort}"
    if not gone.anything:
        print(f"No answers by {who}; nothing was deleted.")
        return 0
    records = f", and {gone.room_records} room record (the name they typed and their personal link)" if gone.room_records else ""
    print(f"Deleted {gone.answers} answers by {who}{records}. Delete any exported copies too.")
    return 0


@_kit_errors
def _demo(args: argparse.Namespace) -> int:
    """Fill the store with a made-up cohort, for rehearsing with the dashboard and report."""
    from ..store.demo import make_demo_cohort

    with _store(args) as store:
        added = make_demo_cohort(store, args.participants, args.cohort, args.seed)
        print(f"Added {added} answers by {args.participants} made-up participants to cohort {args.cohort} in {store.location}.")
        if args.follow_up:
            from ..store.demo import make_demo_follow_up
            from ..catalogue.waves import follow_up_of, wave_cohort

            later = wave_cohort(args.cohort, follow_up_of(store.catalogue).wave)
            added = make_demo_follow_up(store, args.participants, args.cohort, args.seed)
            print(f"Added {added} follow-up answers to {later}.")
    return 0


@_kit_errors
def _report(args: argparse.Namespace) -> int:
    """Write a cohort's report: HTML, XLSX and CSV."""
    from ..views.report import cohort_report

    with _store(args) as store:
        files = cohort_report(store, args.cohort, args.out, names=args.names, min_group=args.min_group)
    print(f"Wrote {files.html}, {files.xlsx} and the CSV files in {files.csv_dir}.")
    return 0


@_kit_errors
def _retention(args: argparse.Namespace) -> int:
    """Set, clear or show how long a cohort's answers are kept."""
    with _store(args) as store:
        if args.expires_on or args.keep_days or args.clear:
            if not args.cohort:
                print("Name the cohort with --cohort.", file=sys.stderr)
                return 2
            rule = store.set_retention(args.cohort, expires_on=args.expires_on, keep_days=args.keep_days)
            print(f"{args.cohort}: {rule.describe()}." if rule else f"{args.cohort}: no retention rule; answers are kept until deleted by hand.")
            return 0
        rules = [r for r in store.retention_rules() if not args.cohort or r.cohort == args.cohort]
        if not rules:
            print("No retention rule is set" + (f" for {args.cohort}" if args.cohort else "") + "; answers are kept until deleted by hand.")
        for rule in rules:
            print(f"{rule.cohort}: {rule.describe()}.")
    return 0


@_kit_errors
def _purge(args: argparse.Namespace) -> int:
    """Delete every answer and room record past its cohort's retention rule (one transaction)."""
    if not args.dry_run and not args.yes and not sys.stdin.isatty():
        print("Refusing to delete without confirmation: run this in a terminal, add --yes, or try --dry-run first.", file=sys.stderr)
        return 2
    with _store(args) as store:
        if not args.dry_run and not args.yes:
            preview = [p for p in store.purge(dry_run=True) if p.answers or p.room_records]
            if not preview:
                print("Nothing has expired; nothing was deleted.")
                return 0
            for p in preview:
                print(f"{p.cohort}: {p.answers} answers and {p.room_records} room records have expired ({p.rule.describe()}).")
            if input("Delete them now? Type yes to go ahead: ").strip().lower() != "yes":
                print("Nothing was deleted.")
                return 1
        done = store.purge(dry_run=args.dry_run)
    verb = "Would delete" if args.dry_run else "Deleted"
    if not done:
        print("No cohort has a retention rule (set one with workshop-kit retention); nothing was deleted.")
        return 0
    for p in done:
        print(f"{p.cohort}: {verb} {p.answers} answers and {p.room_records} room records ({p.rule.describe()}).")
    total = sum(p.answers for p in done), sum(p.room_records for p in done)
    tail = " Nothing was deleted (dry run)." if args.dry_run else " Delete any exported copies and reports of them too."
    print(f"In all: {total[0]} answers and {total[1]} room records.{tail}")
    return 0


@_kit_errors
def _ig_pack(args: argparse.Namespace) -> int:
    """Write the information-governance evidence pack from the kit's real settings and schema."""
    from .igpack import settings_from, write_pack

    with _store(args) as store:
        settings = settings_from(store, host=args.host, fixed_token=args.fixed_token, cohort=args.cohort)
        pack = write_pack(store, args.out, settings, args.axe_results or [])
    print(f"Wrote the IG pack to {pack.folder}: {', '.join(pack.files)}.")
    if not args.axe_results:
        print("No axe results were given, so the accessibility statement reports none (see --axe-results).")
    return 0


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date like 2026-06-30 (got {text})") from None


@_kit_errors
def _programme(args: argparse.Namespace) -> int:
    """Write the programme report: every cohort side by side, and the follow-up shifts (HTML and XLSX)."""
    from ..views.programme import programme_report

    with _store(args) as store:
        files = programme_report(store, args.cohort or None, args.out, min_group=args.min_group)
    print(f"Wrote {files.html} and {files.xlsx}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workshop-kit", description="Leadership workshops for NHS digital leaders.")
    commands = parser.add_subparsers(dest="command", required=True)
    study = commands.add_parser("study", help="open the workshop pages for self-study, ready to answer (no code, this computer only)")
    study.add_argument("--cohort", help="cohort to save answers in (default: the one saved on the welcome page, else self-study)")
    study.add_argument("--store", help="where answers are kept: a file path or database URL (default: WORKSHOP_KIT_STORE, else your data folder)")
    study.add_argument("--notebooks", help="folder of notebooks (default: the kit's own)")
    study.add_argument("--port", type=int, help="port (default: 8867 if free, else any free port)")
    study.add_argument("--no-browser", action="store_true", help="print the link but do not open a browser")
    study.set_defaults(run=_study)
    lab = commands.add_parser("lab", help="open JupyterLab on the welcome notebook (self-study, with the code)")
    lab.add_argument("--notebooks", help="folder of notebooks (default: the kit's own)")
    lab.add_argument("--port", type=int, help="port (default: 8888 if free, else any free port)")
    lab.add_argument("--token", help="access token (default: a new random one, printed in the link)")
    lab.add_argument("--no-browser", action="store_true", help="print the link but do not open a browser")
    lab.set_defaults(run=_lab)
    serve = commands.add_parser("serve", help="serve the participant pages to a room (Voila), with a token")
    serve.add_argument("--cohort", required=True, help="the cohort every answer is saved under, e.g. 'Leeds-2025-03'")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 opens the pages to the room's network (default: this computer only)")
    serve.add_argument("--port", type=int, help="port (default: 8866 if free, else any free port)")
    serve.add_argument("--token", help="the room's access token (default: a new random one, printed in the link)")
    serve.add_argument("--store", help="where answers go: a file path or database URL (default: WORKSHOP_KIT_STORE, then the default file)")
    serve.add_argument("--notebooks", help="folder of notebooks (default: the kit's own)")
    serve.add_argument("--no-dashboard", action="store_true", help="do not start the facilitator dashboard")
    serve.add_argument("--expect", type=_room_size, default=30, help="how many participants to get ready for: pages are warmed up for them before the link is shown (default: 30)")
    serve.add_argument(
        "--open-on",
        default="",
        metavar="SECTION",
        help="the section the room opens first, by number (2) or file name: the warm pages have it ready before anyone asks (later warm pages follow what the room opens)",
    )
    serve.add_argument("--qr-dir", metavar="FOLDER", help="also keep the room link's QR code (PNG and SVG) in this folder (default: a temporary folder, deleted when serving stops)")
    serve.add_argument("--close-seconds", type=float, default=90.0, help="free a participant's page this many seconds after they close it (default: 90)")
    serve.add_argument("--idle-minutes", type=float, default=15.0, help="backstop: stop any other idle Python process with no page after this many minutes (default: 15)")
    serve.set_defaults(run=_serve)
    store_help = "the store: a file path or database URL (default: WORKSHOP_KIT_STORE, then the default file)"
    participant_help = "the name their answers were saved under, or the name a room participant typed on the welcome page, or a room answer key (room-…)"
    export = commands.add_parser("export", help="write one participant's answers to a JSON file (subject access)")
    export.add_argument("--participant", help=participant_help)
    export.add_argument("--cohort", required=True)
    _add_who_options(export)
    export.add_argument("--out", required=True, help="the JSON file to write")
    export.add_argument("--store", help=store_help)
    export.set_defaults(run=_export)
    imp = commands.add_parser("import", help="add the answers in an export file to the store")
    imp.add_argument("file", help="the JSON file written by export")
    imp.add_argument(
        "--allow-contact-details",
        action="store_true",
        help="import answers holding an e-mail address or phone number the participant confirmed (NHS numbers and postcodes are always refused)",
    )
    imp.add_argument("--store", help=store_help)
    imp.set_defaults(run=_import)
    forget = commands.add_parser("forget", help="delete one participant's answers in one cohort (erasure)")
    forget.add_argument("--participant", help=participant_help)
    forget.add_argument("--cohort", required=True)
    _add_who_options(forget)
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    forget.add_argument("--store", help=store_help)
    forget.set_defaults(run=_forget)
    demo = commands.add_parser("demo", help="fill the store with a made-up cohort to rehearse with")
    demo.add_argument("--participants", type=_positive, default=30, help="how many made-up participants (default: 30)")
    demo.add_argument("--cohort", default="demo", help="the cohort to fill (default: demo)")
    demo.add_argument("--seed", type=int, help="the same seed gives the same answers (running it twice adds nothing)")
    demo.add_argument("--follow-up", action="store_true", help="also add a follow-up wave: most of the same people answering the re-asked exercises")
    demo.add_argument("--store", help=store_help)
    demo.set_defaults(run=_demo)
    report = commands.add_parser("report", help="write a cohort's report as HTML, XLSX and CSV")
    report.add_argument("--cohort", required=True)
    report.add_argument("--out", help="folder to write into (default: report-<cohort>)")
    report.add_argument("--names", action="store_true", help="list the shared free-text answers with names (keep the report to yourself)")
    report.add_argument("--min-group", type=_positive, default=3, help="no breakdown below this many answers (default: 3)")
    report.add_argument("--store", help=store_help)
    report.set_defaults(run=_report)
    retention = commands.add_parser("retention", help="set or show how long a cohort's answers are kept (applied by purge)")
    retention.add_argument("--cohort", help="the cohort (without a setting option: show its rule; default all cohorts)")
    rule = retention.add_mutually_exclusive_group()
    rule.add_argument("--expires-on", type=_date, help="delete all the cohort's answers and room records on or after this date (YYYY-MM-DD)")
    rule.add_argument("--keep-days", type=_positive, help="delete each answer this many days after it was saved")
    rule.add_argument("--clear", action="store_true", help="remove the cohort's rule (answers are then kept until deleted by hand)")
    retention.add_argument("--store", help=store_help)
    retention.set_defaults(run=_retention)
    purge = commands.add_parser("purge", help="delete every answer past its cohort's retention rule")
    purge.add_argument("--dry-run", action="store_true", help="count what would be deleted and delete nothing")
    purge.add_argument("--yes", action="store_true", help="do not ask for confirmation (for a scheduled job)")
    purge.add_argument("--store", help=store_help)
    purge.set_defaults(run=_purge)
    pack = commands.add_parser("ig-pack", help="write the information-governance pack (DPIA screening, data inventory, data flow, accessibility)")
    pack.add_argument("--out", default="ig-pack", help="folder to write into (default: ig-pack)")
    pack.add_argument("--cohort", help="describe this cohort's retention rule only (default: every cohort's)")
    pack.add_argument("--host", default="127.0.0.1", help="the --host the room will be served with (default: 127.0.0.1, this computer only)")
    pack.add_argument("--fixed-token", action="store_true", help="the room will be served with a fixed --token rather than a new random one")
    pack.add_argument("--axe-results", nargs="+", metavar="FILE", help="axe-core results written by the browser tests (test-artifacts/axe-*.json)")
    pack.add_argument("--store", help=store_help)
    pack.set_defaults(run=_ig_pack)
    prog = commands.add_parser("programme", help="write the programme report: cohorts side by side and their follow-up shifts (HTML, XLSX)")
    prog.add_argument("--cohort", action="append", help="a cohort to include (repeat for more; default: every cohort in the store)")
    prog.add_argument("--out", help="folder to write into (default: programme-report)")
    prog.add_argument("--min-group", type=_positive, default=3, help="no figures for a cohort with fewer answers than this (default: 3)")
    prog.add_argument("--store", help=store_help)
    prog.set_defaults(run=_programme)
    sheet = commands.add_parser("worksheet", help="write the paper worksheet: every exercise on A4, for a laptop-free room")
    sheet.add_argument("--out", default="worksheet.pdf", help="a .pdf (printed by Chrome, Chromium or Edge) or a .html file (default: worksheet.pdf)")
    sheet.set_defaults(run=_worksheet)
    return parser


def _add_who_options(command: argparse.ArgumentParser) -> None:
    """--code and --name-only: name one person exactly when a name fits several."""
    which = command.add_mutually_exclusive_group()
    which.add_argument("--code", help="a room participant's personal code (the end of their personal link; write --code=CODE, as a code may begin with -), or the whole link")
    which.add_argument("--name-only", action="store_true", help="only the answers saved under --participant itself, not room participants who typed that name")


@_kit_errors
def _worksheet(args: argparse.Namespace) -> int:
    """Write the paper worksheet (every exercise, A4, grey-safe) as PDF, or as HTML for a .html path."""
    from ..views.worksheet import write_worksheet

    written = write_worksheet(args.out)
    print(f"Wrote the worksheet to {written.pdf or written.html}" + (f" (and its web page, {written.html})." if written.pdf else "."))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1 (got {text})")
    return value

def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
