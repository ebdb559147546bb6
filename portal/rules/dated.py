"""Parameters whose value changes on a date (OpenFisca style: both values kept)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field

_FOREVER = dt.date(1900, 1, 1)


@dataclass(frozen=True)
class DatedValue:
    pairs: list = field(default_factory=list)
    reference: str = ""
    _starts: list = field(init=False, repr=False, compare=False)  # set in __post_init__

    def __post_init__(self):
        object.__setattr__(self, "pairs", sorted(self.pairs))
        object.__setattr__(self, "_starts", [when for when, _ in self.pairs])

    @classmethod
    def constant(cls, value) -> DatedValue:
        return cls([(_FOREVER, value)])

    @property
    def changes(self) -> bool:
        return len(self.pairs) > 1

    def at(self, when: dt.date):
        """The value in force on `when`; before the first date, the first value."""
        if len(self.pairs) == 1:
            return self.pairs[0][1]
        index = bisect.bisect_right(self._starts, when) - 1
        return self.pairs[max(index, 0)][1]

    def since(self, when: dt.date) -> dt.date | None:
        """The date the value in force on `when` took effect (None: before any recorded change)."""
        index = bisect.bisect_right(self._starts, when) - 1
        if index < 0:
            return None
        start = self.pairs[index][0]
        return None if start == _FOREVER else start

    def next_change(self, when: dt.date) -> dt.date | None:
        index = bisect.bisect_right(self._starts, when)
        return self.pairs[index][0] if index < len(self.pairs) else None

    def to_json(self):
        if not self.changes:
            return self.pairs[0][1]
        return {"values": {d.isoformat(): v for d, v in self.pairs}, "reference": self.reference}
