"""Whom a need may be recorded against (Plan.need_fits): someone an outcome that can meet it is about,
within a year either side of the day it was identified (docs/rules-engine.md, "Whom a need is about")."""

import datetime as dt

import pytest

from portal.rules.plan import load_plans
from portal.rules.words import need_about_words

ON = dt.date(2024, 3, 1)


def born_aged(years: int, days_after_birthday: int = 0) -> dt.date:
    """A date of birth that makes someone `years` old on ON, `days_after_birthday` past their birthday."""
    return ON.replace(year=ON.year - years) - dt.timedelta(days=days_after_birthday)


@pytest.mark.parametrize(
    ("sentence", "plan", "need", "born", "fits"),
    [
        (
            "A 37-year-old does not fit a child's mental-health need",
            "hertfordshire-2022",
            ("HEALTH", "HEALTH1"),
            born_aged(37),
            False,
        ),
        (
            "An 18-year-old fits a child's need: they were 17 within the year",
            "hertfordshire-2022",
            ("HEALTH", "HEALTH1"),
            born_aged(18, 100),
            True,
        ),
        (
            "A 19-year-old does not fit a child's need",
            "hertfordshire-2022",
            ("HEALTH", "HEALTH1"),
            born_aged(19),
            False,
        ),
        (
            "A 16-year-old does not fit an adult's mental-health need",
            "hertfordshire-2022",
            ("HEALTH", "HEALTH2"),
            born_aged(16, 1),
            False,
        ),
        (
            "A 17-year-old fits an adult's need: they turn 18 within the year",
            "hertfordshire-2022",
            ("HEALTH", "HEALTH2"),
            born_aged(17, 1),
            True,
        ),
        ("A 3-year-old does not fit a school attendance need", "durham-2018", ("2", "4"), born_aged(3, 1), False),
        (
            "A 4-year-old fits a school attendance need: they are 5 within the year",
            "durham-2018",
            ("2", "4"),
            born_aged(4, 1),
            True,
        ),
        (
            "A 17-year-old fits Suffolk's attendance need by its 16-17 route",
            "suffolk-2017",
            ("2", "a"),
            born_aged(17),
            True,
        ),
        (
            "Anyone fits a need an outcome about anyone can meet",
            "hertfordshire-2022",
            ("FINANCE", "FINANCE2"),
            born_aged(2),
            True,
        ),
        (
            "Anyone fits Southwark's offending need, about a child or an adult",
            "southwark-2018",
            ("1", "A"),
            born_aged(45),
            True,
        ),
        ("Anyone fits a need no outcome answers", "southwark-2018", ("3", "K"), born_aged(60), True),
    ],
)
def test_whom_a_need_may_be_recorded_against(sentence, plan, need, born, fits):
    assert load_plans()[plan].need_fits(*need, born, ON) is fits, sentence


def test_a_need_identified_on_29_february_is_judged_a_year_either_side():
    plan = load_plans()["hertfordshire-2022"]
    assert plan.need_fits("HEALTH", "HEALTH1", dt.date(2005, 3, 1), dt.date(2024, 2, 29))  # 18 then, 17 a year before
    assert not plan.need_fits("HEALTH", "HEALTH1", dt.date(2004, 2, 28), dt.date(2024, 2, 29))


def test_the_words_name_everyone_the_needs_outcomes_are_about():
    plans = load_plans()
    assert need_about_words(plans["hertfordshire-2022"], "HEALTH", "HEALTH2") == "an adult (18 or over)"
    assert need_about_words(plans["hertfordshire-2022"], "EY", "EY2") == "a child aged 0 to 5"
    assert need_about_words(plans["hertfordshire-2022"], "FINANCE", "FINANCE3") == "a young person aged 16 to 18"
    # A pre-school child is a child: the narrower range is not named again.
    assert need_about_words(plans["suffolk-2017"], "3", "a") == "a child (under 18)"
    assert need_about_words(plans["suffolk-2017"], "2", "a") == (
        "a child of statutory school age (5 to 15) or a young person (16 or 17)"
    )
