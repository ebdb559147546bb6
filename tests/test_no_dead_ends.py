"""Each demo user can follow every link they are shown without hitting a dead end.

Crawls the portal as each demo role, from their home page, following every
link on every page (the demo data has families in every state), and fails on
any link that answers with an error: a link shown to someone who may not use
it is a dead end.
"""

import datetime as dt
import re
from urllib.parse import urljoin, urlsplit

import pytest

from portal.demo import load_demo
from portal.demo.people import DEMO_PASSWORD
from portal.demo.people import email as demo_email

LINK = re.compile(r'href="([^"#]+)')
SKIP = ("/static/", "/sign-out")
MAX_PAGES = 400


@pytest.fixture
def demo(app, monkeypatch):
    # As in development: the demo accounts sign in with their password alone.
    monkeypatch.setitem(app.config, "DEMO_ACCOUNTS_SKIP_SECOND_FACTOR", True)
    with app.app_context():
        load_demo(dt.date.today())
    return app


def crawl(client, start="/home"):
    seen, queue, broken = set(), [start], []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url, follow_redirects=True)
        response.get_data()  # read streamed downloads to the end, so their request context is closed
        response.close()
        if response.status_code != 200:
            broken.append(f"{url} -> {response.status_code}")
        elif response.mimetype == "text/html":
            queue += [link for link in _links(url, response.get_data(as_text=True)) if link not in seen]
    return seen, broken


def _links(base, page):
    for href in LINK.findall(page):
        href = href.replace("&amp;", "&")
        parts = urlsplit(urljoin(base, href))
        if parts.netloc in ("", "localhost") and not parts.path.startswith(SKIP):
            yield parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("who", ["lead", "school", "police", "verifier", "admin"])
def test_every_link_a_demo_user_is_shown_works(demo, client, who):
    client.post("/sign-in", data={"email": demo_email(who), "password": DEMO_PASSWORD})
    seen, broken = crawl(client)
    assert broken == []
    assert len(seen) > 10  # the crawl really walked the service
