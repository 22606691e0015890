#!/usr/bin/python3
"""King James Bible corpus for AttnScope's corpus-trained models (tiny-lm, tiny-mlm).

Source: Debian's ``bible-kjv`` package (``apt-get install bible-kjv``); the text is read with
``bible "gen1:1-rev22:21"`` (one verse per paragraph, prefixed by its number, chapters headed by
"Book N"). The KJV text is public domain in most of the world; the package's copyright file asks
that its legend be kept with the data (quoted in models/README.md).

Split (deterministic, by chapter): the chapters are numbered 0..1188 in canonical order; chapter k
is held out when ``k % 20 == 7`` (60 chapters, about 5 % of the text, spread over the whole book).
Everything else is training text. ``tests/data/kjv-heldout.txt`` is a small subset of the
held-out chapters (one verse per line, chapters separated by blank lines).

    /usr/bin/python3 tools/kjv_corpus.py --write-heldout     # (re)writes tests/data/kjv-heldout.txt
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
from typing import List, Tuple

HELDOUT_MOD, HELDOUT_REM = 20, 7
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HELDOUT_FILE = os.path.join(ROOT, "tests", "data", "kjv-heldout.txt")
HELDOUT_FILE_CHAPTERS = 14           # first N held-out chapters go to the test file (keeps it < 60 KB)

_HEADER = re.compile(r"^([1-3] )?[A-Z][A-Za-z ]+ \d+$")
_VERSE = re.compile(r"^\s+(\d+) (.*)$")

Chapter = Tuple[str, List[str]]      # ("Genesis 1", [verse text, ...])


def read_raw(text: str = None) -> List[Chapter]:
    """Parse the `bible` program's output into chapters of verse strings."""
    if text is None:
        text = subprocess.run(["bible", "gen1:1-rev22:21"], check=True, capture_output=True,
                              text=True).stdout
    chapters: List[Chapter] = []
    cur: List[str] = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        m = _VERSE.match(line)
        if m:
            cur.append(m.group(2).strip())
        elif _HEADER.match(line):
            cur = []
            chapters.append((line.strip(), cur))
        else:                                   # wrapped continuation of the current verse
            cur[-1] = cur[-1] + " " + line.strip()
    return chapters


def split(chapters: List[Chapter]) -> Tuple[List[Chapter], List[Chapter]]:
    train, held = [], []
    for k, ch in enumerate(chapters):
        (held if k % HELDOUT_MOD == HELDOUT_REM else train).append(ch)
    return train, held


def chapter_text(ch: Chapter) -> str:
    """The LM's view of a chapter: its verses, one per line."""
    return "\n".join(ch[1]) + "\n"


def load() -> Tuple[List[Chapter], List[Chapter]]:
    chapters = read_raw()
    assert len(chapters) == 1189, len(chapters)
    assert sum(len(v) for _, v in chapters) == 31102
    return split(chapters)


def write_heldout(held: List[Chapter], path: str = HELDOUT_FILE) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(chapter_text(ch) for ch in held[:HELDOUT_FILE_CHAPTERS]))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--write-heldout", action="store_true")
    a = p.parse_args()
    train, held = load()
    print(f"train: {len(train)} chapters, {sum(len(chapter_text(c)) for c in train)} chars; "
          f"held out: {len(held)} chapters, {sum(len(chapter_text(c)) for c in held)} chars: "
          + ", ".join(n for n, _ in held))
    if a.write_heldout:
        write_heldout(held)
        print(f"wrote {HELDOUT_FILE}: {os.path.getsize(HELDOUT_FILE)} bytes "
              f"({', '.join(n for n, _ in held[:HELDOUT_FILE_CHAPTERS])})")


if __name__ == "__main__":
    main()
