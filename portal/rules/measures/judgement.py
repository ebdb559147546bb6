"""Outcomes that rest on a named practitioner's (or self-reported) judgement."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure, not_confirmed


class Judgement(Measure):
    kind: ClassVar[str] = "judgement"
    PARAMS: ClassVar[dict] = {"by": s.Key(s.optional_text, False, ""), "criterion": s.Key(s.text)}

    def own_fields(self):
        # "(practitioner)" after "the practitioner" says nothing more: only a fuller "by" is added.
        who = f" ({self.p['by']})" if self.p["by"] and self.p["by"].strip().casefold() != "practitioner" else ""
        return [
            Field("confirmed", f"Practitioner confirms: {self.p['criterion']}", "yes_no"),
            Field("practitioner", f"Name and role of the practitioner{who}", "text"),
        ]

    def decide(self, values, ctx):
        if values.get("confirmed") is True:
            return Finding(True, self.confirms, (values.get("practitioner", "the practitioner"),))
        return Finding(False, not_confirmed, (self.p["criterion"],))

    def confirms(self, practitioner) -> str:
        return f"{practitioner} confirms {self.p['criterion']}"
