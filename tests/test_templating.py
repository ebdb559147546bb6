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


# -- rendered_once: the parts of every page that are the same for every request --------------


def _once_templates(app) -> list[str]:
    from portal.templating import ONCE

    names = [name for name in app.jinja_env.list_templates() if name.startswith(ONCE)]
    assert len(names) >= 6  # head, icons, body start and end, header, phase banner, footer
    return names


def test_a_fixed_part_names_nothing_that_differs_between_requests(app):
    from portal.templating import PER_REQUEST

    for name in _once_templates(app):
        source, _, _ = app.jinja_loader.get_source(app.jinja_env, name)
        assert not [word for word in PER_REQUEST if word in source], name


def test_a_fixed_part_given_again_is_what_rendering_it_afresh_gives(app, people):
    from tests.factories import sign_in

    rendered_once = app.jinja_env.globals["rendered_once"]
    first = {}
    with app.test_request_context("/families"):
        for name in _once_templates(app):
            first[name] = rendered_once(name)
    client = app.test_client()
    sign_in(client, people["partner"])
    page = client.get("/cookies").get_data(as_text=True)
    with app.test_request_context("/account", headers={"Cookie": "x=y"}):
        for name in _once_templates(app):
            again = rendered_once(name)
            afresh = app.jinja_env.get_template(name).render(service_name=app.config["SERVICE_NAME"])
            assert again is first[name]  # given again, not rendered again
            assert again == afresh, name
            assert afresh.strip() and afresh.strip() in page, name  # and every signed-in page carries it


def test_a_fixed_part_is_rendered_for_the_root_the_app_is_served_under(app):
    rendered_once = app.jinja_env.globals["rendered_once"]
    with app.test_request_context("/"):
        at_root = rendered_once("partials/once/footer.html")
    with app.test_request_context("/", base_url="http://localhost/council"):
        under = rendered_once("partials/once/footer.html")
    assert 'href="/help"' in at_root
    assert 'href="/council/help"' in under


def test_only_the_fixed_parts_may_be_rendered_once(app):
    rendered_once = app.jinja_env.globals["rendered_once"]
    with app.test_request_context("/"), pytest.raises(ValueError, match="partials/once/"):
        rendered_once("partials/navigation.html")


def test_a_fixed_part_is_escaped_as_any_template_is(tmp_path):
    from portal import create_app
    from tests.conftest import jobs_paths

    named = create_app(
        "testing",
        {"SERVICE_NAME": "Families <b>& outcomes</b>", "SQLALCHEMY_DATABASE_URI": "sqlite://", **jobs_paths(tmp_path)},
    )
    with named.test_request_context("/"):
        footer = named.jinja_env.globals["rendered_once"]("partials/once/footer.html")
    assert "Families &lt;b&gt;&amp; outcomes&lt;/b&gt; is open-source software" in footer


# -- the templates' url_for, remembered (portal/templating.py, CachedUrlFor) ----------------------


def _every_rule_with_values(app):
    """Each rule of the app, its arguments given plain values of the kinds its converters take."""
    for rule in app.url_map.iter_rules():
        values = {}
        for name, converter in rule._converters.items():
            values[name] = "a-file.css" if "path" in type(converter).__name__.lower() else 7
        yield rule.endpoint, values


def test_the_templates_url_for_gives_flasks_address_for_every_route(app):
    cached = app.jinja_env.globals["url_for"]
    assert cached is app.extensions["cached_url_for"]
    with app.test_request_context("/families"):
        for endpoint, values in _every_rule_with_values(app):
            for extra in ({}, {"page": 2, "sort": "name"}, {"sort": "name", "page": 2}):
                expected = app.url_for(endpoint, **values, **extra)
                assert cached(endpoint, **values, **extra) == expected, endpoint
                assert cached(endpoint, **values, **extra) == expected, endpoint  # given again


def test_the_app_has_no_url_defaults_that_remembered_addresses_would_miss(app):
    # A url_defaults function could change an address with the request; CachedUrlFor keys none.
    assert not any(app.url_default_functions.values())


def test_a_remembered_address_keeps_each_values_type_and_order(app):
    cached = app.jinja_env.globals["url_for"]
    with app.test_request_context("/"):
        assert cached("families.index", page=1) == "/families/?page=1"
        assert cached("families.index", page=True) == "/families/?page=True"  # True == 1, not the same address
        assert cached("families.index", page="1") == "/families/?page=1"
        assert cached("families.index", a="x", b="y") == "/families/?a=x&b=y"
        assert cached("families.index", b="y", a="x") == "/families/?b=y&a=x"
        assert cached("families.index", page=None) == app.url_for("families.index", page=None)


def test_an_address_is_remembered_for_the_root_the_app_is_served_under(app):
    cached = app.jinja_env.globals["url_for"]
    with app.test_request_context("/"):
        at_root = cached("families.show", family_id=3)
    with app.test_request_context("/", base_url="http://localhost/council"):
        under = cached("families.show", family_id=3)
    assert (at_root, under) == ("/families/3", "/council/families/3")


def test_a_relative_endpoint_is_remembered_for_its_blueprint(app):
    cached = app.jinja_env.globals["url_for"]
    with app.test_request_context("/families/3"):
        in_families = cached(".show", family_id=3)
    with app.test_request_context("/families/"):
        assert cached(".show", family_id=3) == in_families == "/families/3"
    # Outside the families blueprint, ".show" is that blueprint's own, or nothing.
    with app.test_request_context("/cookies"), pytest.raises(Exception, match="show"):
        cached(".show", family_id=3)


def test_what_cannot_be_keyed_safely_is_built_by_flask_every_time(app, monkeypatch):
    cached = app.jinja_env.globals["url_for"]
    built = []
    monkeypatch.setattr(cached, "_build", lambda endpoint, **values: built.append(values) or "built")
    with app.test_request_context("/"):
        cached("families.show", family_id=3, _anchor="evidence")
        cached("families.show", family_id=3, _anchor="evidence")
        cached("families.show", family_id=3, _external=True)
        cached("families.index", ids=[1, 2])
        cached("families.index", ids=[1, 2])
        cached("families.show", family_id=99)
        cached("families.show", family_id=99)
        cached("families.index", q="x" * 1000)  # a long search echoed into links: not kept
        cached("families.index", q="x" * 1000)
    assert len(built) == 8  # each unsafe call built again; the plain one once
    assert not any("x" * 1000 in map(str, key) for key in cached._known)
    assert cached("families.show", family_id=98) == "built"  # outside a request: Flask's, not remembered
    assert len(built) == 9


def test_the_remembered_addresses_are_bounded(app, monkeypatch):
    cached = app.jinja_env.globals["url_for"]
    monkeypatch.setattr(cached, "LIMIT", 10)
    with app.test_request_context("/"):
        for family_id in range(1, 26):
            assert cached("families.show", family_id=family_id) == f"/families/{family_id}"
        assert len(cached._known) <= 10
