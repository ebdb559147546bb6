"""Messages after an action ("Evidence for outcome 2.1 submitted") wait in the session cookie
until the next page shows them. Someone who submits again and again without a page in
between (two tabs, a script, a slow connection) must not grow the cookie without end: past
about 4 KB a browser drops it, and the person is signed out mid-work."""

from portal.flashes import KEPT
from tests import factories as f
from tests.test_evidence import attendance, durham  # noqa: F401 (fixture)


def _cookie_size(client) -> int:
    cookie = client.get_cookie("session")
    return len(cookie.value) if cookie else 0


def test_submissions_without_a_page_between_them_keep_the_session_cookie_small(client, people, durham):
    f.sign_in(client, people["partner"])
    sizes = []
    for n in range(1, 31):
        form = attendance(durham.child, statement=f"Submission number {n}.")
        assert client.post(f"{durham.url}/new", data=form).status_code == 302
        sizes.append(_cookie_size(client))
    assert max(sizes) < 4000
    assert sizes[-1] <= sizes[KEPT]  # flat once the kept messages are full


def test_the_latest_messages_are_the_ones_shown(client, people, durham):
    f.sign_in(client, people["partner"])
    for n in range(KEPT + 4):  # each a different statement: the same evidence twice is refused
        client.post(f"{durham.url}/new", data=attendance(durham.child, statement=f"Census, copy {n}."))
    page = client.get(f"/families/{durham.id}").get_data(as_text=True)
    assert page.count("Evidence for outcome 2.1 submitted") == KEPT
    again = client.get(f"/families/{durham.id}").get_data(as_text=True)
    assert "Evidence for outcome 2.1 submitted" not in again  # shown once, then gone
