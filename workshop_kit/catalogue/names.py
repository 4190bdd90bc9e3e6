"""The rule for names: participants', cohorts' and waves' (length, characters), checked with a clear error.

Any script's letters and marks are welcome, as typed, stored in Unicode's composed form
(NFC); control and text-direction characters are refused.  Every layer checks names here.
"""

from __future__ import annotations

import unicodedata

from ..errors import IdentityError

MAX_NAME_LENGTH = 64
# Punctuation a name may hold besides letters, marks and numbers: apostrophes (straight, curly,
# modifier letter), hyphens and dashes, the middle dots of Catalan and transliterated names, and
# . @ _ for logins such as JupyterHub user names.
_NAME_PUNCTUATION = set(" '\u2018\u2019\u02bc.@_\u00b7\u30fb")
# Zero-width joiners are format characters that Indic and Persian spelling needs (ZWNJ, ZWJ).
_JOINERS = {"\u200c", "\u200d"}
_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")



def validate_name(value: object, what: str = "name") -> str:
    """The name in NFC with runs of spaces made one, or :class:`IdentityError` saying what is wrong.

    Letters and marks of any script, numbers, spaces, apostrophes, hyphens and dashes are
    taken as typed; control and text-direction characters are refused (they can make a
    name read as someone else's).
    """
    if not isinstance(value, str):
        raise IdentityError(f"The {what} must be text (got {value!r}).")
    name = " ".join(value.split())
    if not name:
        raise IdentityError(f"The {what} is empty; please type one.")
    hidden = next((c for c in name if c in _BIDI_CONTROLS or (unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") and c not in _JOINERS)), None)
    if hidden is not None:
        kind = "a text-direction control" if hidden in _BIDI_CONTROLS else "an invisible control character"
        raise IdentityError(
            f"The {what} contains {kind} (U+{ord(hidden):04X} {unicodedata.name(hidden, 'unnamed')}), "
            "which can make it show differently from how it was typed; please type it again without it."
        )
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_NAME_LENGTH:
        raise IdentityError(f"The {what} is {len(name)} characters long; the limit is {MAX_NAME_LENGTH}.")
    odd = next((c for c in name if not _name_character(c)), None)
    if odd is not None or not unicodedata.category(name[0])[0] in "LN":
        problem = f"the character '{odd}' is not allowed" if odd is not None else "it must start with a letter or number"
        raise IdentityError(
            f"The {what} '{name}' can use letters, numbers, spaces, apostrophes, hyphens and dashes "
            f"(in any alphabet) and the characters . @ _ only: {problem}."
        )
    return name


def _name_character(c: str) -> bool:
    """A letter, mark or number of any script, a joiner, or one of the punctuation names use."""
    category = unicodedata.category(c)
    return category[0] in "LMN" or category == "Pd" or c in _NAME_PUNCTUATION or c in _JOINERS
