"""Jinja loaders: our top-level templates/ plus the GOV.UK Frontend packages.

GOV.UK Frontend's page template (template.html, 6.x) starts <body> with an
inline <script> that adds the `js-enabled` and `govuk-frontend-supported`
classes. It sits outside any block, so it cannot be overridden, and our CSP
(script-src 'self') would block it. We serve the template with that one
element removed; templates/base.html loads portal/static/app/body-classes.js,
which does the same job from a file. If an upgrade changes the script, start-up
fails rather than silently shipping an inline script.
"""

import re

from jinja2 import BaseLoader, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

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
