"""Blinded session codes such as ``K7Q-4M2``.

Drawn at random from an alphabet without look-alike characters (no 0/O, 1/I/L,
2/Z, 5/S, 8/B), so a code reveals nothing about arm, timepoint or import
order and is easy to read aloud and type. A draw that happens to spell the start
of a timepoint or arm name ("CQ4-PRE" in a pre/post trial) is drawn again: a coder
would read it as a hint.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


ALWAYS_AVOIDED = ("pre", "post", "baseline", "follow-up")


def revealing_fragments(words: Iterable[str]) -> set[str]:
    """The three-letter starts of ``words`` (timepoints, arms) that a code could spell."""
    fragments = set()
    for word in (*ALWAYS_AVOIDED, *words):
        letters = "".join(c for c in str(word).upper() if c.isalnum())
        if len(letters) >= 3:
            fragments.add(letters[:3])
    return fragments


def new_blinded_code(taken: set[str], rng: random.Random | None = None, avoid: Iterable[str] = ()) -> str:
    """A fresh code not in ``taken`` (which is updated) that spells no start of a word in ``avoid``
    (nor of pre, post, baseline, follow-up)."""
    choice = (rng or secrets.SystemRandom()).choice
    fragments = revealing_fragments(avoid)
    while True:
        code = "".join(choice(ALPHABET) for _ in range(3)) + "-" + "".join(choice(ALPHABET) for _ in range(3))
        if code not in taken and not any(f in code.replace("-", "") for f in fragments):
            taken.add(code)
            return code
