"""Hostile and odd inputs, as data, for the bad-input tests (and anyone else's).

``HOSTILE`` lists values a participant (or a crafted import file) might send: HTML and
JavaScript injection, SQL fragments, very long strings, control characters, bidi and
emoji text, combining characters, empty answers, wrong types, NaN and infinities, huge
and negative numbers, duplicate and case-variant picks.  Each entry says what should
happen when it is sent as the answer to a text exercise with an 800-character limit
(``"store"`` or ``"refuse"``); ``shapes()`` embeds a value in the answer shape of every
exercise kind.  ``RAW_FILES`` are broken or crafted export files.  ``good_answer()``
builds a valid answer for any exercise from the catalogue, for tests that need one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

STORE, REFUSE = "store", "refuse"


@dataclass(frozen=True)
class Hostile:
    """One hostile or odd value, and what a text answer with an 800-character limit should do with it."""

    name: str
    value: Any
    as_text: str  # STORE or REFUSE


def _nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _self_referencing() -> list[Any]:
    value: list[Any] = ["loop"]
    value.append(value)
    return value


class _TextSubclass(str):
    """A str subclass, as some libraries hand back."""


H = Hostile
HOSTILE: tuple[Hostile, ...] = (
    # --- HTML and JavaScript injection: legitimate text, stored, always shown escaped
    H("script tag", "<script>alert(1)</script>", STORE),
    H("img onerror", "<img src=x onerror=alert(1)>", STORE),
    H("svg onload breaking an attribute", '"><svg onload=alert(1)>', STORE),
    H("javascript URL", "javascript:alert(1)", STORE),
    H("anchor with javascript URL", '<a href="javascript:alert(document.cookie)">my plan</a>', STORE),
    H("textarea breakout", "</textarea><script>alert(1)</script>", STORE),
    H("iframe", '<iframe src="https://evil.example/"></iframe>', STORE),
    H("template injection", "{{7*7}} ${7*7} <%= 7*7 %> {% raw %}", STORE),
    H("style tag", "<style>body{display:none}</style>", STORE),
    H("already escaped", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x3C;", STORE),
    H("mixed-case script", "<ScRiPt>alert(1)</sCrIpT>", STORE),
    H("body onload", "<body onload=alert(1)>", STORE),
    H("single-quote breakout", "'-alert(1)-'", STORE),
    H("data URL", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", STORE),
    H("mXSS nesting", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", STORE),
    H("escaped-looking script", "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e", STORE),
    H("comment opener", "<!-- everything after me is hidden", STORE),
    H("CDATA breakout", "]]><script>alert(1)</script>", STORE),
    H("autofocus onfocus", "<input autofocus onfocus=alert(1)>", STORE),
    H("URL-encoded script", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", STORE),
    H("markdown javascript link", "[my plan](javascript:alert(1))", STORE),
    H("details ontoggle", "<details open ontoggle=alert(1)>", STORE),
    H("closing pre and div", "</pre></div></td></tr></table><b>bold</b>", STORE),
    H("widget label markup", "<b onmouseover=alert(1)>hover</b>", STORE),
    H("script in JSON", '{"answer": "</script><script>alert(1)</script>"}', STORE),
    # --- SQL fragments: data, never code
    H("drop table", "'; DROP TABLE responses; --", STORE),
    H("or 1=1", '" OR 1=1 --', STORE),
    H("stacked delete", "1; DELETE FROM responses", STORE),
    H("Bobby Tables", "Robert'); DROP TABLE kit_meta;--", STORE),
    H("union select", "' UNION SELECT participant, answer FROM responses --", STORE),
    H("backslash quote", "\\'; --", STORE),
    H("LIKE wildcards", "%_% %% __", STORE),
    H("PostgreSQL dollar quote", "$$; DROP TABLE responses; $$", STORE),
    H("escape string literal", "E'\\x00'", STORE),
    H("placeholders", "? ? :name %(x)s %s {} {0}", STORE),
    H("pg_sleep", "'; SELECT pg_sleep(10); --", STORE),
    # --- lengths
    H("exactly the limit", "a" * 800, STORE),
    H("one over the limit", "a" * 801, REFUSE),
    H("10k characters", "x" * 10_000, REFUSE),
    H("1M characters", "y" * 1_000_000, REFUSE),
    H("10k of script tags", "<script>" * 1250, REFUSE),
    H("decomposed accents at the limit", "e\u0301" * 800, STORE),
    H("padding around a short answer", " " * 10_000 + "x" + "\n" * 10_000, STORE),
    H("800 emoji", "😀" * 800, STORE),
    # --- control characters
    H("NUL alone", "\x00", REFUSE),
    H("NUL inside", "good\x00answer", REFUSE),
    H("BEL", "ring \x07 ring", REFUSE),
    H("ANSI colour", "\x1b[31mred\x1b[0m", REFUSE),
    H("terminal title escape", "\x1b]0;owned\x07", REFUSE),
    H("backspaces", "secret\x08\x08\x08\x08\x08\x08public", REFUSE),
    H("DEL", "delete\x7f", REFUSE),
    H("C1 next line", "a\x85b", REFUSE),
    H("C1 CSI", "\x9b31m", REFUSE),
    H("form feed", "page\x0cbreak", REFUSE),
    H("vertical tab", "a\x0bb", REFUSE),
    H("Windows and old Mac line endings", "line one\r\nline two\rline three", STORE),
    H("tab", "column\tcolumn", STORE),
    # --- Unicode: bidi, invisible, emoji, combining, surrogates
    H("right-to-left override", "my plan \u202egnp.exe", STORE),
    H("bidi controls only", "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", REFUSE),
    H("zero-width space inside", "a\u200bb", STORE),
    H("zero-width space only", "\u200b\u200c\u200d", REFUSE),
    H("byte-order mark only", "\ufeff", REFUSE),
    H("emoji", "👩‍⚕️ clinicians first 🏥", STORE),
    H("ZWJ family", "👨‍👩‍👧‍👦", STORE),
    H("flags with tag characters", "🇬🇧 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", STORE),
    H("combining acute", "Cafe\u0301", STORE),
    H("zalgo", "Z" + "\u0336\u0334\u0335" * 60 + "algo", STORE),
    H("lone combining mark", "\u0301", STORE),
    H("Arabic, Hebrew and Chinese", "مرحبا שלום 你好", STORE),
    H("lone high surrogate", "\ud800", REFUSE),
    H("lone low surrogate inside", "a\udfffb", REFUSE),
    H("noncharacter", "\uffff", STORE),
    H("private use", "\ue000", STORE),
    H("line separator only", "\u2028\u2029", REFUSE),
    H("no-break spaces only", "\xa0\xa0\u202f", REFUSE),
    H("ideographic space only", "\u3000", REFUSE),
    H("Cyrillic homoglyph", "\u0410pple", STORE),
    H("highest code point", "\U0010ffff", STORE),
    H("mathematical bold", "𝐁𝐨𝐥𝐝 𝐩𝐥𝐚𝐧", STORE),
    H("decomposed Hangul", "\u1100\u1161", STORE),
    H("replacement character", "\ufffd\ufffd", STORE),
    H("text subclass", _TextSubclass("a str subclass"), STORE),
    # --- empty and whitespace
    H("empty", "", REFUSE),
    H("one space", " ", REFUSE),
    H("whitespace mix", "\n\t \r\n", REFUSE),
    H("padded", "   padded   ", STORE),
    # --- wrong types
    H("None", None, REFUSE),
    H("empty dict", {}, REFUSE),
    H("dict", {"text": "hi"}, REFUSE),
    H("empty list", [], REFUSE),
    H("list of text", ["hi"], REFUSE),
    H("True", True, REFUSE),
    H("False", False, REFUSE),
    H("bytes", b"<script>alert(1)</script>", REFUSE),
    H("bytearray", bytearray(b"abc"), REFUSE),
    H("zero", 0, REFUSE),
    H("five", 5, REFUSE),
    H("three and a half", 3.5, REFUSE),
    H("NaN", float("nan"), REFUSE),
    H("infinity", float("inf"), REFUSE),
    H("minus infinity", float("-inf"), REFUSE),
    H("googol", 10**100, REFUSE),
    H("5000-digit integer", 10**5000, REFUSE),
    H("minus one", -1, REFUSE),
    H("large negative", -(10**18), REFUSE),
    H("largest float", 1e308, REFUSE),
    H("negative zero", -0.0, REFUSE),
    H("complex", 1j, REFUSE),
    H("Decimal", Decimal("5"), REFUSE),
    H("set", {"a"}, REFUSE),
    H("tuple", ("a",), REFUSE),
    H("object", object(), REFUSE),
    H("deeply nested list", _nested(50_000), REFUSE),
    H("self-referencing list", _self_referencing(), REFUSE),
    H("date", dt.date(2026, 3, 31), REFUSE),
    # --- strings that look like other things
    H("number as text", "5", STORE),
    H("NaN as text", "NaN", STORE),
    H("Infinity as text", "-Infinity", STORE),
    H("null as text", "null", STORE),
    H("hex as text", "0x10", STORE),
    H("overflowing float as text", "1e309", STORE),
    H("JSON as text", '{"now": 1, "target": 10}', STORE),
    H("path traversal", "../../../../etc/passwd", STORE),
    H("format string", "%s%s%s%n {0.__class__}", STORE),
    # --- duplicate and case-variant picks (lists; a text answer refuses them)
    H("same pick twice", ["Spending", "Spending"], REFUSE),
    H("case-variant pick", ["Spending", "spending"], REFUSE),
    H("shouted pick", ["SPENDING"], REFUSE),
    H("pick with padding duplicate", ["Spending", "  Spending  "], REFUSE),
    H("sharp-s casefold duplicate", ["Straße", "STRASSE"], REFUSE),
    H("decomposed duplicate", ["Café", "Cafe\u0301"], REFUSE),
    H("pick with script", ["Spending", "<script>alert(1)</script>"], REFUSE),
    H("many picks", [f"option {i}" for i in range(10_000)], REFUSE),
    H("pick of None", [None], REFUSE),
    H("pick of number", [1], REFUSE),
)


def by_name(name: str) -> Hostile:
    """The corpus entry with this name."""
    for h in HOSTILE:
        if h.name == name:
            return h
    raise KeyError(name)


# --- answer shapes --------------------------------------------------------------------


def good_answer(ex: Any, n: int = 0) -> Any:
    """A valid answer to any catalogue exercise; ``n`` varies it."""
    if ex.kind == "scale":
        value = ex.min + n % (ex.max - ex.min + 1)
        if ex.paired:
            return {"now": value, "target": ex.max - n % (ex.max - ex.min + 1)}
        return value
    if ex.kind == "pick":
        count = max(ex.min_picks, 1)
        start = n % len(ex.options)
        options = (ex.options[start:] + ex.options[:start])[:count]
        return list(options)
    if ex.kind == "text":
        return f"A good answer number {n}."[: ex.max_length]
    if ex.kind == "budget":
        share, rest = divmod(ex.total, len(ex.headings))
        shares = {h: share for h in ex.headings}
        shares[ex.headings[n % len(ex.headings)]] += rest
        return shares
    if ex.kind == "grid":
        item = {"name": f"Stakeholder {n}", "x": ex.min, "y": ex.max, "tag": ex.tags[n % len(ex.tags)]}
        item.update({f.name: _good_field(f, n) for f in ex.fields})
        return [item]
    if ex.kind == "log":
        return [{f.name: _good_field(f, n) for f in ex.fields}]
    raise ValueError(f"unknown kind {ex.kind}")


def _good_field(f: Any, n: int) -> Any:
    if f.type == "text":
        return f"Field {f.name} {n}"[: f.max_length]
    if f.type == "number":
        return f.min
    if f.type == "choice":
        return f.choices[n % len(f.choices)]
    return "2026-03-31"


def shapes(ex: Any, value: Any) -> Iterator[tuple[str, Any]]:
    """``(where, answer)``: the hostile value placed in each slot of this exercise's answer shape."""
    good = good_answer(ex)
    if ex.kind == "scale":
        if ex.paired:
            yield "now", {"now": value, "target": ex.min}
            yield "target", {"now": ex.min, "target": value}
        else:
            yield "value", value
    elif ex.kind == "pick":
        yield "whole answer", value
        yield "one pick", [value]
        yield "pick beside an option", [ex.options[-1], value]
    elif ex.kind == "text":
        yield "text", value
    elif ex.kind == "budget":
        shares = dict(good)
        shares[ex.headings[0]] = value
        yield "a share", shares
        if isinstance(value, str):
            yield "a heading", {**good, value: 0}
        yield "whole answer", value
    elif ex.kind == "grid":
        for slot in ("name", "x", "tag", *[f.name for f in ex.fields]):
            yield f"item {slot}", [{**good[0], slot: value}]
        yield "whole answer", value
        yield "an item", [value]
    elif ex.kind == "log":
        for f in ex.fields:
            yield f"row {f.name}", [{**good[0], f.name: value}]
        if isinstance(value, str):
            yield "an extra field", [{**good[0], value: "x"}]
        yield "whole answer", value


