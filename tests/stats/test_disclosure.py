"""The rules of publication, on the pure functions every published figure goes through."""

import json
import os
import random
import subprocess
import sys
from itertools import combinations_with_replacement
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stats.disclosure import MINIMUM_THRESHOLD, TotalsAudit, cell_key_round, publish
from stats.services import Member, stats_cells

ALL_KEY_SUMS = range(256 * 3)


@pytest.mark.parametrize("threshold", [10, 11, 15, 50])
def test_no_true_count_below_the_threshold_ever_yields_a_number(threshold):
    for count in range(threshold):
        for key_sum in ALL_KEY_SUMS:
            assert publish(count=count, key_sum=key_sum, threshold=threshold) == {"value": None, "suppressed": True}


def test_zero_and_one_to_nine_publish_byte_identical_cells():
    published = {
        json.dumps(publish(count=count, key_sum=key_sum, threshold=10)).encode()
        for count in range(10)
        for key_sum in ALL_KEY_SUMS
    }
    assert published == {b'{"value": null, "suppressed": true}'}


def test_every_published_value_is_at_least_10_a_multiple_of_5_and_within_5_of_the_truth():
    for count in range(10, 2000):
        for key_sum in range(256):
            value = publish(count=count, key_sum=key_sum, threshold=10)["value"]
            assert value >= 10
            assert value % 5 == 0
            assert abs(value - count) < 5


def test_mean_error_is_near_zero_over_many_cells():
    generator = random.Random(20261130)
    errors = []
    for _ in range(100_000):
        count = generator.randint(10, 5000)
        members_keys = generator.randrange(256) + 256 * generator.randrange(count)
        errors.append(cell_key_round(count, members_keys) - count)
    assert abs(sum(errors) / len(errors)) < 0.05
    # and not trivially: cells really are moved both ways
    assert min(errors) == -4 and max(errors) == 4


def test_rounding_depends_only_on_the_count_and_the_key_sum_modulo_256():
    for count in range(10, 200):
        for key_sum in range(256):
            assert cell_key_round(count, key_sum) == cell_key_round(count, key_sum + 256 * 7)


def test_a_threshold_below_10_is_refused_by_publication():
    with pytest.raises(ValueError):
        publish(count=20, key_sum=0, threshold=MINIMUM_THRESHOLD - 1)


def test_a_threshold_setting_below_10_stops_the_portal_at_startup():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "STATS_THRESHOLD": "9", "DJANGO_SETTINGS_MODULE": "portal.test_settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "STATS_THRESHOLD cannot be below 10" in result.stderr
    raised = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=root,
        env={**env, "STATS_THRESHOLD": "25"},
        capture_output=True,
        text=True,
    )
    assert raised.returncode == 0, raised.stderr


# --- "total minus the other cells" cannot pin a suppressed cell ------------------------------------
#
# Small rosters over two dimensions: d (codes a-d; some members have none, some both a and b, so that it is
# sometimes single- and sometimes multi-valued) and f (codes x, y). Every table a request can ask (a total of
# at most two filters broken down by d or by f) is attacked by brute force, independently of the audit's own
# arithmetic: the attacker knows the method (published = true count rounded by at most 4, never below the
# threshold), which withheld cells are below the threshold and which were withheld by the audit, how many
# members of the total have no code, and whether rows can overlap. For every row whose true count is below
# the threshold, the set of true counts consistent with all of the table's published figures must hold the
# truth and at least one other value.

THRESHOLD = 10
D_CODES, F_CODES = ("a", "b", "c", "d"), ("x", "y")
D_GROUPS = ("a", "b", "c", "d", None, "ab")
# Counts around the threshold and of every remainder modulo 5, those that round by 4 (1 and 4) more often.
SIZES = [0, 0, 0, 0, 1, 1, 2, 4, 5, 8, 9, 9, 10, 11, 11, 12, 14, 14, 15, 16, 16, 19, 21, 24, 26, 36]
# Keys that push a rounding to either extreme (the sum below 51 rounds a remainder of 1 up, above 204 a
# remainder of 4 down), and any other.
KEYS = st.one_of(st.sampled_from([0, 0, 50, 205, 250, 255]), st.integers(0, 255))


def _members(groups: dict[tuple[str | None, str], tuple[int, int]]) -> list[Member]:
    members = []
    for (d, f), (size, key) in groups.items():
        codes = {"d": frozenset(d or ""), "f": frozenset({f})}
        members += [Member(key=key if n == 0 else 0, codes=codes) for n in range(size)]
    return members


def _published(members: list[Member]) -> dict[tuple, dict]:
    audit = TotalsAudit(
        threshold=THRESHOLD,
        code_counts={"d": len(D_CODES), "f": len(F_CODES)},
        single_valued=frozenset(n for n in "df" if all(len(m.codes[n]) <= 1 for m in members)),
        queryable=lambda pairs: len(pairs) <= 2,
    )
    cells = {}
    for name, count, key_sum in stats_cells(members=members, dimensions=["d", "f"], threshold=THRESHOLD, audit=audit):
        pairs = tuple(tuple(pair.split("=")) for pair in name.split("&")) if name else ()
        cells[pairs] = publish(count=count, key_sum=key_sum, threshold=THRESHOLD)
    for pairs in audit.withheld():
        cells[pairs] = publish(count=0, key_sum=0, threshold=THRESHOLD)
    return cells


def _truth(members: list[Member], pairs: tuple) -> int:
    return sum(1 for m in members if all(code in m.codes[name] for name, code in pairs))


