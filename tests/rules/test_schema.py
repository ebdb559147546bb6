"""docs/case.schema.json is generated from the case format's structs (portal/rules/format.py) and is current."""

from __future__ import annotations

import json

import jsonschema
import pytest

from portal.rules.format import SCHEMA_PATH, schema_text


def test_the_committed_schema_is_the_one_the_structs_generate():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "docs/case.schema.json is stale: run `portal-rules schema > docs/case.schema.json`"
    )


def test_the_command_prints_the_schema(capsys):
    from portal.rules.cli import main

    assert main(["schema"]) == 0
    assert capsys.readouterr().out == schema_text()


CASE = {
    "ref": "F1",
    "members": [{"id": "m1", "role": "parent", "date_of_birth": "1980-01-01"}],
    "evidence": [{"outcome": "1.1", "period": {"start": "2016-01-01", "end": "2016-07-01"}}],
}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda c: c.update(closed_no="2016-01-01"), "closed_no"),
        (lambda c: c["evidence"][0]["period"].update(ned="2016-07-01"), "ned"),
        (lambda c: c["members"][0].update(date_of_brith="1980-01-01"), "date_of_brith"),
        (lambda c: c["members"][0].update(role="uncle"), "uncle"),
        (lambda c: c["members"][0].update(date_of_birth="1 Jan 1980"), "1 Jan 1980"),
    ],
)
def test_the_schema_refuses_what_the_engine_refuses(change, where):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.validate(CASE, schema)
    case = json.loads(json.dumps(CASE))
    change(case)
    with pytest.raises(jsonschema.ValidationError) as caught:
        jsonschema.validate(case, schema)
    assert where in str(caught.value)
