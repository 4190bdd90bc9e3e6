"""The frame every exercise widget shares: title and prompt, Save, status, unsaved marker,
and the comparison with the cohort.

A kind's widget subclasses :class:`ExerciseWidget` and supplies three things:
``_build_body()`` (its controls), ``get_answer()`` (the answer in its stored form, see
``workshop_kit.catalogue.answers``) and ``set_answer(answer)`` (fill the controls from a stored
answer).  It calls ``self._changed()`` whenever a control changes.  Handlers stay thin;
the work is done by the plain functions at the bottom of each module.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import ipywidgets as widgets
import traitlets

from .. import templating
from ..catalogue.model import Exercise
from ..summaries.compare import Comparison, comparison_for
from ..privacy import MIN_COHORT
from ..errors import AnswerError, StoreError
from ..catalogue.identifiers import IdentifierError
from ..page_css import CONTROL_MAX_WIDTH, PAGE_CSS
from ..session.identity import ROOM_SOURCE, Identity
from ..session.room import RoomCodeError, check_still_issued


WIDE_LABEL = {"description_width": "initial"}

# A click on Save waits until no control has changed for SETTLE_S (at most SETTLE_CAP_S), checking
# every SETTLE_POLL_S: ipywidgets' front end holds back a control's later values while the kernel
# handles its previous one, but sends a click at once, so the click can overtake the last value.
SETTLE_S = 0.25
SETTLE_CAP_S = 1.5
SETTLE_POLL_S = 0.1


@dataclass(frozen=True)
class SaveOutcome:
    """What happened on Save: whether it worked, the sentence to show, and the saved row."""

    ok: bool
    message: str
    response: Any = None
    confirmable: bool = False  # refused only for an e-mail address or phone number: "Save anyway" may keep it


def _sharing_note(ex: Any) -> str:
    """What the cohort views show of this exercise's answers, in one line (docs/privacy.md, "Who sees what")."""
    return str(widget_html().sharing(ex.sensitive, ex.kind, ex.kind == "pick" and ex.allow_custom))


def widget_html() -> Any:
    """The widgets' pieces of HTML: the macros of ``templates/widgets.html``."""
    return templating.macros("widgets.html")


def exercise_class(exercise_id: str) -> str:
    """The CSS class marking one exercise's box on a page (``wk-ex-risk-appetite``), so a link can land on it."""
    return "wk-ex-" + re.sub(r"[^A-Za-z0-9_-]+", "-", exercise_id)


