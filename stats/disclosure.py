"""Disclosure control of published counts: a threshold, then cell-key rounding to a multiple of 5.

Pure functions: a published value depends only on the cell's true count, the sum of its members'
secret keys and the threshold, so the same cell reads the same in every table, request and restart.
"""

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
