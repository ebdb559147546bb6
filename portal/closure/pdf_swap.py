"""Our functions in WeasyPrint's place, and WeasyPrint's own back: the one way every short cut is put in.

Each short cut (pdf_text, pdf_layouts, pdf_pango, pdf_boxes) replaces a few of WeasyPrint's
functions with ones that write the same bytes for less work. Each is written against one
WeasyPrint release (`FOR_WEASYPRINT`): over any other it is not put in, and WeasyPrint's own
functions run. Before this pin moves, every short cut is compared with the new release's
functions it replaces, and tests/test_closure_pdf.py holds each to WeasyPrint's bytes.

A `Swap` knows the places (a module or class, an attribute name, ours) where one short cut
goes. `install()` keeps what was there (`stock`, by attribute name: our functions call
WeasyPrint's through it for what they do not cover) and puts ours in; `uninstall()` puts back
what each place had; `weasyprints_own()` is WeasyPrint's own way for a while (tests compare
the two). A lock keeps two threads installing at once from taking ours for WeasyPrint's.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

FOR_WEASYPRINT = "70.0"

Places = Callable[[], list[tuple[Any, str, Callable]]]


class Swap:
    """One short cut: where its functions go, and WeasyPrint's while ours are in place."""

    def __init__(
        self, places: Places, usable: Callable[[], bool] = lambda: True, prepare: Callable[[], None] = lambda: None
    ):
        self._places = places  # () -> [(module or class, attribute, ours)], read when installing
        self._usable = usable  # () -> whether this build (Pango, cffi) takes it, beyond the release
        self._prepare = prepare  # () -> None, done before ours go in (a cffi declaration, say)
        self._lock = threading.Lock()
        self._taken: list[tuple[Any, str, Callable]] = []  # each place and what it had
        self.stock: dict[str, Callable] | None = None  # WeasyPrint's, by attribute name, while ours are in

    @property
    def installed(self) -> bool:
        return self.stock is not None

    def install(self) -> bool:
        """Put ours in WeasyPrint's place (once); whether they are in place."""
        import weasyprint

        with self._lock:
            if self.stock is not None:
                return True
            if weasyprint.__version__ != FOR_WEASYPRINT or not self._usable():
                return False
            places = self._places()
            taken = [(owner, name, getattr(owner, name)) for owner, name, _ in places]
            stock: dict[str, Callable] = {}
            for _, name, theirs in taken:
                if stock.setdefault(name, theirs) is not theirs:  # one name, one function of WeasyPrint's
                    return False
            self._prepare()
            for owner, name, ours in places:
                setattr(owner, name, ours)
            self._taken, self.stock = taken, stock
            return True

    def uninstall(self) -> None:
        """WeasyPrint's own functions back, each where it was."""
        with self._lock:
            if self.stock is not None:
                for owner, name, theirs in self._taken:
                    setattr(owner, name, theirs)
                self._taken, self.stock = [], None

    @contextlib.contextmanager
    def weasyprints_own(self) -> Iterator[None]:
        """WeasyPrint's own functions meanwhile; ours again after, if they were in place."""
        was_installed = self.stock is not None
        self.uninstall()
        try:
            yield
        finally:
            if was_installed:
                self.install()
