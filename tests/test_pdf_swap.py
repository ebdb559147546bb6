"""Putting a short cut in WeasyPrint's place and taking it out (portal/closure/pdf_swap.py)."""

import threading
import time
import types

import pytest
import weasyprint
from weasyprint.layout import background, percent

from portal.closure import pdf_boxes, pdf_layouts, pdf_pango, pdf_swap, pdf_text


def theirs(x):
    return ("theirs", x)


def ours(x):
    return ("ours", x)


def _owners(*names):
    return [types.SimpleNamespace(name=name, f=theirs) for name in names]


def test_install_takes_what_each_place_had_and_uninstall_puts_it_back():
    a, b = _owners("a", "b")
    swap = pdf_swap.Swap(lambda: [(a, "f", ours), (b, "f", ours)])
    assert swap.install() and swap.installed
    assert a.f is ours and b.f is ours and swap.stock == {"f": theirs}
    assert swap.install()  # once: a second install changes nothing
    assert swap.stock == {"f": theirs}
    with swap.weasyprints_own():
        assert a.f is theirs and b.f is theirs and not swap.installed
    assert a.f is ours and swap.stock == {"f": theirs}
    swap.uninstall()
    assert a.f is theirs and b.f is theirs and swap.stock is None
    with swap.weasyprints_own():  # not installed before: not installed after
        pass
    assert a.f is theirs and not swap.installed


def test_one_name_with_two_different_functions_of_weasyprints_is_refused_and_nothing_is_replaced():
    a, b = _owners("a", "b")
    b.f = lambda x: x
    swap = pdf_swap.Swap(lambda: [(a, "f", ours), (b, "f", ours)])
    assert swap.install() is False
    assert a.f is theirs and b.f is not ours and swap.stock is None


def test_another_release_or_an_unusable_build_installs_nothing(monkeypatch):
    (a,) = _owners("a")
    prepared = []
    swap = pdf_swap.Swap(lambda: [(a, "f", ours)], usable=lambda: False, prepare=lambda: prepared.append(1))
    assert swap.install() is False and a.f is theirs and prepared == []
    swap = pdf_swap.Swap(lambda: [(a, "f", ours)], prepare=lambda: prepared.append(1))
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    assert swap.install() is False and a.f is theirs and prepared == []
    monkeypatch.undo()
    assert swap.install() and a.f is ours and prepared == [1]


class _SlowOwner:
    """A place whose setting takes a while: a second thread installing meanwhile would read ours as WeasyPrint's."""

    def __init__(self):
        object.__setattr__(self, "f", theirs)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        time.sleep(0.02)


def test_threads_installing_at_once_all_keep_weasyprints_function_as_weasyprints():
    owner = _SlowOwner()
    swap = pdf_swap.Swap(lambda: [(owner, "f", ours)])
    start = threading.Barrier(8)
    answers = []

    def install():
        start.wait()
        answers.append(swap.install())

    threads = [threading.Thread(target=install) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 8
    assert swap.stock == {"f": theirs}
    swap.uninstall()
    assert owner.f is theirs


@pytest.mark.parametrize("module", [pdf_text, pdf_layouts, pdf_pango, pdf_boxes])
def test_each_short_cut_is_pinned_to_the_one_release(module):
    assert module.FOR_WEASYPRINT == pdf_swap.FOR_WEASYPRINT


def test_the_box_short_cut_goes_into_every_layout_module_and_comes_out_of_each():
    import importlib

    modules = [importlib.import_module(f"weasyprint.layout.{name}") for name in pdf_boxes._USERS]
    assert pdf_boxes.install()
    with pdf_boxes.weasyprints_own():
        assert all(module.resolve_percentages is percent.resolve_percentages for module in modules)
        assert background.layout_box_backgrounds is not pdf_boxes.lay_out_backgrounds
    assert all(module.resolve_percentages is not percent.resolve_percentages for module in modules)
    assert pdf_boxes.SWAP.stock["resolve_percentages"] is percent.resolve_percentages
    assert background.layout_box_backgrounds is pdf_boxes.lay_out_backgrounds
