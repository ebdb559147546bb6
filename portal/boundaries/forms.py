"""`PortalForm`: the base of every WTForms form in the portal.

It puts `text.refuse_control_characters` before every field's own validators,
so a form cannot forget it; tests/test_input_boundaries.py fails on any form
class that does not derive from it. A form may set `subjects` to say what its
messages call a field whose label is a question ({"reason": "Reason"}).
"""

from typing import ClassVar

from flask_wtf import FlaskForm

from .text import refuse_control_characters


class PortalForm(FlaskForm):
    subjects: ClassVar[dict] = {}

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            # A new list: the unbound field's list is shared by every instance of the form.
            field.validators = [refuse_control_characters, *field.validators]
            return field
