"""Every evidence field's label, in every plan, reads as English: what partners read on the form."""

import re

from portal.rules.measures.windows import plural
from portal.rules.plan import load_plans


def every_label():
    for plan in load_plans().values():
        for outcome in plan.outcome_by_id.values():
            measure = outcome.measure
            options = [o["id"] for o in measure.p.get("options") or ()] if hasattr(measure, "fields_for") else []
            fields = [f for option in options for f in measure.fields_for(option)] if options else measure.fields()
            for field in fields:
                yield plan.id, outcome.id, field.label


def test_no_label_says_s_in_brackets_or_repeats_its_last_word_in_brackets():
    # The words after "confirms:" or "Confirmed:" are the plan's own, quoted as written.
    wrong = [
        (plan, outcome, label)
        for plan, outcome, label in every_label()
        if ("(s)" in label.split(": ")[0] and not label.startswith(("Practitioner confirms:", "Confirmed:")))
        or re.search(r"\b(\w+) \(\1\)", label, re.IGNORECASE)  # "the practitioner (practitioner)"
    ]
    assert wrong == []


def test_the_domestic_abuse_closure_window_asks_in_plain_words():
    labels = [label for plan, outcome, label in every_label() if (plan, outcome) == ("hertfordshire-2022", "DA1")]
    assert labels[:2] == [
        "Number of incidents of domestic abuse in the 1 month before closure",
        "Number of referrals into services in the 6 months after closure",
    ]


def test_a_plans_noun_phrase_takes_the_plural_on_its_head_noun():
    assert plural("incident of domestic abuse") == "incidents of domestic abuse"
    assert plural("re-referral into services") == "re-referrals into services"
    assert plural("missing report") == "missing reports"
    assert plural("missing from home episode") == "missing from home episodes"
    assert (
        plural("recorded ASB incidents involving family members") == "recorded ASB incidents involving family members"
    )
    assert plural("offences, arrests or ASB") == "offences, arrests or ASB"
    assert plural("entry") == "entries"
