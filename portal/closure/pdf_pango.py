"""Each style's Pango set-up made once a document: new layouts are copies, struts are remembered.

WeasyPrint makes a new Pango layout for every piece of text it measures or draws
(`weasyprint.text.line_break.Layout.setup`): a new Pango context with its direction and
language, a new font description (seven C calls), a new layout, and the font features. On the
heavy closure summary that is some 800 layouts for about 250 distinct styles, and the set-up
was about a twentieth of a render in a batch (docs/closure-summary.md, "Speed"). Everything it
sets comes from the style alone, and a computed style never changes once a value is read. So
here the first layout made for a style is kept, untouched, as that style's pattern, and every
layout for the style (the first included) is a copy of it (`pango_layout_copy`: its context,
font description, attributes and settings, in one C call). The copies share the pattern's Pango
context, which nothing changes after it is set up.

Each time a layout is given its text (`Layout.set_text`, several times a line), WeasyPrint
gives it, for text that may break inside a word (`overflow-wrap: break-word`, which the summary
sets on every element), a new attribute list saying "insert no hyphen", over the text's length:
five C calls. Where a style asks for nothing else of the kind (no letter or word spacing), its
pattern carries that attribute over all text, once, and `set_text` just sets the text.

WeasyPrint also works out each text's strut (the line height and baseline) from a cache keyed by
a string it builds from fourteen style values on every call (`line_break.strut`). Here the answer
is kept on the style too, after WeasyPrint's own function has given it once.

Both are kept on the style object itself, so they live and die with the document. What is
written is byte for byte what WeasyPrint writes: tests/test_closure_pdf.py renders documents
both ways and compares the files. It is installed only over the WeasyPrint release it was
written against (`FOR_WEASYPRINT`); on any other, WeasyPrint's own functions run.
"""

from __future__ import annotations

from .pdf_swap import FOR_WEASYPRINT as FOR_WEASYPRINT  # the release it is written against
from .pdf_swap import Swap

_PATTERN = "_portal_layout_pattern"  # on a style: (its pattern layout, language, decoration metrics)
_STRUT = "_portal_strut"  # on a style: strut(style)
_NO_HYPHENS = "_portal_no_hyphens"  # on a Layout: its pattern says "insert no hyphens" over all text
_TEXT_END = 0xFFFFFFFF  # PANGO_ATTR_INDEX_TO_TEXT_END
# Where layout asks for struts (line_break itself, and inline, which took it by name). The style
# computation's callers (css.units, css.computed_values) keep WeasyPrint's: a style being computed
# is not yet final.
_STRUT_USERS = ("weasyprint.text.line_break", "weasyprint.layout.inline")


def _places():
    import importlib

    from weasyprint.text import line_break

    return [
        (line_break.Layout, "setup", setup),
        (line_break.Layout, "set_text", set_text),
        *((importlib.import_module(name), "strut", strut) for name in _STRUT_USERS),
    ]


def _declare_copy() -> None:
    from weasyprint.text.ffi import ffi

    # Not among WeasyPrint's declarations; override: the same line again after an uninstall.
    ffi.cdef("PangoLayout * pango_layout_copy (PangoLayout *src);", override=True)


SWAP = Swap(_places, prepare=_declare_copy)
install, uninstall, weasyprints_own = SWAP.install, SWAP.uninstall, SWAP.weasyprints_own


# What Layout.setup sets on the Layout besides `layout` (text decoration metrics are set only
# for a decorated style).
_DECORATION = ("ascent", "underline_position", "strikethrough_position")
_THICKNESS = ("underline_thickness", "strikethrough_thickness")


def setup(layout, style):
    """Layout.setup: a copy of the style's pattern layout, made by WeasyPrint's own set-up the first time."""
    from weasyprint.text.ffi import ffi, gobject, pango

    pattern = style.__dict__.get(_PATTERN)
    if pattern is None:
        SWAP.stock["setup"](layout, style)
        kept = {name: layout.__dict__[name] for name in ("language", *_DECORATION)}
        kept.update((name, layout.__dict__[name]) for name in _THICKNESS if name in layout.__dict__)
        kept[_NO_HYPHENS] = _only_breaks_words(style)
        if kept[_NO_HYPHENS]:
            attributes = pango.pango_layout_get_attributes(layout.layout)
            if attributes == ffi.NULL:
                attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
            no_hyphens = pango.pango_attr_insert_hyphens_new(False)
            no_hyphens.start_index, no_hyphens.end_index = 0, _TEXT_END
            pango.pango_attr_list_change(attributes, no_hyphens)
            pango.pango_layout_set_attributes(layout.layout, attributes)
        pattern = style.__dict__[_PATTERN] = (layout.layout, kept)
    layout.style = style
    layout.first_line_direction = 0
    layout.layout = ffi.gc(pango.pango_layout_copy(pattern[0]), gobject.g_object_unref)
    layout.__dict__.update(pattern[1])


def _only_breaks_words(style) -> bool:
    """Whether set_text would give this style's text the no-hyphens attribute and nothing else."""
    letter_spacing = style["letter_spacing"]
    return (
        style["overflow_wrap"] in ("anywhere", "break-word")
        and not style["word_spacing"]
        and (letter_spacing == "normal" or not letter_spacing)
    )


def set_text(layout, text, justify=False):
    """Layout.set_text: for a copy whose pattern says "no hyphens" already, only the text is set."""
    from weasyprint.text.ffi import pango

    if not layout.__dict__.get(_NO_HYPHENS) or (justify and layout.justification_spacing):
        return SWAP.stock["set_text"](layout, text, justify)
    index = text.find("\n")
    if index != -1:
        text = text[: index + 2]  # as WeasyPrint: the first line and one character more
    layout.text = text
    bytestring = text.encode().replace(b"\x00", b"")  # as unicode_to_char_p
    pango.pango_layout_set_text(layout.layout, bytestring, -1)
    if b"\t" in bytestring:
        layout.set_tabs()


def strut(style):
    """line_break.strut, remembered on the style."""
    found = style.__dict__.get(_STRUT)
    if found is None:
        found = style.__dict__[_STRUT] = SWAP.stock["strut"](style)
    return found