class ExerciseWidget(widgets.VBox):
    """One exercise, shown from the catalogue, loading and saving the participant's answer."""

    kind = ""
    dirty = traitlets.Bool(False, help="True while the screen holds changes that are not saved yet.")

    def __init__(
        self,
        exercise: Exercise,
        *,
        identity: Identity,
        store: Any = None,
        open_store: Callable[[], Any] | None = None,
        min_cohort: int = MIN_COHORT,
    ):
        super().__init__()
        self.exercise = exercise
        self.identity = identity
        self.min_cohort = min_cohort
        self.store = store
        self._open_store = open_store
        self.saved: Any = None
        self._loading = False
        self._last_change = 0.0  # time.monotonic() of the last control change
        self._save_waiting = False  # a click on Save is waiting for the controls to settle
        self.add_class("wk-exercise")
        self.add_class(f"wk-kind-{self.kind}")
        self.add_class(exercise_class(exercise.id))
        self.children = [
            style_widget(),
            self._build_header(),
            *self._build_body(),
            self._build_footer(),
            self._build_compare(),
        ]
        self.observe(self._on_dirty_change, names="dirty")
        self._load()

    # --- to be supplied by each kind -------------------------------------------------------

    def _build_body(self) -> list[widgets.Widget]:
        raise NotImplementedError

    def get_answer(self) -> Any:
        """The answer on screen, in its stored form (not yet checked)."""
        raise NotImplementedError

    def set_answer(self, answer: Any) -> None:
        """Show a stored answer in the controls."""
        raise NotImplementedError

    # --- building --------------------------------------------------------------------------

    def _build_header(self) -> widgets.HTML:
        ex = self.exercise
        header = widgets.HTML(str(widget_html().header(ex.title, ex.prompt, ex.help, templating.markup(_sharing_note(ex)))))
        header.add_class("wk-prompt")
        return header

    def _build_footer(self) -> widgets.HBox:
        self.save_button = widgets.Button(description="Save", button_style="primary", icon="check", tooltip="Save your answer")
        self.save_button.add_class("wk-save")
        self.save_button.on_click(self._on_save_click)
        self.unsaved = widgets.HTML("")
        self.unsaved.add_class("wk-unsaved")
        self.status = widgets.HTML("")
        self.status.add_class("wk-status")
        self.confirm_button = widgets.Button(
            description="Save anyway",
            icon="exclamation-triangle",
            tooltip="Keep the e-mail address or phone number and save",
            layout=widgets.Layout(display="none", width="auto"),
        )
        self.confirm_button.add_class("wk-confirm-save")
        self.confirm_button.on_click(self._on_confirm_click)
        footer = widgets.HBox(
            [self.save_button, self.unsaved, self.status, self.confirm_button], layout=widgets.Layout(align_items="center", flex_flow="row wrap")
        )
        footer.add_class("wk-footer")
        return footer

    def _build_compare(self) -> widgets.VBox:
        self.compare_text = widgets.HTML("")
        self.compare_button = widgets.Button(description="Update comparison", tooltip="Read the cohort's latest answers again")
        self.compare_button.add_class("wk-compare-update")
        self.compare_button.on_click(self._on_compare_click)
        self.compare_box = widgets.VBox(
            [widgets.HTML(str(widget_html().compare_heading())), self.compare_text, self.compare_button],
            layout=widgets.Layout(display="none"),
        )
        self.compare_box.add_class("wk-compare")
        return self.compare_box

    # --- state -------------------------------------------------------------------------------

    @contextmanager
    def _quietly(self) -> Iterator[None]:
        """Change controls without marking the answer as changed (loading a saved answer)."""
        self._loading = True
        try:
            yield
        finally:
            self._loading = False

    def _changed(self) -> None:
        """Called by the kinds whenever a control changes."""
        self._last_change = time.monotonic()
        if hasattr(self, "confirm_button"):  # a confirmation holds only for the answer that was warned about
            self.confirm_button.layout.display = "none"
        if not self._loading:
            self.dirty = True

    def _on_dirty_change(self, change: dict[str, Any]) -> None:
        self.unsaved.value = "● Unsaved changes" if change["new"] else ""

    def _show_status(self, message: str, ok: bool | None) -> None:
        css = {True: "wk-status-ok", False: "wk-status-error", None: "wk-status-neutral"}[ok]
        self.status.value = str(widget_html().status(css, message))

    def _get_store(self) -> Any:
        """The store, opened now if it could not be opened before; StoreError if it still cannot."""
        if self.store is None and self._open_store is not None:
            self.store = self._open_store()
        if self.store is None:
            raise StoreError("There is no response store to save to. Ask your facilitator to check WORKSHOP_KIT_STORE.")
        return self.store

    def _load(self, saved: dict[str, Any] | None = None) -> None:
        """Show the participant's latest saved answer, if any (from ``saved``, their answers by exercise id, when
        already read for a page of exercises; otherwise asked of the store). Never writes."""
        try:
            if saved is not None:
                response = saved.get(self.exercise.id)
            else:
                response = self._get_store().latest(self.exercise.id, participant=self.identity.participant, cohort=self.identity.cohort)
        except StoreError as exc:
            self._show_status(f"✗ Your earlier answer could not be loaded: {exc}", ok=False)
            return
        if response is None:
            self._show_status("Not saved yet.", ok=None)
            return
        with self._quietly():
            self.set_answer(response.answer)
        self.saved = response
        self.dirty = False
        self._show_status(saved_message(response.saved_at), ok=True)
        self.refresh_comparison()

    # --- saving and comparing -----------------------------------------------------------------

    def save(self, allow_contact_details: bool = False) -> SaveOutcome:
        """Check and save what is on screen; the screen keeps it whatever happens.

        An answer holding an e-mail address or phone number is refused with a warning and
        a "Save anyway" button (``allow_contact_details=True``); one holding an NHS number
        or postcode is refused until it is removed.
        """
        try:
            store = self._get_store()
        except StoreError as exc:
            outcome = SaveOutcome(False, not_saved_message(self.exercise, exc))
        else:
            outcome = save_answer(store, self.exercise, self.get_answer(), self.identity, allow_contact_details=allow_contact_details)
        self._show_status(outcome.message, outcome.ok)
        self.confirm_button.layout.display = None if outcome.confirmable else "none"
        if outcome.ok:
            self.saved = outcome.response
            self.dirty = False
            self.refresh_comparison()
        return outcome

    def _on_save_click(self, button: widgets.Button) -> None:
        """Save now if the controls are still; in a kernel, wait a moment for a held-back value first."""
        if self._save_waiting:
            return  # a second click while the first one waits saves nothing more
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # plain Python: no front end can hold values back
            loop = None
        started = time.monotonic()
        if loop is None or started - self._last_change >= SETTLE_S:
            self.save()
            return
        self._save_waiting = True
        self._show_status("Saving…", ok=None)

        def save_when_settled() -> None:
            now = time.monotonic()
            if now - self._last_change < SETTLE_S and now - started < SETTLE_CAP_S:
                loop.call_later(SETTLE_POLL_S, save_when_settled)
                return
            try:
                self.save()
            finally:
                self._save_waiting = False

        loop.call_later(SETTLE_POLL_S, save_when_settled)

    def _on_confirm_click(self, button: widgets.Button) -> None:
        self.save(allow_contact_details=True)

    def refresh_comparison(self) -> Comparison | None:
        """Show where the saved answer sits against the cohort (aggregates only; in a led room, only after the reveal)."""
        if self.saved is None:
            return None
        try:
            comparison = comparison_for(self.store, self.exercise, self.identity, self.saved.answer, self.min_cohort)
        except StoreError as exc:
            comparison = Comparison(False, 0, (f"The cohort's answers could not be read: {exc}",))
        self.compare_text.value = str(widget_html().comparison(comparison.lines, comparison.note))
        self.compare_box.layout.display = None
        return comparison

    def _on_compare_click(self, button: widgets.Button) -> None:
        self.refresh_comparison()


