"""The statutory and expected pages linked from every page's footer.

Each council that runs the portal is the data controller and the owner of
these pages, so the few details only it can give (its name, contacts, its data
protection officer) come from settings: the environment, under the names in
COUNCIL_DETAILS. Until a council sets one, the page shows an obvious
placeholder in square brackets and a warning that the page is not finished
(docs/accessibility.md).
"""

import os
from dataclasses import dataclass

from flask import current_app


@dataclass(frozen=True)
class Detail:
    text: str
    placeholder: bool  # True while the council has not set it

    def __str__(self):
        return self.text


# setting name -> what the placeholder asks for
COUNCIL_DETAILS = {
    "COUNCIL_NAME": "council's name",
    "COUNCIL_SUPPORT_EMAIL": "email address for help with the portal",
    "COUNCIL_SUPPORT_PHONE": "phone number for help with the portal, with opening hours",
    "COUNCIL_DPO_EMAIL": "data protection officer's email address",
    "COUNCIL_POSTAL_ADDRESS": "postal address",
    "COUNCIL_ICO_REGISTRATION": "ICO registration number",
    "COUNCIL_RETENTION_POLICY_URL": "web address of the council's records retention schedule",
    "COUNCIL_DATA_LOCATION": "where the portal's data is stored, for example 'in the UK'",
    "COUNCIL_STATEMENT_DATES": "when these pages were written and last reviewed, and when the service was last tested",
}


def council_details() -> dict[str, Detail]:
    """Each detail as set (app config, then the environment), or its placeholder."""
    details = {}
    for name, asks_for in COUNCIL_DETAILS.items():
        value = (current_app.config.get(name) or os.environ.get(name) or "").strip()
        details[name.removeprefix("COUNCIL_").lower()] = (
            Detail(value, False) if value else Detail(f"[Council to add: {asks_for}]", True)
        )
    return details


def unfinished(details: dict[str, Detail]) -> bool:
    return any(d.placeholder for d in details.values())
