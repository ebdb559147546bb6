import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField

from portal.templating import InlineScriptError, strip_inline_body_script


class _NameForm(FlaskForm):
    name = StringField("Family name", widget=GovTextInput())


def test_govuk_frontend_wtf_widgets_render(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{{ form.name(params={'hint': {'text': 'As on the referral'}}) }}", form=_NameForm()
        )

    assert 'class="govuk-input"' in html
    assert "As on the referral" in html


def test_govuk_frontend_jinja_macros_resolve(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{% from 'govuk_frontend_jinja/components/tag/macro.html' import govukTag %}"
            "{{ govukTag({'text': 'Open'}) }}"
        )

    assert 'class="govuk-tag"' in html


def test_the_page_template_is_served_without_its_inline_script(app):
    source, _, _ = app.jinja_loader.get_source(app.jinja_env, "govuk_frontend_jinja/template.html")

    assert "<script" not in source
    assert "{% block bodyStart %}" in source


def test_an_unexpected_inline_script_fails_loudly():
    with pytest.raises(InlineScriptError):
        strip_inline_body_script("<body><script>document.body.className += ' x'</script>")