# --- plain functions -----------------------------------------------------------------------------


def style_widget() -> widgets.HTML:
    """The exercises' style sheet: one widget per process, shown in every exercise (one model, not one per exercise)."""
    global _style_widget
    if _style_widget is None:
        _style_widget = widgets.HTML(templating.style("exercise.css", extra=PAGE_CSS))
    return _style_widget


_style_widget: widgets.HTML | None = None


def number_box(slider: Any, description: str, style: dict[str, str] | None = None) -> widgets.BoundedIntText:
    """A labelled number box holding the same value as the slider.

    Typing a number is quicker than dragging for many, and exact on a phone; the slider
    (:class:`workshop_kit.widgets.slider.RangeSlider`) shows no readout of its own.
    """
    slider.readout = False
    box = widgets.BoundedIntText(
        value=slider.value,
        min=slider.min,
        max=slider.max,
        description=description,
        style=style or WIDE_LABEL,
        layout=widgets.Layout(width="max-content", max_width=CONTROL_MAX_WIDTH),
    )
    box.add_class("wk-scale-number")
    widgets.link((slider, "value"), (box, "value"))
    return box


def save_answer(store: Any, exercise: Exercise, answer: Any, identity: Identity, *, allow_contact_details: bool = False) -> SaveOutcome:
    """Save through the store; a refusal or a store failure becomes a plain-English sentence."""
    try:
        if identity.participant_source == ROOM_SOURCE:
            check_still_issued(identity.participant, identity.cohort, store=store)
        response = store.save(
            exercise.id, answer, participant=identity.participant, cohort=identity.cohort, allow_contact_details=allow_contact_details
        )
    except IdentifierError as exc:
        return SaveOutcome(False, not_saved_message(exercise, exc), confirmable=exc.confirmable)
    except (AnswerError, StoreError, RoomCodeError) as exc:
        return SaveOutcome(False, not_saved_message(exercise, exc))
    return SaveOutcome(True, saved_message(response.saved_at), response)


def not_saved_message(exercise: Exercise, exc: Exception) -> str:
    """'✗ Not saved: …', without the exercise's id, and a reminder that nothing typed is lost."""
    reason = str(exc)
    prefix = f"{exercise.title} ({exercise.id}): "
    if reason.startswith(prefix):
        reason = reason[len(prefix) :]
        if reason[:1].islower() and reason[1:2].islower():  # the kit's own words ("please choose…"), never a participant's quoted text
            reason = reason[:1].upper() + reason[1:]
    if isinstance(exc, StoreError):
        return f"✗ Not saved: {reason} Your answer is still here; press Save again once that is fixed."
    return f"✗ Not saved: {reason}"


def saved_message(saved_at: dt.datetime, now: dt.datetime | None = None) -> str:
    """'✓ Saved at 14:02' in local time, with the date when it was not today."""
    local = saved_at.astimezone()
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone()
    if local.date() == now.date():
        return f"✓ Saved at {local:%H:%M}"
    return f"✓ Saved on {local.day} {local:%b %Y} at {local:%H:%M}"
