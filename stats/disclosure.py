"""Disclosure control of published counts: a threshold, then cell-key rounding to a multiple of 5.

Pure functions: a published value depends only on the cell's true count, the sum of its members'
secret keys and the threshold, so the same cell reads the same in every table, request and restart.
"""

from collections.abc import Callable
from typing import Final

# The Convention's roster is personal data: no setting may publish smaller groups than this.
MINIMUM_THRESHOLD: Final = 10
ROUNDING_BASE: Final = 5
KEY_SPACE: Final = 256


def suppressed() -> dict[str, object]:
    # Built afresh each time, so that no caller can alter what the next one publishes.
    return {"value": None, "suppressed": True}


def cell_key_round(count: int, key_sum: int) -> int:
    """Round to a neighbouring multiple of 5, upwards with probability remainder/5 over the keys.

    The members' keys are independent and uniform on 0-255, so their sum modulo 256 is too: the
    rounding is unbiased over many cells, never off by 5 or more, and the same for the same members.
    """
    remainder = count % ROUNDING_BASE
    lower = count - remainder
    return lower + ROUNDING_BASE if (key_sum % KEY_SPACE) * ROUNDING_BASE < remainder * KEY_SPACE else lower


def publish(*, count: int, key_sum: int, threshold: int) -> dict[str, object]:
    """The published form of a cell: suppressed below the threshold (zero included), else rounded."""
    if threshold < MINIMUM_THRESHOLD:
        raise ValueError("the disclosure threshold cannot be below the minimum")
    if count < threshold:
        return suppressed()
    return {"value": cell_key_round(count, key_sum), "suppressed": False}


# --- secondary suppression: "total minus the other cells" ---------------------------------------

Pairs = tuple[tuple[str, str], ...]
# A total is a cell of at most this many (dimension, code) pairs: the filters of a request.
TOTAL_PAIRS: Final = 2
UNBOUNDED: Final = 10**18


def _without(pairs: Pairs, index: int) -> Pairs:
    return pairs[:index] + pairs[index + 1 :]


class TotalsAudit:
    """Finds the totals that must be withheld so that no table's total minus its published rows pins a row that
    is suppressed (true count below the threshold, zero included) to a single value.

    Rounding moves every published figure by at most 4, so a table whose total and rows all land at the extremes
    of their rounding (the total down by 4 and every published row up by 4, or the reverse) can leave a
    suppressed row only one possible value, such as exactly 0 or exactly 9. Such a table's total is withheld:
    it is then published as suppressed wherever it appears, as a total or as a row of a coarser table, so that
    the same cell keeps reading the same in every table.

    The attacker assumed is the strongest a table allows: they know the method, which withheld cells hide fewer
    than `threshold` members and which were withheld here, and how many members of the total have no code in
    the broken-down dimension. Withholding a total only widens what the coarser tables containing it leave
    open (a withheld cell is known only to hold at least `threshold` members), so one pass over the tables
    suffices. Each table is audited on its own, as the question "total minus the other cells" is asked of one
    table: combining the bounds of several tables is not.

    Feed it every stored cell (`cell`) and, for the totals, how many of their members have no code in a
    dimension (`no_code`); then `withheld()` names the totals to withhold.
    """

    def __init__(
        self,
        *,
        threshold: int,
        code_counts: dict[str, int],
        single_valued: frozenset[str],
        queryable: Callable[[Pairs], bool],
    ) -> None:
        self.threshold = threshold
        # Every public code of each dimension a request may break a total down by.
        self.code_counts = code_counts
        # Dimensions in which every member has at most one code: their rows add up to the total.
        self.single_valued = single_valued
        self.queryable = queryable
        self.published: dict[Pairs, int] = {}
        # (total, dimension) -> [published rows, sum of their lowest true counts, of their highest, withheld rows]
        self.rows: dict[tuple[Pairs, str], list[int]] = {}
        self.missing: dict[tuple[Pairs, str], int] = {}

    def _bounds(self, value: int) -> tuple[int, int]:
        """The true counts a published value can stand for."""
        return max(self.threshold, value - (ROUNDING_BASE - 1)), value + ROUNDING_BASE - 1

    def cell(self, pairs: Pairs, count: int, key_sum: int) -> None:
        """A cell at or above the threshold (pairs sorted by dimension)."""
        value = cell_key_round(count, key_sum)
        if len(pairs) <= TOTAL_PAIRS:
            self.published[pairs] = value
        low, high = self._bounds(value)
        for index, (name, _code) in enumerate(pairs):
            if name in self.code_counts:
                tally = self.rows.setdefault((_without(pairs, index), name), [0, 0, 0, 0])
                tally[0] += 1
                tally[1] += low
                tally[2] += high

    def no_code(self, total: Pairs, dimension: str, count: int) -> None:
        """`count` members of `total` have no code in `dimension` (they are in no row of its breakdown)."""
        self.missing[(total, dimension)] = count

    def _pinned(self, total: Pairs, dimension: str) -> bool:
        published, low, high, withheld = self.rows.get((total, dimension), (0, 0, 0, 0))
        suppressed = self.code_counts[dimension] - published - withheld
        if suppressed <= 0:
            return False
        below = self.threshold - 1
        total_low, total_high = self._bounds(self.published[total])
        missing = self.missing.get((total, dimension), 0)
        # What the suppressed rows hold together: every member of the total is in a row or has no code; in a
        # single-valued dimension in exactly one, elsewhere in one or more.
        least = total_low - missing - high - (UNBOUNDED if withheld else 0)
        most = total_high - missing - low - self.threshold * withheld if dimension in self.single_valued else UNBOUNDED
        # One suppressed row, the others holding anything from 0 to threshold - 1 each.
        highest = min(below, most)
        lowest = max(0, least - below * (suppressed - 1))
        return highest - lowest < 1

    def withheld(self) -> set[Pairs]:
        """The totals to withhold. Checked in a fixed order, so the same cells give the same answer."""
        withheld: set[Pairs] = set()
        for total in sorted(self.published):
            if not self.queryable(total):
                continue
            names = {name for name, _code in total}
            for dimension in sorted(self.code_counts):
                if dimension not in names and self._pinned(total, dimension):
                    self._withhold(total)
                    withheld.add(total)
                    break
        return withheld

    def _withhold(self, total: Pairs) -> None:
        low, high = self._bounds(self.published.pop(total))
        for index, (name, _code) in enumerate(total):
            tally = self.rows.get((_without(total, index), name))
            if tally is not None:
                tally[0] -= 1
                tally[1] -= low
                tally[2] -= high
                tally[3] += 1
