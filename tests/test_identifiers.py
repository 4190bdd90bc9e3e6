"""The pre-submit guard: NHS numbers, e-mail addresses, UK phone numbers and postcodes in free text.

True and false positives for the finder; the store refusing (and, for e-mail and phone
only, accepting after confirmation); every widget kind with free text showing the warning
and a "Save anyway" path only where one is allowed; imports refused, naming the answer.
"""

from __future__ import annotations

import html
import json

import pytest
from widget_helpers import *  # noqa: F403
from widget_helpers import make
from browser_helpers import browser  # noqa: F401 - a fixture

from workshop_kit.commands.cli import main
from workshop_kit.errors import ImportFileError
from workshop_kit.catalogue.identifiers import EMAIL, NHS_NUMBER, PHONE, POSTCODE, IdentifierError, find_identifiers, nhs_number_valid
from workshop_kit.store.responses import ResponseStore
from workshop_kit.store.transfer import export_answers, import_answers

VALID_NHS = "943 476 5919"  # passes Modulus 11 (a number from NHS Digital's test range)
INVALID_NHS = "943 476 5918"  # same digits, wrong check digit


def shown(widget) -> str:
    """The status line as the participant reads it."""
    return html.unescape(widget.status.value)


def kinds(text: str) -> list[str]:
    return [f.kind for f in find_identifiers(text)]


class TestNhsNumber:
    @pytest.mark.parametrize("digits", ["9434765919", "4010232137", "0000000000"])
    def test_modulus_11_passes(self, digits):
        """Ten digits whose weighted sum leaves the stated check digit pass."""
        assert nhs_number_valid(digits)

    @pytest.mark.parametrize("digits", ["9434765918", "1234567890", "123456789", "94347659190", "943476591x"])
    def test_modulus_11_fails(self, digits):
        """A wrong check digit, a check of 10, or the wrong length fail."""
        assert not nhs_number_valid(digits)

    @pytest.mark.parametrize(
        "text",
        [f"Patient {VALID_NHS} was delayed", "NHS no. 9434765919.", "ref 943-476-5919", "９４３４７６５９１９", "943\u200b476\u200b5919"],
    )
    def test_found_with_or_without_spaces(self, text):
        """Spaced, unspaced, hyphenated, full-width and zero-width-split forms are all found."""
        assert kinds(text) == [NHS_NUMBER]

    def test_invalid_number_is_not_flagged(self):
        """Ten digits that fail the check are not an NHS number (and not a phone number)."""
        assert kinds(f"Order {INVALID_NHS} arrived") == []

    def test_the_number_is_never_repeated(self):
        """The warning names an NHS number by its last four digits only."""
        (found,) = find_identifiers(VALID_NHS)
        assert found.shown == "ending 5919" and "943" not in found.describe()


class TestOthers:
    @pytest.mark.parametrize("text", ["write to j.smith@nhs.net please", "Sam.Jones+cio@leeds-th.nhs.uk"])
    def test_email(self, text):
        assert kinds(text) == [EMAIL]

    @pytest.mark.parametrize(
        "text", ["call 07912 345678", "ring 0113 496 0000 today", "(0113) 496 0000", "+44 7700 900123", "+44 (0)20 7946 0018", "01134960000"]
    )
    def test_uk_phone(self, text):
        assert kinds(text) == [PHONE]

    @pytest.mark.parametrize("text", ["Clinic at LS1 4AP", "SW1A 2AA", "ec1a1bb", "EC1A 1BB."])
    def test_postcode(self, text):
        assert kinds(text) == [POSTCODE]

    @pytest.mark.parametrize(
        "text",
        [
            "Our strategy runs 2019-2024, then 2025–2030.",
            "between 2020 and 2030",
            "Budget line 4: £1,250,000 over 2025/26 and 2026/27, cost centre 4410",
            "Capital: 3000000; revenue 1,200,000",
            "0.5 WTE from 01/04/2026",
            "Go-live 2024-0001-17",
            "Meet on the 1st floor, M1 1st floor",
            "the A1 road, ward 7B, room 101",
            "We hit 95% of the 4-hour target in Q3 4th week",
            "12 WTE, 3 band 8a posts",
            "email me @ the usual address",
        ],
    )
    def test_false_positives(self, text):
        """Year ranges, budget lines, dates and ordinary numbers are left alone."""
        assert kinds(text) == []

    def test_several_found_in_order(self):
        assert kinds(f"{VALID_NHS}, a@b.org, 07912 345678, LS1 4AP") == [NHS_NUMBER, EMAIL, PHONE, POSTCODE]


