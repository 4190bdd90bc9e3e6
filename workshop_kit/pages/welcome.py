"""The welcome notebook's two widgets: who you are (name and cohort), and how far you have got.

``welcome()`` shows two text boxes and a Save button; pressing Save checks the names and
keeps them in the profile (``identity.save_profile``) so every other notebook records
answers under them.  Nothing is saved when the page loads.  ``progress()`` shows, section
by section, which exercises the participant has saved, in words (✓ saved / not yet) as
well as colour, so a returning self-studier knows where to pick up.  Neither writes to the
response store.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets

from .. import settings, templating
from ..bidi import isolate
from ..catalogue.model import Catalogue
from ..page_css import PAGE_CSS
from ..errors import IdentityError, KitError
from ..session.identity import COHORT_ENV, HUB_USER_ENV, load_profile, save_profile
from ..session.who import current_identity
from ..views.plan import notebook_file, notebook_number, saved_answers
from ..store.responses import default_store

ROOM_ENV, STUDY_ENV = settings.ROOM_ENV, settings.STUDY_ENV

_SOURCES = {
    "explicit": "given to this page",
    "JupyterHub": "your JupyterHub sign-in",
    "profile": "saved on the welcome page",
    "computer login": "this computer's login name, because no name has been saved yet",
    COHORT_ENV: "set by your facilitator",
    "default": "the kit's default for people working on their own",
}



def _describe_identity(participant: str, cohort: str, participant_source: str, cohort_source: str) -> Any:
    if cohort_source == COHORT_ENV and os.environ.get(STUDY_ENV):
        cohort_source = "chosen when these pages were started"
    return _macros().identity(
        isolate(participant), _SOURCES.get(participant_source, participant_source), isolate(cohort), _SOURCES.get(cohort_source, cohort_source)
    )


def _macros() -> Any:
    return templating.macros("welcome.html")


class Welcome(widgets.VBox):
    """Name and cohort boxes with a Save button; saves to the profile only when Save is pressed."""

    def __init__(self) -> None:
        super().__init__()
        self.add_class("wk-welcome")
        profile = load_profile()
        who = current_identity()
        self.hub_user = bool(os.environ.get(HUB_USER_ENV))
        self.cohort_fixed = bool(os.environ.get(COHORT_ENV))
        style = {"description_width": "8rem"}
        layout = widgets.Layout(width="min(32rem, 100%)")
        self.name = widgets.Text(
            value=who.participant if self.hub_user else profile.get("participant", ""),
            description="Your name",
            placeholder="for example Sam Patel, or just Sam",
            style=style,
            layout=layout,
            disabled=self.hub_user,
        )
        self.name.add_class("wk-welcome-name")
        self.cohort = widgets.Text(
            value=who.cohort,
            description="Cohort",
            placeholder="the name your facilitator gave you, or self-study",
            style=style,
            layout=layout,
            disabled=self.cohort_fixed,
        )
        self.cohort.add_class("wk-welcome-cohort")
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="check", tooltip="Save your name and cohort")
        self.save_button.add_class("wk-welcome-save")
        self.status = widgets.HTML()
        self.status.add_class("wk-welcome-status")
        notes = []
        if self.hub_user:
            notes.append("You are signed in, so your name comes from your sign-in and cannot be changed here.")
        if self.cohort_fixed and os.environ.get(STUDY_ENV):
            notes.append(
                f"These pages save to the cohort {who.cohort}. To use another, stop them (Ctrl-C where you started them) "
                "and start again with: workshop-kit study --cohort NAME"
            )
        elif self.cohort_fixed:
            notes.append("Your facilitator has set the cohort for this workshop.")
        self.notes = widgets.HTML(str(_macros().notes(notes)))
        self.save_button.on_click(self._on_save_click)
        self.children = [self.notes, self.name, self.cohort, self.save_button, self.status]
        ask = "change" if profile.get("participant") else "name" if self.cohort_fixed else "both"
        self.status.value = str(_macros().on_load(_describe_identity(*_parts(who)), ask))

    def save(self) -> dict[str, str] | None:
        """Check and save the names; show what happened in plain English."""
        try:
            save_profile(
                participant=None if self.hub_user else self.name.value,
                cohort=None if self.cohort_fixed else self.cohort.value,
            )
            who = current_identity()
        except IdentityError as exc:
            self.status.value = str(_macros().not_saved(str(exc)))
            return None
        self.name.value = who.participant
        self.cohort.value = who.cohort
        self.status.value = str(_macros().saved(_describe_identity(*_parts(who))))
        return {"participant": who.participant, "cohort": who.cohort}

    def _on_save_click(self, button: Any) -> None:
        self.save()


def _parts(who: Any) -> tuple[str, str, str, str]:
    return who.participant, who.cohort, who.participant_source, who.cohort_source


def _room_on() -> bool:
    return settings.in_room()


def welcome() -> Any:
    """The welcome notebook's name-and-cohort form (in a room served by Voilà: the personal-link form)."""
    if _room_on():
        from .room_panel import room_links

        return room_links()
    return Welcome()


