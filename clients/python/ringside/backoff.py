"""Reconnect delays: exponential, capped, with jitter, so that the many clients dropped by
one server restart do not all come back in the same millisecond."""
from __future__ import annotations

import random as _random
from typing import Callable


def backoff_delay(
    attempt: int,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    jitter: float = 0.5,
    random: Callable[[], float] = _random.random,
) -> float:
    """``min(max_delay, base_delay * 2**attempt) * (1 - jitter + 2 * jitter * random())``.

    ``attempt`` 0 is the first reconnect; ``random`` returns a number in [0, 1).
    """
    exponential = min(max_delay, base_delay * 2 ** min(attempt, 64))
    factor = 1 - jitter + 2 * jitter * random()
    return max(0.0, exponential * factor)
