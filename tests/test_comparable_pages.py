"""The page comparison the isolation tests rely on sets aside every CSRF token, whatever it begins with."""

import base64
import hashlib
import json

import itsdangerous

from tests.factories import comparable_page


def _token(raw: str) -> str:
    """Signed as Flask-WTF signs its raw token (40 hex digits, too random to be compressed)."""
    return itsdangerous.URLSafeTimedSerializer("secret", salt="wtf-csrf-token").dumps(raw)


def _hex(first: str, seed: bytes) -> str:
    return first + hashlib.sha256(seed).hexdigest()[1:40]


def test_a_csrf_token_is_set_aside_whether_its_hex_begins_with_a_digit_or_a_letter():
    for raw in (_hex("0", b"one"), _hex("c", b"two")):
        token = _token(raw)
        assert base64.urlsafe_b64decode(token.split(".")[0] + "==") == json.dumps(raw).encode()
        page = (
            f'<input name="csrf_token" value="{token}"><div hx-headers="{{&#34;X-CSRFToken&#34;: &#34;{token}&#34;}}">'
        )
        assert token not in comparable_page(page)


def test_two_pages_a_second_apart_compare_equal_when_only_their_tokens_differ():
    first, second = _token(_hex("c", b"one")), _token(_hex("c", b"two"))
    page = '<form><input name="csrf_token" value="{}"></form><p>Page not found</p>'
    assert comparable_page(page.format(first)) == comparable_page(page.format(second))
    assert comparable_page(page.format(first)) != comparable_page(page.format(first).replace("not found", "found"))
