"""Outcomes with alternative routes, and 'so many of a list'."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure
from .registry import measure_spec


class Checklist(Measure):
    kind: ClassVar[str] = "checklist"
    PARAMS: ClassVar[dict] = {
        "minimum": s.Key(s.number(1, 50, whole=True)),
        "items": s.Key(s.list_of(s.mapping({"id": s.Key(s.ident), "label": s.Key(s.text)}), minimum=1)),
    }

    def own_fields(self):
        choices = tuple((i["id"], i["label"]) for i in self.p["items"])
        return [Field("items", f"Completed (at least {self.p['minimum']})", "choices", choices=choices)]

    def decide(self, values, ctx):
        done = len(set(values.get("items") or []))
        return Finding(done >= self.p["minimum"], self.said, (done,))

    def said(self, done) -> str:
        of, minimum = len(self.p["items"]), self.p["minimum"]
        return (
            f"{done} of {of} completed ({minimum} needed)"
            if done >= minimum
            else f"{done} of {of} completed; {minimum} needed"
        )


def by_route(label: str, say, facts) -> str:
    return f"{label}: {say if type(say) is str else say(*facts)}"


def _option_spec():
    return s.mapping(
        {
            "id": s.Key(s.ident),
            "label": s.Key(s.text),
            "supplementary": s.Key(s.boolean, False, False),
            "about": s.Key(s.one_of(*ABOUT), False),  # who this route is about, if not whom the outcome is
            "ages": s.Key(ages_spec, False),
            "measure": s.Key(measure_spec),
        }
    )


ABOUT = ("family", "any", "adult", "child", "school_age_child", "young_person", "pre_school_child")


def ages_spec(value, path, walk):
    """[low, high], whole years."""
    pair = s.list_of(s.number(0, 120, whole=True), minimum=2)(value, path, walk)
    return tuple(pair[:2]) if len(pair) >= 2 and None not in pair[:2] else None


class AnyOf(Measure):
    kind: ClassVar[str] = "any_of"
    PARAMS: ClassVar[dict] = {"options": s.Key(lambda v, p, w: s.list_of(_option_spec(), minimum=1)(v, p, w))}

    @classmethod
    def check_params(cls, params, path, walk):
        ids = [o.get("id") for o in params.get("options") or [] if o]
        for dup in {i for i in ids if ids.count(i) > 1}:
            walk.fault(s.join(path, "options"), f'option id "{dup}" is used twice')
        if ids and all(o.get("supplementary") for o in params["options"] if o):
            walk.fault(s.join(path, "options"), "every option is supplementary, so nothing could meet the outcome")

    def __init__(self, params, tools):
        super().__init__(params, tools)
        self.routes: dict = {}  # worked out once: option id -> the option (the first with the id)
        for option in params["options"]:
            self.routes.setdefault(option["id"], option)

    def option(self, option_id):
        return self.routes.get(option_id) if type(option_id) is str else None

    def own_fields(self):
        choices = tuple((o["id"], o["label"]) for o in self.p["options"])
        return [Field("option", "Which evidence route", "choice", choices=choices)]

    def fields_for(self, option_id):
        option = self.option(option_id)
        return option["measure"].fields() if option else []

    def check_values(self, values):
        option = self.option(values.get("option"))
        if option is None:
            choices = ", ".join(o["id"] for o in self.p["options"])
            return [("option", f"Choose which evidence route this is: one of {choices}")]
        return option["measure"].check_values(values)

    def contradictions(self, values, ctx):
        option = self.option(values.get("option"))
        return option["measure"].contradictions(values, ctx) if option else []

    def decide(self, values, ctx):
        option = self.option(values.get("option"))
        finding = option["measure"].judge(values, ctx)
        finding._say, finding.facts = by_route, (option["label"], finding._say, finding.facts)
        finding.supplementary, finding.option = option["supplementary"], option["id"]
        return finding

    def describe(self):
        options = [
            {
                "id": o["id"],
                "label": o["label"],
                "supplementary": o["supplementary"],
                **({"about": o["about"]} if o["about"] else {}),
                **({"ages": list(o["ages"])} if o["ages"] else {}),
                "measure": o["measure"].describe(),
            }
            for o in self.p["options"]
        ]
        return {"kind": self.kind, "options": options}
