"""Jinja loaders: our top-level templates/ plus the GOV.UK Frontend packages.

GOV.UK Frontend's page template (template.html, 6.x) starts <body> with an
inline <script> that adds the `js-enabled` and `govuk-frontend-supported`
classes. It sits outside any block, so it cannot be overridden, and our CSP
(script-src 'self') would block it. We serve the template with that one
element removed; templates/base.html loads portal/static/app/body-classes.js,
which does the same job from a file. If an upgrade changes the script, start-up
fails rather than silently shipping an inline script.

`PortalTemplate` is the environment's template class: Jinja's own, with a cheaper test in
`{% from ... import %}` (below).

`rendered_once(name)` (a template global): the parts of every page that are the same for every
request (the stylesheets and scripts, the header's service name, the phase banner, the footer),
rendered once per process and given again (below).
"""

import re
from collections import ChainMap
from collections.abc import Callable

from flask import has_request_context, request
from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader, Template
from markupsafe import Markup

GOVUK_PAGE_TEMPLATE = "template.html"

# Matches exactly the one inline script of template.html, nonce attribute included.
_INLINE_BODY_SCRIPT = re.compile(r"<script \{%- if cspNonce %\}[^<]*\{% endif %\}>[^<]*js-enabled[^<]*</script>\n?")


class InlineScriptError(RuntimeError):
    pass


def strip_inline_body_script(source: str) -> str:
    stripped, count = _INLINE_BODY_SCRIPT.subn("", source)
    if count != 1:
        raise InlineScriptError(
            "govuk_frontend_jinja/template.html no longer has the expected inline "
            "js-enabled script; re-check portal/templating.py against the new version"
        )
    if "<script" in stripped:
        raise InlineScriptError("govuk_frontend_jinja/template.html has another inline script")
    return stripped


class GovukFrontendLoader(BaseLoader):
    """PackageLoader for govuk_frontend_jinja that serves a CSP-safe page template."""

    def __init__(self):
        self._package = PackageLoader("govuk_frontend_jinja")

    def get_source(self, environment, template):
        source, filename, uptodate = self._package.get_source(environment, template)
        if template == GOVUK_PAGE_TEMPLATE:
            source = strip_inline_body_script(source)
        return source, filename, uptodate

    def list_templates(self):
        return self._package.list_templates()


def build_loader(template_folder: str) -> ChoiceLoader:
    return ChoiceLoader(
        [
            FileSystemLoader(template_folder),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": GovukFrontendLoader(),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )


def check_page_template(loader: ChoiceLoader, environment) -> None:
    """Load the page template once at start-up so a mismatch fails fast."""
    loader.get_source(environment, f"govuk_frontend_jinja/{GOVUK_PAGE_TEMPLATE}")


class PortalTemplate(Template):
    """Jinja's Template, whose imports ask one question more cheaply.

    Every `{% from "..." import macro %}` asks whether the importing page has globals the
    imported template lacks (Jinja 3.1, `Template._get_default_module`). It asks with
    `set - ChainMap.keys()`, which tests each of the page's globals against each of the
    ChainMap's dictionaries in Python: about 0.25 ms of every page, which makes some 17 imports
    through the GOV.UK macros, against 19 globals (docs/performance.md, run 13). The same
    question asked of the ChainMap's dictionaries by `set.difference` runs in C. When the answer
    is "none", Jinja returns the template's one cached module, exactly as it does when no page
    imports it (`ctx=None`); that is what this passes on. Otherwise Jinja's own method runs,
    unchanged. tests/test_templating.py holds the two to the same answer.
    """

    def _get_default_module(self, ctx=None):
        if (
            ctx is not None
            and isinstance(self.globals, ChainMap)
            and not ctx.globals_keys.difference(*self.globals.maps)
        ):
            ctx = None  # no global of the importing page is missing here: the cached module, as Jinja gives
        return super()._get_default_module(ctx)


# The templates rendered_once may render: each depends only on the app (its service name and the
# addresses of its own pages and files), never on the request, the user or the time.
ONCE = "partials/once/"
# What a template under ONCE must not name: anything that differs between two requests.
PER_REQUEST = ("request", "current_user", "session", "csrf_token", " g.", "now", "today", "get_flashed_messages")


class RenderedOnce:
    """rendered_once(name): the template ONCE + ..., rendered the first time it is asked for, then the
    same Markup every time after, for each root the app is served under (request.script_root).

    A signed-in page renders about a dozen of these fixed parts through GOV.UK Frontend's
    macros and url_for on every request; rendered once, each is a dictionary lookup
    (docs/performance.md, run 17). tests/test_templating.py holds each to what rendering it
    afresh gives, and its source to naming nothing in PER_REQUEST.
    """

    def __init__(self, render: Callable[[str], str]):
        self._render = render
        self._done: dict[tuple[str, str], Markup] = {}

    def __call__(self, name: str) -> Markup:
        if not name.startswith(ONCE):
            raise ValueError(f"rendered_once renders only templates under {ONCE}, not {name}")
        key = (name, request.script_root if has_request_context() else "")
        found = self._done.get(key)
        if found is None:
            # What an autoescaped (.html) template rendered: escaped already, as any included template is.
            found = self._done[key] = Markup(self._render(name))  # noqa: S704
        return found


def init_app(app) -> None:
    def render(name: str) -> str:
        return app.jinja_env.get_template(name).render(service_name=app.config["SERVICE_NAME"])

    app.jinja_env.globals["rendered_once"] = RenderedOnce(render)
    app.extensions["cached_url_for"] = app.jinja_env.globals["url_for"] = CachedUrlFor(app.url_for)


class CachedUrlFor:
    """`url_for` for templates and `url_if_built`: Flask's own, remembered per process.

    A family page asks for about 45 addresses (its links, its forms' actions, the navigation's),
    and werkzeug builds each afresh: about 3% of the page (docs/performance.md, run 19). An address
    depends only on the endpoint, the values given (in their order: extra ones become the query
    string, in that order), and the root the app is served under (request.script_root), so each is
    built once and given again. Calls this cannot key safely go to Flask unchanged: outside a
    request, with any `_external`, `_scheme`, `_anchor` or `_method`, or with a value that is not a
    plain string, number, boolean or None, or a string longer than LONGEST. Values are keyed with their type, since True == 1 but
    werkzeug writes them as "True" and "1". A blueprint-relative endpoint (".name") is keyed with
    the request's blueprint. It relies on the app having no `url_defaults` functions (which could
    change an address with the request): tests/test_templating.py fails if one is added, and holds
    every address to Flask's.
    """

    LIMIT = 20_000  # addresses kept before the memory is cleared (each family's are its own)
    PLAIN = (str, int, float, bool, type(None))
    # A longer string (a search typed into a filter, up to boundaries' 1,000 characters, echoed into
    # the page's links) is built each time: otherwise anyone could fill LIMIT with kilobyte keys.
    LONGEST = 100

    def __init__(self, build: Callable[..., str]):
        self._build = build
        self._known: dict[tuple, str] = {}

    def __call__(self, endpoint: str, **values) -> str:
        if not has_request_context() or any(
            name.startswith("_") or type(value) not in self.PLAIN or (type(value) is str and len(value) > self.LONGEST)
            for name, value in values.items()
        ):
            return self._build(endpoint, **values)
        key = (
            request.script_root,
            request.blueprint if endpoint.startswith(".") else None,
            endpoint,
            *((name, type(value), value) for name, value in values.items()),
        )
        found = self._known.get(key)
        if found is None:
            found = self._build(endpoint, **values)
            if len(self._known) >= self.LIMIT:
                self._known.clear()
            self._known[key] = found
        return found
