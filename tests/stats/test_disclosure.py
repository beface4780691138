"""The rules of publication, on the pure functions every published figure goes through."""

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from stats.disclosure import MINIMUM_THRESHOLD, cell_key_round, publish

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


def _attacker_candidates(total: int, others: list[int]) -> set[int]:
    """What "total minus the other cells" leaves for a suppressed cell, knowing the method: every true count lies
    within 4 of its published value, and a suppressed one is 0-9."""
    low = total - 4 - sum(value + 4 for value in others)
    high = total + 4 - sum(value - 4 for value in others)
    return set(range(max(low, 0), min(high, 9) + 1))


def test_total_minus_the_other_cells_never_pins_a_suppressed_cell_of_1_to_8_people():
    generator = random.Random(7)
    for _ in range(20_000):
        suppressed_count = generator.randint(1, 8)
        others = [generator.randint(10, 400) for _ in range(generator.randint(1, 6))]
        total = suppressed_count + sum(others)
        # The members' keys are secret and uniform: draw each cell's sum independently, the total's too.
        published_total = cell_key_round(total, generator.randrange(256))
        published_others = [cell_key_round(count, generator.randrange(256)) for count in others]
        candidates = _attacker_candidates(published_total, published_others)
        assert suppressed_count in candidates
        assert len(candidates) >= 2
