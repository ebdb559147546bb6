import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from jinja2 import DictLoader, Environment, Template
from wtforms import StringField

from portal.templating import InlineScriptError, PortalTemplate, strip_inline_body_script


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


# -- PortalTemplate: Jinja's imports, asked more cheaply -------------------------------------


def test_the_portal_renders_its_templates_with_portal_template(app):
    assert app.jinja_env.template_class is PortalTemplate
    assert isinstance(app.jinja_env.get_template("base.html"), PortalTemplate)


def _environment(template_class):
    templates = {
        "macros.html": "{% macro hello(name) %}Hello {{ name }}{% if extra is defined %} ({{ extra }}){% endif %}{% endmacro %}",
        "page.html": '{% from "macros.html" import hello %}{{ hello("Sam") }}, {{ hello("Alex") }}',
    }
    environment = Environment(loader=DictLoader(templates), autoescape=True)
    environment.template_class = template_class
    return environment


@pytest.mark.parametrize("page_globals", [None, {"extra": "a global of the page only"}])
def test_an_import_gives_what_jinja_gives(page_globals):
    """The same page from Jinja's Template and from ours; with a global the imported template lacks
    (Jinja then makes a module with it), and without one (Jinja's cached module)."""
    pages = [_environment(cls).get_template("page.html", globals=page_globals) for cls in (Template, PortalTemplate)]
    stock, ours = (page.render() for page in pages)
    assert ours == stock
    assert ours.startswith("Hello Sam")


def test_an_import_with_no_new_globals_uses_the_templates_one_cached_module():
    environment = _environment(PortalTemplate)
    macros = environment.get_template("macros.html")
    page = environment.get_template("page.html")
    context = page.new_context()
    assert macros._get_default_module(context) is macros._get_default_module(None)
    assert Template._get_default_module(macros, context) is macros._get_default_module(context)


def test_an_import_with_a_global_the_imported_template_lacks_gets_a_module_with_it():
    environment = _environment(PortalTemplate)
    macros = environment.get_template("macros.html")
    context = environment.get_template("page.html", globals={"extra": "x"}).new_context()
    module = macros._get_default_module(context)
    assert module is not macros._get_default_module(None)
    assert str(module.hello("Sam")) == "Hello Sam (x)"
