"""Pages of 50 rows and the GOV.UK pagination component's parameters for them."""

from flask import url_for

from ..boundaries.pages import requested_page
from ..extensions import db

PER_PAGE = 50


def page_of(query):
    """The requested page (?page=N) of a select; a page past the end is a 404."""
    return db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=True)


def pagination_params(page, endpoint, **args):
    """govukPagination's params, or None when everything fits on one page."""
    if page.pages <= 1:
        return None

    def link(number):
        return url_for(endpoint, **args, page=number)

    items = [
        _item(number, page.page, link)
        for number in page.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1)
    ]
    return {
        "previous": {"href": link(page.prev_num)} if page.has_prev else None,
        "next": {"href": link(page.next_num)} if page.has_next else None,
        "items": items,
    }


def _item(number, current, link):
    # iter_pages yields None for the gap between runs of page numbers.
    if number is None:
        return {"ellipsis": True}
    return {"number": number, "href": link(number), "current": number == current}