class TestStoreRefuses:
    def test_nhs_number_never_stored(self, store):
        """An NHS number is refused even when contact details are allowed; nothing is written."""
        for allow in (False, True):
            with pytest.raises(IdentifierError, match="NHS number") as info:
                store.save("risk.limits", f"The case of {VALID_NHS}", participant="ann", cohort="c", allow_contact_details=allow)
            assert not info.value.confirmable
        assert store.count() == 0

    def test_postcode_cannot_be_confirmed(self, store):
        with pytest.raises(IdentifierError, match="postcode"):
            store.save("risk.limits", "She lives at LS1 4AP", participant="ann", cohort="c", allow_contact_details=True)
        assert store.count() == 0

    def test_email_saved_after_confirmation(self, store):
        """An e-mail address is refused, then saved once the participant confirms it."""
        with pytest.raises(IdentifierError) as info:
            store.save("risk.limits", "Ask governance@trust.nhs.uk first", participant="ann", cohort="c")
        assert info.value.confirmable and "Save anyway" in str(info.value)
        assert store.count() == 0
        store.save("risk.limits", "Ask governance@trust.nhs.uk first", participant="ann", cohort="c", allow_contact_details=True)
        assert store.latest("risk.limits", participant="ann", cohort="c").answer == "Ask governance@trust.nhs.uk first"

    def test_earlier_answer_kept(self, store):
        """A refused save leaves the earlier answer as it was."""
        store.save("risk.limits", "Free to act on IT; not on estates.", participant="ann", cohort="c")
        with pytest.raises(IdentifierError):
            store.save("risk.limits", f"See {VALID_NHS}", participant="ann", cohort="c")
        assert [r.answer for r in store.history("risk.limits", participant="ann", cohort="c")] == ["Free to act on IT; not on estates."]


class TestWidgets:
    def test_text_warns_and_offers_no_confirmation_for_nhs_number(self, kit_store):
        w = make("risk.limits", kit_store)
        w.box.value = f"I could not stop the discharge of {VALID_NHS}."
        w.save_button.click()
        assert "Not saved" in shown(w) and "an NHS number (ending 5919) in your answer" in shown(w)
        assert w.confirm_button.layout.display == "none"
        assert kit_store.count() == 0 and w.dirty
        assert w.box.value.endswith(f"{VALID_NHS}.")  # nothing typed is lost

    def test_text_phone_confirmed(self, kit_store):
        """A phone number: a warning naming it, 'Save anyway' saves it; editing withdraws the offer."""
        w = make("risk.limits", kit_store)
        w.box.value = "The on-call line is 0113 496 0000."
        w.save_button.click()
        assert "a phone number (0113 496 0000) in your answer" in shown(w)
        assert w.confirm_button.layout.display is None and kit_store.count() == 0
        w.box.value = "The on-call line is 0113 496 0001."
        assert w.confirm_button.layout.display == "none"  # the confirmation was for the other text
        w.save_button.click()
        w.confirm_button.click()
        assert "Saved" in shown(w) and w.confirm_button.layout.display == "none"
        assert kit_store.latest("risk.limits", participant="alice", cohort="cohort-a").answer == "The on-call line is 0113 496 0001."

    def test_removing_it_saves(self, kit_store):
        w = make("risk.limits", kit_store)
        w.box.value = "Write to a.b@nhs.net"
        w.save_button.click()
        w.box.value = "Write to the governance team"
        w.save_button.click()
        assert "Saved" in shown(w) and kit_store.count() == 1

    def test_pick_own_entry(self, kit_store):
        w = make("brand.seen-today", kit_store)
        for button in w.options[:2]:
            button.value = True
        w.custom.value = "Known at LS1 4AP"
        w.save_button.click()
        assert "a postcode (LS1 4AP) in your own choice" in shown(w) and kit_store.count() == 0

    def test_grid_item_and_note(self, kit_store):
        w = make("system.map", kit_store)
        w.items[0].name.value = "Director of nursing"
        w.items[0].fields["expect"].value = "Call on 07912 345678"
        w.save_button.click()
        assert "a phone number (07912 345678) in item 1's 'What they expect of me'" in shown(w)
        assert w.confirm_button.layout.display is None
        w.confirm_button.click()
        assert kit_store.count() == 1

    def test_log_field(self, kit_store):
        w = make("relationships.log", kit_store)
        w.rows[0].controls["stakeholder"].value = "Ward manager"
        w.rows[0].controls["heard"].value = f"Worried about patient {VALID_NHS}"
        w.save_button.click()
        assert "an NHS number (ending 5919) in row 1's 'What I heard about their challenges'" in shown(w)
        assert w.confirm_button.layout.display == "none" and kit_store.count() == 0


