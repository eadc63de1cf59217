"""Small counts of people are not published, and no published figure can be used to work one out.

Primary suppression: a count of people from 1 to threshold − 1 shows as "fewer than 5" (the threshold is the
PUBLIC_SMALL_COUNT_THRESHOLD setting). Zero is shown: it identifies no one.

Secondary suppression: where parts are published beside their total (the quarters of a year, the age bands of a
year's figure), a reader who knows the total, the parts shown and what each label implies can subtract. So
more parts are withheld ("not shown") until no small count can be narrowed: given the labels ("fewer than 5"
means 1–4; "not shown" means at least 5, since smaller ones say "fewer than 5"), every small count must still
be able to be anything from 1 to threshold − 1. If even withholding every other part cannot do that, the
total is withheld too, and the caller must then publish nothing else that adds up to it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from django.conf import settings


class Shown(Enum):
    MISSING = "missing"  # no approved figure
    SHOWN = "shown"
    SMALL = "small"  # primary: 1 to threshold − 1
    WITHHELD = "withheld"  # secondary: withheld so that a small count cannot be worked out


def threshold() -> int:
    return settings.PUBLIC_SMALL_COUNT_THRESHOLD


def small_count_text() -> str:
    return f"fewer than {threshold()}"


WITHHELD_TEXT = "not shown"


def primary(value: Decimal | None, limit: int) -> Shown:
    if value is None:
        return Shown.MISSING
    return Shown.SMALL if 0 < value < limit else Shown.SHOWN


@dataclass(frozen=True)
class Group:
    parts: list[Shown]
    total: Shown


def _protected(parts: Sequence[Decimal | None], states: list[Shown], limit: int) -> bool:
    """Whether, from the total and the labels, every small part could still be anything from 1 to limit − 1.

    The hidden parts add up to a known sum. Each small one is at least 1, each withheld one at least `limit`;
    how far the sum exceeds those least values is how far the reader is from pinning a small count to 1. With
    no withheld part, the reader can also bound from above (each small one is at most limit − 1).
    """
    smalls = [parts[i] for i, state in enumerate(states) if state is Shown.SMALL]
    withheld = [parts[i] for i, state in enumerate(states) if state is Shown.WITHHELD]
    if not smalls:
        return True
    room_below = sum(value - 1 for value in smalls) + sum(value - limit for value in withheld)
    if room_below < limit - 2:
        return False
    return bool(withheld) or sum(limit - 1 - value for value in smalls) >= limit - 2


def suppress_group(parts: Sequence[Decimal | None], total: Decimal | None, *, limit: int | None = None) -> Group:
    """What to show of parts that add up to a published total (missing parts count as nothing)."""
    limit = threshold() if limit is None else limit
    states = [primary(value, limit) for value in parts]
    total_state = primary(total, limit)
    if total_state is not Shown.SHOWN:
        return Group(states, total_state)
    while not _protected(parts, states, limit):
        candidates = sorted(
            (value, i)
            for i, (value, state) in enumerate(zip(parts, states, strict=True))
            if state is Shown.SHOWN and value
        )
        if not candidates:
            return Group(states, Shown.WITHHELD)
        smalls = [parts[i] for i, state in enumerate(states) if state is Shown.SMALL]
        withheld = [parts[i] for i, state in enumerate(states) if state is Shown.WITHHELD]
        needed = (limit - 2) - (sum(v - 1 for v in smalls) + sum(v - limit for v in withheld))
        # The smallest part that closes the gap on its own; failing that, the largest, and go round again.
        enough = [(value, i) for value, i in candidates if value - limit >= needed]
        _, index = enough[0] if enough else candidates[-1]
        states[index] = Shown.WITHHELD
    return Group(states, total_state)


def suppress_alone(values: Sequence[Decimal | None], *, limit: int | None = None) -> list[Shown]:
    """Figures published with no total beside them (levels such as a running total): primary suppression only."""
    limit = threshold() if limit is None else limit
    return [primary(value, limit) for value in values]
