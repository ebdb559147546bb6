import re
from html.parser import HTMLParser

CSS_PATH = "/static/govuk-frontend/govuk-frontend.min.css"


class _PageAssets(HTMLParser):
    """Collects what the CSP cares about: scripts, styles and linked assets."""

    def __init__(self):
        super().__init__()
        self.inline_scripts = 0
        self.style_elements = 0
        self.style_attributes = 0
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.inline_scripts += 1
        if tag == "style":
            self.style_elements += 1
        if "style" in attrs:
            self.style_attributes += 1
        for name in ("src", "href"):
            if (attrs.get(name) or "").startswith("/static/"):
                self.urls.append(attrs[name])


def page_assets(html):
    parser = _PageAssets()
    parser.feed(html)
    return parser


def test_index_is_the_start_page(client):
    response = client.get("/")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">Family outcomes portal</h1>' in html
    assert f'<link rel="stylesheet" href="{CSS_PATH}">' in html
    assert 'href="/sign-in"' in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_security_headers(client):
    headers = client.get("/").headers

    assert headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_errors_and_static_files(client):
    for url in ("/no-such-page", CSS_PATH):
        response = client.get(url)
        assert response.headers["X-Frame-Options"] == "DENY", url
        assert "default-src 'self'" in response.headers["Content-Security-Policy"], url
        response.close()


def test_pages_have_no_inline_scripts_or_styles(client):
    assets = page_assets(client.get("/").get_data(as_text=True))

    assert assets.inline_scripts == 0
    assert assets.style_elements == 0
    assert assets.style_attributes == 0


def test_body_classes_come_from_a_static_script(client):
    html = client.get("/").get_data(as_text=True)

    assert '<script src="/static/app/body-classes.js"></script>' in html
    assert '<script type="module" src="/static/app/init.js"></script>' in html


def test_vendored_css_is_served(client):
    response = client.get(CSS_PATH)

    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "govuk" in response.get_data(as_text=True)
    response.close()


def test_every_static_asset_on_the_page_is_served(client):
    for url in page_assets(client.get("/").get_data(as_text=True)).urls:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_fonts_and_images_the_css_refers_to_are_served(client):
    css = client.get(CSS_PATH).get_data(as_text=True)
    urls = set(re.findall(r"url\(([^)]+)\)", css))

    assert urls, "expected font and image URLs in the GOV.UK Frontend CSS"
    for url in urls:
        # Relative to the CSS file (scripts/vendor-assets rewrites /assets/...).
        response = client.get(f"/static/govuk-frontend/{url}")
        assert response.status_code == 200, url
        response.close()


def test_healthz(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