def export_with(tmp_path, answer, exercise_id="risk.limits"):
    """An export file whose one answer has been edited to hold ``answer`` (as a hand-edited file would)."""
    with ResponseStore(tmp_path / "source.sqlite") as source:
        source.save(exercise_id, "placeholder", participant="ann", cohort="c")
        path = tmp_path / "ann.json"
        export_answers(source, path, "c", "ann")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["responses"][0]["answer"] = answer
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class TestImport:
    def test_nhs_number_refused_naming_the_answer(self, store, tmp_path):
        path = export_with(tmp_path, f"About {VALID_NHS}")
        with pytest.raises(ImportFileError) as info:
            import_answers(store, path, allow_contact_details=True)
        message = str(info.value)
        assert "answer #1 (risk.limits, saved by ann in c) holds an NHS number (ending 5919)" in message
        assert "Nothing was imported" in message and "943" not in message
        assert store.count() == 0

    def test_email_needs_the_flag(self, store, tmp_path, capsys):
        path = export_with(tmp_path, "Ask ig@trust.nhs.uk")
        with pytest.raises(ImportFileError, match="--allow-contact-details"):
            import_answers(store, path)
        assert store.count() == 0
        assert main(["import", str(path), "--store", store.url, "--allow-contact-details"]) == 0
        assert store.count() == 1

    def test_cli_refusal(self, store, tmp_path, capsys):
        path = export_with(tmp_path, "Seen at SW1A 2AA")
        assert main(["import", str(path), "--store", store.url]) == 1
        assert "a postcode (SW1A 2AA)" in capsys.readouterr().err


@pytest.mark.browser
def test_the_warning_in_a_served_page(browser, tmp_path):  # noqa: F811
    """In a real room page: the warning names the NHS number and offers no Save anyway; an e-mail address gets one and saves."""
    from browser_helpers import ARTIFACTS, exercise_box, join_room, new_page, save_and_wait, served_room, wait_for_page

    with served_room(tmp_path / "room.sqlite", dashboard=False) as room, new_page(browser) as page:
        code = join_room(page, room, "Dee")
        page.goto(room.page_url("02-risk.ipynb", code))
        wait_for_page(page, ".wk-save")
        limits = exercise_box(page, "The limits of your role")
        limits.locator("textarea").fill(f"I could not stop the discharge of {VALID_NHS}.")
        status = save_and_wait(limits, "✗ Not saved")
        assert "an NHS number (ending 5919) in your answer" in status and "943 476" not in status
        assert not limits.locator(".wk-confirm-save").is_visible()
        limits.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(exist_ok=True)
        limits.screenshot(path=str(ARTIFACTS / "identifier-warning-nhs.png"))
        limits.locator("textarea").fill("Escalate to governance@trust.nhs.uk when unsure.")
        save_and_wait(limits, "contact details")
        confirm = limits.locator(".wk-confirm-save")
        confirm.wait_for(state="visible")
        limits.screenshot(path=str(ARTIFACTS / "identifier-warning-email.png"))
        confirm.click()
        limits.locator(".wk-status").filter(has_text="✓ Saved").wait_for()
    with ResponseStore(tmp_path / "room.sqlite") as store:
        (row,) = store.all_responses()
        assert row.answer == "Escalate to governance@trust.nhs.uk when unsure." and row.exercise_id == "risk.limits"
