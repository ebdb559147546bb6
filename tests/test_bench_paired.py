"""bench/web.py's round-by-round ratios: each round's 300-item rate against its own 5-item rate."""

import pytest

from bench.web import paired_ratios


def test_each_round_is_compared_with_its_own_round_not_with_the_fastest():
    # The fastest 300 (130) over the fastest 5 (122) is 1.07; round by round the two are 0.92 and 1.00.
    assert paired_ratios([100.0, 130.0], [108.0, 130.0]) == pytest.approx([100 / 108, 1.0])
    assert paired_ratios([100.0, 130.0], [122.0, 130.0]) != pytest.approx([130 / 122, 130 / 122])


def test_rounds_missing_from_one_side_are_an_error_not_a_shorter_list():
    with pytest.raises(ValueError):
        paired_ratios([100.0, 130.0], [108.0])