# --- crafted export files --------------------------------------------------------------


def export_document(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A minimal export document holding these rows (format and schema as the kit writes them)."""
    return {"format": "workshop-kit-answers", "schema_version": 1, "kit_version": "0.1.0", "responses": rows}


def export_row(uid: str, exercise_id: str, answer: Any, **fields: Any) -> dict[str, Any]:
    """One row of an export file; keyword arguments override any field."""
    row = {
        "uid": uid,
        "cohort": "hostile-import",
        "participant": "Importer",
        "exercise_id": exercise_id,
        "answer": answer,
        "saved_at": "2026-03-31T09:00:00+00:00",
        "kit_version": "0.1.0",
    }
    row.update(fields)
    return row


def _doc(rows_json: str) -> bytes:
    return ('{"format": "workshop-kit-answers", "schema_version": 1, "responses": [' + rows_json + "]}").encode()


_ROW = json.dumps(export_row("00000000-0000-4000-8000-000000000001", "risk.authority", 5))

# (name, bytes of the file); every one must be refused with ImportFileError and change nothing
RAW_FILES: tuple[tuple[str, bytes], ...] = (
    ("empty file", b""),
    ("not JSON", b"this is not json"),
    ("JSON null", b"null"),
    ("JSON list", b"[]"),
    ("wrong format name", b'{"format": "something-else", "schema_version": 1, "responses": []}'),
    ("future schema", b'{"format": "workshop-kit-answers", "schema_version": 99, "responses": []}'),
    ("responses not a list", b'{"format": "workshop-kit-answers", "schema_version": 1, "responses": {}}'),
    ("row not a record", _doc('"hello"')),
    ("row missing fields", _doc('{"uid": "00000000-0000-4000-8000-000000000002"}')),
    ("truncated half-way", _doc(_ROW + "," + _ROW)[:-40]),
    ("invalid UTF-8", _doc(_ROW).replace(b"0.1.0", b"\xff\xfe\xfd")),
    ("UTF-16 file", _doc(_ROW).decode().encode("utf-16")),
    ("NaN literal", _doc(_ROW.replace(": 5,", ": NaN,"))),
    ("Infinity literal", _doc(_ROW.replace(": 5,", ": -Infinity,"))),
    ("overflowing float", _doc(_ROW.replace(": 5,", ": 1e999,"))),
    ("5000-digit integer", _doc(_ROW.replace(": 5,", ": " + "9" * 5000 + ","))),
    ("deeply nested JSON", _doc(_ROW.replace(": 5,", ": " + "[" * 100_000 + "]" * 100_000 + ","))),
    ("NUL byte in the file", _doc(_ROW).replace(b"0.1.0", b"0.1\x000")),
    ("lone surrogate escape in uid", _doc(_ROW.replace("00000000-0000-4000-8000-000000000001", "\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"))),
    ("uid too short", _doc(_ROW.replace("00000000-0000-4000-8000-000000000001", "x"))),
    ("uid not text", _doc(_ROW.replace('"00000000-0000-4000-8000-000000000001"', "12345678901234"))),
    ("lone surrogate escape in kit version", _doc(_ROW.replace('"kit_version": "0.1.0"', '"kit_version": "\\udc00"'))),
    ("kit version not text", _doc(_ROW.replace('"kit_version": "0.1.0"', '"kit_version": {"a": [1, 2]}'))),
    ("year 1 with a time zone", _doc(_ROW.replace("2026-03-31T09:00:00+00:00", "0001-01-01T00:00:00+05:00"))),
    ("year 9999 with a time zone", _doc(_ROW.replace("2026-03-31T09:00:00+00:00", "9999-12-31T23:59:59-05:00"))),
    ("saved_at not a date", _doc(_ROW.replace("2026-03-31T09:00:00+00:00", "yesterday"))),
    ("saved_at a number", _doc(_ROW.replace('"2026-03-31T09:00:00+00:00"', "1700000000"))),
    ("script in cohort", _doc(_ROW.replace('"hostile-import"', '"<script>alert(1)</script>"'))),
    ("SQL in participant", _doc(_ROW.replace('"Importer"', "\"'; DROP TABLE responses; --\""))),
    ("exercise id a list", _doc(_ROW.replace('"risk.authority"', '["risk.authority"]'))),
    ("unknown exercise", _doc(_ROW.replace('"risk.authority"', '"<img src=x onerror=alert(1)>"'))),
    ("bad row after good rows", _doc(",".join(_ROW.replace("000000000001", f"{i:012d}") for i in range(1, 200)) + "," + _ROW.replace(": 5,", ": 11,").replace("000000000001", "999999999999"))),
)
