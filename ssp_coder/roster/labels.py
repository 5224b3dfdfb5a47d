"""Timepoint and arm labels: map common spellings, catch inconsistent ones."""

from __future__ import annotations

import re
from collections import defaultdict

# Spellings labs use for the usual timepoints (normalised: lower case, no punctuation).
TIMEPOINT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "pre": ("pre", "pretest", "preintervention", "pretreatment", "baseline", "bl", "before"),
    "post": ("post", "posttest", "postintervention", "posttreatment", "outcome", "after", "end"),
    "follow-up": ("followup", "fu", "fup", "followupvisit"),
}
ORDINAL = re.compile(r"^(t|time|wave|w|visit|v)(\d+)$")


def label_key(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", value.casefold())


def resolve_timepoint(raw: str, known: list[str]) -> str | None:
    """The project's label for a roster spelling, or None if it matches none."""
    key = label_key(raw)
    for label in known:
        if label_key(label) == key:
            return label
    for label in known:
        if key in TIMEPOINT_SYNONYMS.get(label, ()):
            return label
    m = ORDINAL.match(key)
    if m:
        # T1/T2/T3 count from 1 (T0, where a lab uses it, is the first timepoint too:
        # a roster mixing T0 and T1 then shows up as a duplicate participant x timepoint).
        index = max(int(m.group(2)) - 1, 0)
        if index < len(known):
            return known[index]
    return None


def _distance_one(a: str, b: str) -> bool:
    """True when a and b differ by one edit (letters only: 'abc1' vs 'abc2' are different arms)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if re.sub(r"\D", "", a) != re.sub(r"\D", "", b):
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def spelling_problems(values: dict[str, list[int]], existing: set[str], what: str) -> list[tuple[str, list[int], str]]:
    """Find labels that are probably the same thing spelled differently.

    ``values`` maps each spelling in the roster to its row numbers. Returns
    (spelling, rows, message) for each suspicious spelling.
    """
    by_key: dict[str, set[str]] = defaultdict(set)
    for v in list(values) + list(existing):
        by_key[label_key(v)].add(v)
    out = []
    for key, spellings in by_key.items():
        if len(spellings) > 1:
            preferred = next((s for s in spellings if s in existing), None) or max(
                spellings, key=lambda s: len(values.get(s, [])))
            for s in sorted(spellings):
                if s != preferred and s in values:
                    out.append((s, values[s], f"{what} {s!r} looks like {preferred!r} spelled differently; "
                                              f"use one spelling ({preferred!r})."))
    keys = {k: max(sp, key=lambda s: len(values.get(s, [])) + (1000 if s in existing else 0))
            for k, sp in by_key.items()}
    counts = {k: sum(len(values.get(s, [])) for s in by_key[k]) + (1000 if by_key[k] & existing else 0)
              for k in by_key}
    for k, label in keys.items():
        for other, other_label in keys.items():
            if k != other and len(k) >= 4 and _distance_one(k, other) and counts[k] * 3 <= counts[other]:
                for s in by_key[k]:
                    if s in values:
                        out.append((s, values[s], f"{what} {s!r} looks like a misspelling of {other_label!r}; "
                                                  "correct it, or check that it is really a different one."))
    return out