def _row_range(published: dict | None, truth: int, total_high: int) -> range:
    """What the attacker may say of one row from its own published figure."""
    if published is not None and not published["suppressed"]:
        value = published["value"]
        return range(max(THRESHOLD, value - 4), min(value + 4, total_high) + 1)
    if truth < THRESHOLD:
        return range(THRESHOLD)
    return range(THRESHOLD, total_high + 1)  # withheld by the audit: known (at best) to be at least the threshold


def _sums_and_maxima(ranges: list[range]) -> set[tuple[int, int]]:
    reachable = {(0, 0)}
    for values in ranges:
        reachable = {(total + v, max(top, v)) for total, top in reachable for v in values}
    return reachable


def _consistent_values(rows: list[range], target: int, total: range, missing: int, single: bool) -> set[int]:
    others = _sums_and_maxima(rows[:target] + rows[target + 1 :])
    values = set()
    for x in rows[target]:
        for rest, top in others:
            held = x + rest + missing  # members counted in the rows (with repeats when rows overlap) and the rest
            if single and held in total:
                values.add(x)
                break
            # Overlapping rows: the total holds at least its largest row and at most the rows together.
            if not single and max(x, top, total.start) <= min(held, total.stop - 1):
                values.add(x)
                break
    return values


def _attack_every_table(members: list[Member]) -> int:
    cells = _published(members)
    attacked = 0
    totals = [()] + [((n, c),) for n, codes in (("d", D_CODES), ("f", F_CODES)) for c in codes]
    totals += [(("d", c), ("f", g)) for c in D_CODES for g in F_CODES]
    for total in totals:
        published_total = cells.get(total)
        for name, codes in (("d", D_CODES), ("f", F_CODES)):
            if name in dict(total) or published_total is None or published_total["suppressed"]:
                continue
            value = published_total["value"]
            total_range = range(max(THRESHOLD, value - 4), value + 5)
            row_pairs = [tuple(sorted((*total, (name, code)))) for code in codes]
            truths = [_truth(members, pairs) for pairs in row_pairs]
            ranges = [_row_range(cells.get(p), t, total_range.stop - 1) for p, t in zip(row_pairs, truths, strict=True)]
            missing = sum(1 for m in members if not m.codes[name] and all(c in m.codes[n] for n, c in total))
            single = all(len(m.codes[name]) <= 1 for m in members)
            for index, truth in enumerate(truths):
                if truth < THRESHOLD:
                    consistent = _consistent_values(ranges, index, total_range, missing, single)
                    assert truth in consistent
                    assert len(consistent) >= 2, (total, name, codes[index], truth, consistent)
                    attacked += 1
    return attacked


group_strategy = st.tuples(st.sampled_from(SIZES), KEYS)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.fixed_dictionaries({(d, f): group_strategy for d in D_GROUPS for f in F_CODES}))
@example(  # four rows of 9 under a total of 36 that rounds up to 40: the rows would all be pinned to 9
    {(d, f): ((9, 0) if f == "x" and d in ("a", "b", "c", "d") else (0, 0)) for d in D_GROUPS for f in F_CODES}
)
@example(  # a row of 0 beside three rows of 11 rounded up to 15, under a total of 34 (one member with no code)
    # rounded down to 30: the fourth row would be pinned to 0
    {
        **{(d, f): (0, 0) for d in D_GROUPS for f in F_CODES},
        ("a", "x"): (11, 0),
        ("b", "x"): (11, 0),
        ("c", "x"): (11, 0),
        (None, "x"): (1, 250),
    }
)
def test_total_minus_the_other_cells_cannot_pin_a_suppressed_cell(groups):
    _attack_every_table(_members(groups))


# One table exhaustively: four rows of every size that rounds by the most (or is suppressed at 0 or 9), with keys
# that round them up or down, beside members with no code or with two codes (overlapping rows).
ROW_CHOICES = [(size, key) for size in (0, 9, 11, 14, 16, 19) for key in (0, 255)]
OTHER_CHOICES = [(0, 0), (1, 0), (1, 250), (4, 0), (4, 250)]


@pytest.mark.parametrize("other_group", [None, "ab"])
def test_total_minus_the_other_cells_cannot_pin_a_suppressed_cell_in_any_small_table(other_group):
    attacked = 0
    for rows in combinations_with_replacement(ROW_CHOICES, len(D_CODES)):
        for other in OTHER_CHOICES:
            groups = {(d, "x"): row for d, row in zip(D_CODES, rows, strict=True)} | {(other_group, "x"): other}
            attacked += _attack_every_table(_members(groups))
    assert attacked > 10_000


def test_the_audit_withholds_a_total_only_when_a_table_would_pin_a_row():
    # The same four rows of 9, but a total that rounds down to 35 leaves each row 5 to 9: nothing is withheld.
    pinned = {(d, "x"): (9, 0) for d in D_CODES}
    assert _published(_members(pinned))[()]["suppressed"]
    open_rows = {(d, "x"): (9, 0) for d in D_CODES} | {("a", "x"): (9, 255)}
    assert _published(_members(open_rows))[()] == {"value": 35, "suppressed": False}
    assert _attack_every_table(_members(open_rows)) > 0


def test_without_the_audit_the_extreme_roundings_would_pin_a_row():
    """The attack the audit stops is real: with every figure published as rounded, a row of 9 reads as 9 exactly."""
    members = _members({(d, "x"): (9, 0) for d in D_CODES})
    total = publish(count=36, key_sum=0, threshold=THRESHOLD)["value"]
    assert total == 40
    rows = [range(THRESHOLD)] * 4
    assert _consistent_values(rows, 0, range(36, 45), 0, True) == {9}
    assert all(_truth(members, (("d", d),)) == 9 for d in D_CODES)