# --- progress ----------------------------------------------------------------------------------


def _where_you_got_to(catalogue: Catalogue, saved: dict[str, Any]) -> Any:
    """"Your last save: <exercise>, on <date>", from the saved answers' times (empty when nothing is saved)."""
    dated = [(r.saved_at, key) for key, r in saved.items() if getattr(r, "saved_at", None) is not None and key in catalogue]
    if not dated:
        return ""
    when, key = max(dated)
    local = when.astimezone()  # this computer's time zone
    title = catalogue.exercise(key).title
    return _macros().last_save(title, f"{local.day} {local:%B %Y at %H:%M}")


def page_href(page: str, exercise: str | None = None, query: str | None = None) -> str:
    """A link to a section page from the welcome page: on a page opened with a personal code (a room or
    ``workshop-kit study``), the same page showing that section and landing on ``exercise``; in
    JupyterLab, the notebook file."""
    from ..session.room import code_from_query, page_link

    code = code_from_query(query)
    return page_link(page, code, exercise=exercise) if code else page


def progress_html(catalogue: Catalogue, saved: set[str] | dict[str, Any], *, href: Any = None) -> str:
    """Where you got to, a link to the next unanswered exercise, and (folded, under a one-line count) a table
    of every section's exercises, each marked "✓ saved" or "not yet" (``href(notebook file, exercise id)`` makes the link); all text escaped."""
    saved_ids = set(saved)
    rows = []
    total = done = 0
    next_up = None
    next_exercise = None
    for section in catalogue.sections:
        exercises = catalogue.exercises_in(section.id)
        section_done = sum(e.id in saved_ids for e in exercises)
        total += len(exercises)
        done += section_done
        if next_exercise is None:
            next_exercise = next((e for e in exercises if e.id not in saved_ids), None)
        if next_up is None and section_done < len(exercises):
            next_up = section
        rows.append((notebook_number(section), section.title, section_done, [(e.title, e.id in saved_ids) for e in exercises]))
    if next_up is None:
        advice = "You have saved every exercise: open notebook 11 to export your development plan."
    elif done == 0:
        advice = "You have not saved any answers yet: start with notebook 01."
    else:
        advice = f"Pick up at notebook {notebook_number(next_up)}: {next_up.title}."
    caption = f"You have saved {done} of {total} exercises. {advice}"
    where = _where_you_got_to(catalogue, saved) if isinstance(saved, dict) else ""
    link = next_words = None
    if next_up is not None and next_exercise is not None:
        link = (href or page_href)(notebook_file(next_up), next_exercise.id)
        next_words = f"Next unanswered exercise: {next_exercise.title} (notebook {notebook_number(next_up)}, {next_up.title})"
    return str(_macros().progress(templating.markup(templating.style("progress.css", extra=PAGE_CSS)), where, link, next_words, caption, rows))


class Progress(widgets.VBox):
    """The participant's progress table, with a button to read it again after saving more answers."""

    def __init__(self, store: Any = None, participant: str | None = None, cohort: str | None = None) -> None:
        super().__init__()
        self.add_class("wk-progress-widget")
        self.store = store if store is not None else default_store()
        self._participant, self._cohort = participant, cohort
        self.heading = widgets.HTML()
        self.table = widgets.HTML()
        self.table.add_class("wk-progress-table")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh", tooltip="Read your saved answers again")
        self.refresh_button.add_class("wk-progress-refresh")
        self.refresh_button.on_click(self._on_refresh_click)
        self.children = [self.heading, self.refresh_button, self.table]
        self.refresh()

    def refresh(self) -> None:
        """Read the participant's saved answers again and redraw the table."""
        try:
            who = current_identity(self._participant, self._cohort, store=self.store)
            answers = saved_answers(self.store, who.participant, who.cohort)
            name = who.participant
            if _room_on() and self._participant is None:
                from ..session.room import room_person

                name = room_person(store=self.store).display_name
        except IdentityError as exc:
            if _room_on() and self._participant is None:
                message = "Your progress appears here once you are using your personal link: get it above, then open it."
                self.heading.value = str(templating.macros("messages.html").status(message))
            else:
                self.heading.value = str(templating.macros("messages.html").alert(str(exc)))
            self.table.value = ""
            return
        except KitError as exc:
            self.heading.value = str(templating.macros("messages.html").alert(str(exc)))
            self.table.value = ""
            return
        self.heading.value = str(_macros().heading(isolate(name), who.cohort))
        self.table.value = progress_html(self.store.catalogue, answers)

    def _on_refresh_click(self, button: Any) -> None:
        self.refresh()


def progress(store: Any = None, participant: str | None = None, cohort: str | None = None) -> Progress:
    """The welcome notebook's progress table: which exercises you have saved, section by section."""
    return Progress(store=store, participant=participant, cohort=cohort)
