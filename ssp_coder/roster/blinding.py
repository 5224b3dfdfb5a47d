"""Blinded session codes such as ``K7Q-4M2``.

Drawn at random from an alphabet without look-alike characters (no 0/O, 1/I/L,
2/Z, 5/S, 8/B), so a code reveals nothing about arm, timepoint or import
order and is easy to read aloud and type.
"""

from __future__ import annotations

import random
import secrets

ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def new_blinded_code(taken: set[str], rng: random.Random | None = None) -> str:
    """A fresh code not in ``taken`` (which is updated)."""
    choice = (rng or secrets.SystemRandom()).choice
    while True:
        code = "".join(choice(ALPHABET) for _ in range(3)) + "-" + "".join(choice(ALPHABET) for _ in range(3))
        if code not in taken:
            taken.add(code)
            return code
