"""Outcomes with alternative routes, and 'so many of a list'."""

from typing import ClassVar

from .. import spec as s
from .base import Field, Finding, Measure


class Checklist(Measure):
    kind = "checklist"
    PARAMS: ClassVar[dict] = {
        "minimum": s.Key(s.number(1, 50, whole=True)),
        "items": s.Key(s.list_of(s.mapping({"id": s.Key(s.ident), "label": s.Key(s.text)}), minimum=1)),
    }

    def own_fields(self):
        choices = tuple((i["id"], i["label"]) for i in self.p["items"])
        return [Field("items", f"Completed (at least {self.p['minimum']})", "choices", choices=choices)]

    def decide(self, values, ctx):
        done = set(values.get("items") or [])
        if len(done) >= self.p["minimum"]:
            return Finding(True, f"{len(done)} of {len(self.p['items'])} completed ({self.p['minimum']} needed)")
        return Finding(False, f"{len(done)} of {len(self.p['items'])} completed; {self.p['minimum']} needed")


def _option_spec():
    from . import measure_spec

    return s.mapping({
        "id": s.Key(s.ident),
        "label": s.Key(s.text),
        "supplementary": s.Key(s.boolean, False, False),
        "measure": s.Key(measure_spec),
    })


class AnyOf(Measure):
    kind = "any_of"
    PARAMS: ClassVar[dict] = {"options": s.Key(lambda v, p, w: s.list_of(_option_spec(), minimum=1)(v, p, w))}

    @classmethod
    def check_params(cls, params, path, walk):
        ids = [o.get("id") for o in params.get("options") or [] if o]
        for dup in {i for i in ids if ids.count(i) > 1}:
            walk.fault(s.join(path, "options"), f'option id "{dup}" is used twice')
        if ids and all(o.get("supplementary") for o in params["options"] if o):
            walk.fault(s.join(path, "options"), "every option is supplementary, so nothing could meet the outcome")

    def option(self, option_id):
        return next((o for o in self.p["options"] if o["id"] == option_id), None)

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

    def decide(self, values, ctx):
        option = self.option(values.get("option"))
        finding = option["measure"].evaluate(values, ctx)
        finding.option = option["id"]
        finding.supplementary = option["supplementary"]
        finding.reason = f"{option['label']}: {finding.reason}"
        return finding

    def describe(self):
        options = [{"id": o["id"], "label": o["label"], "supplementary": o["supplementary"],
                    "measure": o["measure"].describe()} for o in self.p["options"]]
        return {"kind": self.kind, "options": options}
