"""The claimable list: every family of a window's plans decided as of its claim date, filtered, sorted, paged.

Deciding is the rules engine's (snapshot.decide, with the window's stored plans);
this module only sorts the answers into the list. All families are read in a
fixed number of queries (loading.py), because the filter is on the decision.
"""

import gc
import re
from dataclasses import dataclass, field
from math import ceil

from ..models.claims import CLAIM_TYPES
from ..rules.claims import FLAGS
from ..rules.sources import load_sources
from ..verdicts import earliest_claim_text
from . import ledger, loading
from .plans import window_plans
from .snapshot import Decided, decide, figures_index, flag_shared_figures

PAGE_SIZE = 50
STATUSES = {
    "claimable": "Claimable",
    "not_yet": "Not yet",
    "not_claimable": "Not claimable",
    "claimed": "Already in a claim",
}
SORTS = {
    "ref": ("Reference", lambda r: r.family.ref),
    # Ties are ordered by reference, so a page of the list is the same page every time.
    "name": ("Family", lambda r: (r.family.name.casefold(), r.family.ref)),
    "plan": ("Plan", lambda r: (r.family.plan_id, r.family.ref)),
    "lead": ("Lead professional", lambda r: (r.family.lead_professional.name.casefold(), r.family.ref)),
    "status": ("Status", lambda r: (list(STATUSES).index(r.status), r.family.ref)),
    "date": ("Earliest claim date", lambda r: (r.earliest or r.decided.verdict.as_of, r.family.ref)),
    "flags": ("Flags", lambda r: (len(r.decided.flags), r.family.ref)),
}


@dataclass
class Row:
    decided: Decided
    status: str
    reason: str  # why not claimable, or the claim holding it
    earliest: object = None
    held: bool = False  # withdrawn or rejected in a claim: the ledger, not the engine, says not now

    @property
    def family(self):
        return self.decided.family

    @property
    def claim_type(self):
        return self.decided.verdict.claim_type

    @property
    def claim_type_label(self) -> str:
        return CLAIM_TYPES.get(self.claim_type, "")

    @property
    def earliest_text(self) -> str:
        """The "Earliest claim date" cell, as of the window's claim date (never blank)."""
        if self.status == "claimed":
            return "Not applicable: already in a claim"
        if self.status == "claimable":
            return "By the claim date"
        if self.held:  # the engine's "Now" would contradict the status beside it
            return "Only in a window with a later claim date"
        return earliest_claim_text(self.decided.verdict)


@dataclass
class Filters:
    status: list = field(default_factory=list)
    claim_type: str = ""
    plan: str = ""
    lead: str = ""  # user id as text
    sort: str = "ref"
    descending: bool = False

    @classmethod
    def from_args(cls, args, plan_ids):
        status = [s for s in args.getlist("status") if s in STATUSES]
        claim_type = args.get("claim_type", "") if args.get("claim_type") in CLAIM_TYPES else ""
        plan = args.get("plan", "") if args.get("plan") in plan_ids else ""
        lead = args.get("lead", "") if re.fullmatch(r"[0-9]+", args.get("lead", "")) else ""
        sort = args.get("sort", "ref") if args.get("sort") in SORTS else "ref"
        return cls(status, claim_type, plan, lead, sort, args.get("order") == "descending")

    def args(self, **changes) -> dict:
        """Query-string arguments for these filters (with changes), for links."""
        out = {
            "status": self.status,
            "claim_type": self.claim_type or None,
            "plan": self.plan or None,
            "lead": self.lead or None,
            "sort": self.sort if self.sort != "ref" else None,
            "order": "descending" if self.descending else None,
        }
        out.update(changes)
        return {k: v for k, v in out.items() if v}

    def keeps(self, row: Row) -> bool:
        return (
            (not self.status or row.status in self.status)
            and (not self.claim_type or row.claim_type == self.claim_type)
            and (not self.plan or row.family.plan_id == self.plan)
            and (not self.lead or str(row.family.lead_professional_id) == self.lead)
        )

    @property
    def codes(self) -> list[str]:
        """The filters as their codes (statuses, claim type, plan id, 'lead' and an id), for the audit log."""
        return [*self.status, *filter(None, [self.claim_type, self.plan])] + (["lead", self.lead] if self.lead else [])

    @property
    def chosen(self) -> list[str]:
        """The filters in words, for the 'selected filters' panel."""
        out = [STATUSES[s] for s in self.status]
        if self.claim_type:
            out.append(CLAIM_TYPES[self.claim_type])
        if self.plan:
            out.append(f"Plan {self.plan}")
        return out


def decided_rows(window, family_ids=None) -> list[Row]:
    """Every family of the window's plans, decided, with its place in the list.

    Deciding the whole list, each family's figures are compared with every other
    family's listed (the families a claim is built from); with family_ids, the
    caller compares them with the claim's lines (building.add_families).
    """
    plans, sources = window_plans(window), load_sources()
    # Tens of thousands of rows are made and kept at once: the cyclic garbage collector
    # would walk them again and again (most of the time at 5,000 families) and find nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        families, evidence = loading.load_families(plans, family_ids)
        held = ledger.held(window)
        decided = [
            decide(family, evidence.get(family.id, []), plans[family.plan_id], window, sources) for family in families
        ]
        if family_ids is None:
            flag_shared_figures(decided, figures_index((d.family.ref, d.figures) for d in decided))
        return [_row(d, held) for d in decided]
    finally:
        if collecting:
            gc.enable()


def _row(decided: Decided, held) -> Row:
    verdict = decided.verdict
    hold = ledger.hold_on(held, decided.family)
    if hold is not None and hold.in_claim:  # whatever today's records say: it is in that claim
        return Row(decided, "claimed", ledger.holder(held, decided.family))
    if verdict.turned_around and hold is not None:  # withdrawn or rejected as of this claim date or a later one
        return Row(decided, "not_claimable", ledger.holder(held, decided.family), held=True)
    if verdict.turned_around:
        return Row(decided, "claimable", "")
    if verdict.earliest_claim_date:
        return Row(decided, "not_yet", _first(verdict), verdict.earliest_claim_date)
    return Row(decided, "not_claimable", _first(verdict))


def _first(verdict) -> str:
    return verdict.missing[0] if verdict.missing else "; ".join(verdict.eligibility)


@dataclass
class Listing:
    rows: list[Row]  # this page
    total: int
    number: int
    pages: int
    counts: dict  # status -> families, before the status filter
    leads: list  # (id, name) of every lead professional in the window
    matching: list[Row]  # every row the filters keep (for "add all matching")

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1


def listing(window, filters: Filters, number: int = 1) -> Listing:
    rows = decided_rows(window)
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    leads = sorted(
        {(r.family.lead_professional_id, r.family.lead_professional.name) for r in rows},
        key=lambda lead: lead[1].casefold(),
    )
    kept = sorted((r for r in rows if filters.keeps(r)), key=SORTS[filters.sort][1], reverse=filters.descending)
    pages = max(1, ceil(len(kept) / PAGE_SIZE))
    number = min(max(1, number), pages)
    page = kept[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]
    return Listing(page, len(kept), number, pages, counts, leads, kept)


FLAG_TITLES = FLAGS
