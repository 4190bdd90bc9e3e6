"""Tests for workshop_kit.session.identity: who is answering, in which cohort, and name checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workshop_kit.errors import IdentityError
from workshop_kit.session.identity import (
    DEFAULT_COHORT,
    MAX_NAME_LENGTH,
    Identity,
    current_identity,
    load_profile,
    profile_path,
    save_profile,
    validate_name,
)


@pytest.fixture
def os_user(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make the operating-system login name 'dr.jones' (getpass reads LOGNAME first)."""
    monkeypatch.setenv("LOGNAME", "dr.jones")
    return "dr.jones"


class TestCurrentIdentityParticipant:
    def test_explicit_wins(self, os_user: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit participant beats JupyterHub, the profile and the OS user."""
        monkeypatch.setenv("JUPYTERHUB_USER", "hub-ann")
        save_profile(participant="Profile Ann")
        who = current_identity("Ann Explicit")
        assert (who.participant, who.participant_source) == ("Ann Explicit", "explicit")

    def test_jupyterhub_user_next(self, os_user: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without an explicit name, JUPYTERHUB_USER beats the profile and the OS user."""
        monkeypatch.setenv("JUPYTERHUB_USER", "hub-ann")
        save_profile(participant="Profile Ann")
        who = current_identity()
        assert (who.participant, who.participant_source) == ("hub-ann", "JupyterHub")

    def test_profile_next(self, os_user: str) -> None:
        """Without JupyterHub, the name saved by the welcome notebook is used."""
        save_profile(participant="Profile Ann")
        who = current_identity()
        assert (who.participant, who.participant_source) == ("Profile Ann", "profile")

    def test_os_user_last(self, os_user: str) -> None:
        """With nothing else, the operating-system login is the participant."""
        who = current_identity()
        assert (who.participant, who.participant_source) == (os_user, "computer login")

    def test_odd_os_user_is_cleaned(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An OS login with characters a name may not have is cleaned rather than refused."""
        monkeypatch.setenv("LOGNAME", "ann$smith/x")
        assert current_identity().participant == "annsmithx"

    def test_empty_jupyterhub_user_is_ignored(self, os_user: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """An empty JUPYTERHUB_USER counts as unset."""
        monkeypatch.setenv("JUPYTERHUB_USER", "")
        assert current_identity().participant == os_user

    def test_bad_jupyterhub_user_is_refused(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A JupyterHub user name that is not an acceptable name gives a clear IdentityError."""
        monkeypatch.setenv("JUPYTERHUB_USER", "<b>ann</b>")
        with pytest.raises(IdentityError, match="participant name"):
            current_identity()


class TestCurrentIdentityCohort:
    def test_explicit_wins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An explicit cohort beats WORKSHOP_KIT_COHORT and the profile."""
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "Env cohort")
        save_profile(cohort="Profile cohort")
        who = current_identity(cohort="Leeds 2026")
        assert (who.cohort, who.cohort_source) == ("Leeds 2026", "explicit")

    def test_environment_next(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """WORKSHOP_KIT_COHORT beats the profile."""
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "Env cohort")
        save_profile(cohort="Profile cohort")
        who = current_identity()
        assert (who.cohort, who.cohort_source) == ("Env cohort", "WORKSHOP_KIT_COHORT")

    def test_profile_next(self) -> None:
        """Without the variable, the cohort saved in the profile is used."""
        save_profile(cohort="Profile cohort")
        assert (current_identity().cohort, current_identity().cohort_source) == ("Profile cohort", "profile")

    def test_self_study_last(self) -> None:
        """With nothing else, the cohort is 'self-study'."""
        who = current_identity()
        assert (who.cohort, who.cohort_source) == (DEFAULT_COHORT, "default") == ("self-study", "default")

    def test_bad_cohort_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """An unacceptable WORKSHOP_KIT_COHORT gives a clear IdentityError naming the cohort."""
        monkeypatch.setenv("WORKSHOP_KIT_COHORT", "a/b")
        with pytest.raises(IdentityError, match="cohort name 'a/b'"):
            current_identity()

    def test_identity_is_a_value(self) -> None:
        """current_identity() returns an Identity holding both names and their sources."""
        assert current_identity("ann", "c1") == Identity("ann", "c1", "explicit", "explicit")


class TestValidateName:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [("Ann", "Ann"), ("  Ann   Smith ", "Ann Smith"), ("Siân O'Brien", "Siân O'Brien"), ("a.b@nhs.net", "a.b@nhs.net"), ("x" * MAX_NAME_LENGTH, "x" * MAX_NAME_LENGTH)],
    )
    def test_accepts(self, given: str, expected: str) -> None:
        """Letters (any alphabet), numbers, spaces and . ' @ - _ are accepted; runs of spaces collapse."""
        assert validate_name(given) == expected

    @pytest.mark.parametrize("given", ["", "   ", "\n\t"])
    def test_empty(self, given: str) -> None:
        """An empty or blank name is refused, asking for one."""
        with pytest.raises(IdentityError, match="The participant name is empty; please type one"):
            validate_name(given, "participant name")

    def test_too_long(self) -> None:
        """A name over the limit is refused with its length and the limit."""
        with pytest.raises(IdentityError, match=f"is {MAX_NAME_LENGTH + 1} characters long; the limit is {MAX_NAME_LENGTH}"):
            validate_name("x" * (MAX_NAME_LENGTH + 1))

    @pytest.mark.parametrize("given", ["<script>", "ann/bob", "ann;drop", "-ann", "_ann", "'ann", "Ann (CEO)", "ann=1", "😀 Ann"])
    def test_bad_characters(self, given: str) -> None:
        """Names with other characters, or not starting with a letter or number, are refused with the rule, quoting the name."""
        with pytest.raises(IdentityError, match="can use letters, numbers, spaces, apostrophes, hyphens and dashes") as refused:
            validate_name(given)
        assert f"'{given}'" in str(refused.value)

    @pytest.mark.parametrize(
        ("given", "named"),
        [
            ("Ann\u202eevil", "U+202E RIGHT-TO-LEFT OVERRIDE"),
            ("\u2067Ann", "U+2067 RIGHT-TO-LEFT ISOLATE"),
            ("Ann\u200fB", "U+200F RIGHT-TO-LEFT MARK"),
            ("Ann\x00", "U+0000"),
            ("Ann\x1b[31m", "U+001B"),
            ("An\u200bn", "U+200B ZERO WIDTH SPACE"),
            ("Ann\ufeff", "U+FEFF"),
        ],
    )
    def test_control_and_direction_characters_are_refused(self, given: str, named: str) -> None:
        """Control, zero-width and text-direction characters are refused, naming the character rather than printing it."""
        with pytest.raises(IdentityError, match="control") as refused:
            validate_name(given, "participant name")
        assert named in str(refused.value) and given not in str(refused.value)

    def test_stored_in_composed_form(self) -> None:
        """'Zoë' typed as e + combining diaeresis is stored as the one composed letter, so both spellings are one name."""
        decomposed = "Zoe\u0308 A\u0301da\u0301"
        assert validate_name(decomposed) == "Zoë Ádá" == validate_name("Zoë Ádá")
        assert len(validate_name("e\u0301" * MAX_NAME_LENGTH)) == MAX_NAME_LENGTH  # the limit counts composed letters

    # Names as NHS staff lists write them, from the workforce's common origins.
    REAL_NAMES = [
        "Siobhán O’Neill",  # Irish, with the curly apostrophe macOS and iOS type
        "Seán Ó Ceallaigh",
        "Aoife Ní Bhriain",
        "Rhodri ap Gwynfor",  # Welsh
        "Llŷr Ifans",
        "Angharad Wyn-Jôns",
        "Małgorzata Wójcik",  # Polish
        "Grzegorz Brzęczyszczykiewicz",
        "Olúwafẹ́mi Adébáyọ̀",  # Yoruba, with combining marks
        "Ọláolúwa Ògúnlẹ́yẹ",
        "Chiamaka Nwachukwu",  # Igbo
        "Ụzọamaka Ọkafọ̀",
        "தமிழ்செல்வி",  # Tamil
        "Thamizh Selvi",
        "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",  # Punjabi (Gurmukhi)
        "Gurpreet Kaur",
        "प्रिया शर्मा",  # Hindi
        "محمد عمران",  # Urdu
        "Muhammad ʼImran",  # modifier-letter apostrophe
        "فاطمة الزهراء",  # Arabic
        "ʿAbd al-Raḥmān",
        "王秀英",  # Chinese
        "Wáng Xiùyīng",
        "María Cristina dela Cruz",  # Filipino
        "Ma. Lourdes Santos-Reyes",
        "Anne–Marie Smith",  # en dash
        "Jean—Luc Martin",  # em dash
        "Zoë Brontë",
        "Krystyna Nowak-Kowalska",
        "Nnamdi Okonkwo",
        "Kofi Mensah",  # Akan
        "Oyelaran D’Souza",
        "Ioana Ștefănescu",  # Romanian
        "Γεώργιος Παπαδόπουλος",  # Greek
        "Gal·la Puig",  # Catalan middle dot
        "سارا می‌خواهد",  # Persian, with a zero-width non-joiner
        "Đặng Thị Hương",  # Vietnamese
        "Dr. A.B. O'Connor-Smith",
        "Nguyễn Văn An",
        "박지민",  # Korean
    ]

    @pytest.mark.parametrize("given", REAL_NAMES)
    def test_real_names_are_taken_as_typed(self, given: str) -> None:
        """Real names in any script, with curly apostrophes, dashes and combining marks, are accepted unchanged (in NFC)."""
        import unicodedata

        assert validate_name(given, "participant name") == unicodedata.normalize("NFC", given)

    def test_enough_real_names(self) -> None:
        """The list of real names is at least thirty long (the issue's bar)."""
        assert len(set(self.REAL_NAMES)) >= 30

    @pytest.mark.parametrize("given", [None, 42, ["ann"]])
    def test_not_text(self, given: object) -> None:
        """A name that is not text is refused."""
        with pytest.raises(IdentityError, match="must be text"):
            validate_name(given)


class TestSaveProfile:
    def test_saves_and_reads_back(self, kit_env: Path) -> None:
        """save_profile() writes the checked names to WORKSHOP_KIT_PROFILE as JSON."""
        assert save_profile("  Ann  Smith ", "Leeds 2026") == {"participant": "Ann Smith", "cohort": "Leeds 2026"}
        assert profile_path() == kit_env / "profile.json"
        assert json.loads((kit_env / "profile.json").read_text(encoding="utf-8")) == {"participant": "Ann Smith", "cohort": "Leeds 2026"}
        assert load_profile() == {"participant": "Ann Smith", "cohort": "Leeds 2026"}

    def test_partial_update_keeps_the_rest(self) -> None:
        """Saving only the cohort keeps the saved participant."""
        save_profile("Ann", "c1")
        assert save_profile(cohort="c2") == {"participant": "Ann", "cohort": "c2"}

    def test_bad_name_changes_nothing(self, kit_env: Path) -> None:
        """A refused name leaves the saved profile as it was."""
        save_profile("Ann", "c1")
        before = (kit_env / "profile.json").read_bytes()
        with pytest.raises(IdentityError):
            save_profile("<Ann>")
        assert (kit_env / "profile.json").read_bytes() == before

    def test_creates_the_folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The profile's folder is created when missing."""
        path = tmp_path / "new" / "deeper" / "profile.json"
        monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(path))
        save_profile("Ann")
        assert load_profile() == {"participant": "Ann"}

    def test_unwritable_place_is_a_clear_error(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """If the profile cannot be written (its folder is a file) the error says the name was not saved."""
        (tmp_path / "a-file").write_text("not a folder")
        monkeypatch.setenv("WORKSHOP_KIT_PROFILE", str(tmp_path / "a-file" / "profile.json"))
        with pytest.raises(IdentityError, match="Your name could not be saved to"):
            save_profile("Ann")

    def test_default_location(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without WORKSHOP_KIT_PROFILE the profile lives in the user's config folder for workshop-kit."""
        monkeypatch.delenv("WORKSHOP_KIT_PROFILE")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
        assert profile_path() == tmp_path / "config" / "workshop-kit" / "profile.json"


class TestLoadProfile:
    @pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"participant": 5}', ""])
    def test_unreadable_profile_is_empty(self, kit_env: Path, content: str) -> None:
        """A damaged profile reads as empty, so identity falls back instead of failing."""
        (kit_env / "profile.json").write_text(content, encoding="utf-8")
        assert load_profile() == {}

    def test_missing_profile_is_empty(self) -> None:
        """No profile file reads as empty."""
        assert load_profile() == {}

    def test_only_known_keys(self, kit_env: Path) -> None:
        """Only the participant and cohort are read from the profile."""
        (kit_env / "profile.json").write_text('{"participant": "Ann", "cohort": "c1", "role": "CIO"}', encoding="utf-8")
        assert load_profile() == {"participant": "Ann", "cohort": "c1"}
