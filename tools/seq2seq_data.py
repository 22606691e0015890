"""Synthetic data for the two teaching seq2seq models (tools/train_seq2seq.py).

Both generators are pure Python (``random.Random``), so a seed fixes the data exactly.

Dates
-----
``date_example(rng)`` → ``(text, iso, spans)`` where ``spans`` maps ``"year"``, ``"month"``,
``"day"`` to the half-open character range ``(start, end)`` of that field in ``text``
(character index = source token index: the model's tokenizer is character level with no
source prefix). Years are 1900–2099. Conventions (documented in models/README-seq2seq.md):

* numeric dates with the year **last** are **day first**: ``25/11/2026``, ``25.11.2026``,
  ``25-11-2026``, ``5/3/1999`` (= 5 March 1999);
* numeric dates with the year **first** are year-month-day: ``2026-11-25``, ``2026/11/25``,
  ``2026.11.25``;
* month names in full or as three-letter abbreviations (optionally with a full stop), any
  case; weekday names (full or three letters) are always the true weekday of the date.
"""

from __future__ import annotations

import datetime as _dt
import random
import string
from typing import Dict, List, Tuple

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
YEAR_MIN, YEAR_MAX = 1900, 2099
_D0 = _dt.date(YEAR_MIN, 1, 1).toordinal()
_D1 = _dt.date(YEAR_MAX, 12, 31).toordinal()

DATE_SOURCE_CHARS = list(" ,./-") + list(string.digits) + list(string.ascii_lowercase)


def ordinal(d: int) -> str:
    if 10 <= d % 100 <= 20:
        suf = "th"
    else:
        suf = {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return f"{d}{suf}"


# Each template is a list of pieces: literal strings or field codes in braces.
#   {D} day, {DD} zero-padded day, {O} ordinal day, {M} month number, {MM} padded,
#   {MON} month name, {MAB} month abbreviation (maybe with "."), {Y} year,
#   {WD} weekday name, {WAB} weekday abbreviation
_WORD_TEMPLATES = [
    "{D} {MON} {Y}", "{D} {MAB} {Y}", "{O} {MON} {Y}", "{O} {MAB} {Y}",
    "{O} of {MON} {Y}", "{O} of {MON}, {Y}", "the {O} of {MON} {Y}", "{O} of {MAB} {Y}",
    "{MON} {D}, {Y}", "{MON} {D} {Y}", "{MAB} {D}, {Y}", "{MAB} {D} {Y}",
    "{MON} {O}, {Y}", "{MON} {O} {Y}", "{MAB} {O}, {Y}",
    "{D}-{MAB}-{Y}", "{DD}-{MAB}-{Y}", "{D} {MON}, {Y}",
    "{WD}, {MON} {D}, {Y}", "{WD}, {D} {MON} {Y}", "{WD} {O} {MON} {Y}", "{WAB} {D} {MAB} {Y}",
    "{WAB}, {MAB} {D}, {Y}", "{WD}, {MON} {O}, {Y}", "{WD} the {O} of {MON} {Y}",
    "{WAB} {DD}/{MM}/{Y}", "{WD}, {Y}-{MM}-{DD}",
]
_NUM_TEMPLATES = [
    "{DD}/{MM}/{Y}", "{D}/{M}/{Y}", "{DD}.{MM}.{Y}", "{D}.{M}.{Y}", "{DD}-{MM}-{Y}",
    "{Y}-{MM}-{DD}", "{Y}/{MM}/{DD}", "{Y}.{MM}.{DD}", "{Y}-{M}-{D}",
]


def _case(rng: random.Random, s: str) -> str:
    r = rng.random()
    if r < 0.45:
        return s                       # as written (Title case names)
    if r < 0.85:
        return s.lower()
    return s.upper()


def _render(template: str, date: _dt.date, rng: random.Random) -> Tuple[str, Dict[str, Tuple[int, int]]]:
    d, m, y = date.day, date.month, date.year
    mab = MONTHS[m - 1][:3] + ("." if rng.random() < 0.15 else "")
    values = {"D": str(d), "DD": f"{d:02d}", "O": ordinal(d), "M": str(m), "MM": f"{m:02d}",
              "MON": MONTHS[m - 1], "MAB": mab, "Y": str(y),
              "WD": WEEKDAYS[date.weekday()], "WAB": WEEKDAYS[date.weekday()][:3]}
    field_of = {"D": "day", "DD": "day", "O": "day", "M": "month", "MM": "month", "MON": "month",
                "MAB": "month", "Y": "year"}
    out, spans, i = [], {}, 0
    while i < len(template):
        if template[i] == "{":
            j = template.index("}", i)
            code = template[i + 1:j]
            val = values[code]
            start = sum(len(p) for p in out)
            if code in field_of:
                # the ordinal's suffix ("th") is not part of the day's digits
                end = start + (len(str(d)) if code == "O" else len(val))
                if code == "MAB" and val.endswith("."):
                    end -= 1
                spans[field_of[code]] = (start, end)
            out.append(val)
            i = j + 1
        else:
            out.append(template[i])
            i += 1
    return "".join(out), spans


def date_example(rng: random.Random) -> Tuple[str, str, Dict[str, Tuple[int, int]]]:
    date = _dt.date.fromordinal(rng.randint(_D0, _D1))
    tpl = rng.choice(_WORD_TEMPLATES) if rng.random() < 0.7 else rng.choice(_NUM_TEMPLATES)
    text, spans = _render(tpl, date, rng)
    return _case(rng, text), date.isoformat(), spans


# --------------------------------------------------------------------------
# sorting
# --------------------------------------------------------------------------

SORT_MIN, SORT_MAX = 3, 10


def sort_example(rng: random.Random) -> Tuple[str, str]:
    """3–10 distinct lowercase letters → the same letters in alphabetical order."""
    n = rng.randint(SORT_MIN, SORT_MAX)
    letters = rng.sample(string.ascii_lowercase, n)
    s = "".join(letters)
    return s, "".join(sorted(s))


def heldout(kind: str, n: int, seed: int) -> List[Tuple[str, str]]:
    """n distinct held-out (input, expected) pairs."""
    rng = random.Random(seed)
    seen, out = set(), []
    while len(out) < n:
        if kind == "date":
            text, iso, _ = date_example(rng)
        else:
            text, iso = sort_example(rng)
        if text in seen:
            continue
        seen.add(text)
        out.append((text, iso))
    return out
