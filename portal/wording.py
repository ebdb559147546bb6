"""The engine's clauses in a person's words: names for ids, dates the GOV.UK way, whole sentences.

Shared by the verdict's presentation (portal.verdicts), the submission check's messages
(portal.casefile.check) and the claim line's pages (portal.claims.tasks). It imports nothing
of the portal, so any module may use it.
"""

from __future__ import annotations

import datetime as dt
import re

ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
NAMED_MEMBER = re.compile(r" \(m\d+\)")  # "Sam (m12)": the name is already there
MEMBER_KEY = re.compile(r"\bm(\d+)\b")
EVIDENCE_KEY = re.compile(r"\b[Ee]vidence e(\d+)\b")  # "Evidence e7 for 2.1 is set aside" too


def day(value) -> str:
    """A date the GOV.UK way: 7 November 2025 (no leading zero)."""
    if value is None:
        return "Not recorded"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def sentence(text) -> str:
    """The engine's reasons are clauses ("no accepted evidence ..."); shown as sentences."""
    text = str(text).strip()
    if not text:
        return ""
    return f"{text[:1].upper()}{text[1:]}" + ("" if text.endswith((".", "?", "!")) else ".")


class Words:
    """Rewrites the engine's clauses for one family: names, dates, evidence."""

    def __init__(self, members: dict[int, str], evidence: dict[int, str], unknown_member="a family member"):
        self.members, self.evidence, self.unknown_member = members, evidence, unknown_member

    def __call__(self, text: str) -> str:
        text = NAMED_MEMBER.sub("", text)
        text = EVIDENCE_KEY.sub(lambda m: self.evidence.get(int(m.group(1)), "an evidence item"), text)
        text = MEMBER_KEY.sub(lambda m: self.members.get(int(m.group(1)), self.unknown_member), text)
        return ISO_DAY.sub(lambda m: day(m.group(0)), text)

    @staticmethod
    def needed(text: str) -> bool:
        """Whether the text holds anything to rewrite (an id or an ISO date)."""
        return bool(MEMBER_KEY.search(text) or EVIDENCE_KEY.search(text) or ISO_DAY.search(text))

    def sentences(self, items) -> list[str]:
        return [sentence(self(item)) for item in items]
