"""Writing a line of text into the PDF: WeasyPrint's own way, with each glyph's bytes worked out once.

WeasyPrint draws every line (`weasyprint.draw.text.draw_first_line`) by walking Pango's glyphs
one at a time through cffi: for each glyph it reads four C fields (each read makes a Python
object), and formats its id, offset and kerning as text for the PDF's TJ operator. On the
heavy closure summary that walk was about a fifth of the whole render (docs/closure-summary.md,
"Speed"). The same glyph at the same advance and offset always gives the same text, so here a
run's glyphs are read in one go (one buffer of C ints) and each distinct glyph is formatted
once per font, size and document, then looked up.

What is written is byte for byte what WeasyPrint writes: tests/test_closure_pdf.py renders
documents both ways (the demo summaries, awkward text, Hypothesis-typed text) and compares the
files. Anything this does not cover (ellipses, emoji and bitmap fonts, a glyph missing from the
font, an empty glyph, a raised or lowered glyph, an old Pango) is handed to WeasyPrint's own
function, untouched. It is installed only over the WeasyPrint release it was written against
(`FOR_WEASYPRINT`); on any other, WeasyPrint's own function runs.
"""

from __future__ import annotations

from .pdf_swap import FOR_WEASYPRINT as FOR_WEASYPRINT  # the release it is written against
from .pdf_swap import Swap

_GLYPH_INFO_INTS = 5  # PangoGlyphInfo: glyph, width, x_offset, y_offset, attr (each 32 bits)


def _places():
    from weasyprint.draw import text

    return [(text, "draw_first_line", draw_first_line)]


def _usable() -> bool:
    from weasyprint.text.ffi import ffi, pango

    # Before Pango 1.48.2 WeasyPrint takes font sizes from the style, not the font.
    return ffi.sizeof("PangoGlyphInfo") == 4 * _GLYPH_INFO_INTS and pango.pango_version() >= 14802


SWAP = Swap(_places, usable=_usable)
install, uninstall, weasyprints_own = SWAP.install, SWAP.uninstall, SWAP.weasyprints_own


def draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    """Draw a text box's first line, as weasyprint.draw.text.draw_first_line does; returns its emojis (none)."""
    from weasyprint.text.ffi import ffi, pango

    if text_overflow == "ellipsis" or block_ellipsis != "none":
        return _weasyprints(stream, textbox, text_overflow, block_ellipsis, matrix)
    if not textbox.text.strip() or textbox.style["font_size"] < 1e-6:
        return []
    layout = textbox.pango_layout
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    first_line, _ = layout.get_first_line()

    # Read every run first: if any needs what only WeasyPrint's function does, it draws the line.
    runs = []
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        glyphs = glyph_item.glyphs
        count = glyphs.num_glyphs
        pango_font = glyph_item.item.analysis.font
        font, font_size = stream.add_font(pango_font)
        if font.svg or font.png or font.colr or font.bitmap:
            return _weasyprints(stream, textbox, text_overflow, block_ellipsis, matrix)
        raw = memoryview(ffi.buffer(glyphs.glyphs, 4 * _GLYPH_INFO_INTS * count))
        ints, ids = raw.cast("i"), raw.cast("I")[0::_GLYPH_INFO_INTS]  # the glyph id is unsigned
        if any(ints[3::_GLYPH_INFO_INTS]) or any(g >= pango.PANGO_GLYPH_EMPTY for g in ids):
            return _weasyprints(stream, textbox, text_overflow, block_ellipsis, matrix)
        runs.append(
            (pango_font, font, font_size, glyph_item, ids, ints[1::_GLYPH_INFO_INTS], ints[2::_GLYPH_INFO_INTS])
        )

    stream.set_text_matrix(*matrix.values)
    previous = None
    string = ""
    for pango_font, font, font_size, glyph_item, ids, widths, x_offsets in runs:
        if pango_font != previous:
            previous = pango_font
            if string:
                stream.show_text(string)
            string = ""
            stream.set_font_size(font.hash, font_size)
        pieces = _pieces(font, font_size)
        text = ["<"]
        for i, (glyph, width, x_offset) in enumerate(zip(ids, widths, x_offsets, strict=True)):
            piece = pieces.get((glyph, width, x_offset))
            if piece is None:
                piece = _first_time(stream, textbox, font, font_size, pango_font, glyph_item, i, glyph, width, x_offset)
            text.append(piece)
        run_text = "".join(text)
        string += run_text[:-1] if run_text[-1] == "<" else run_text + ">"
    stream.show_text(string)
    return []


def _pieces(font, font_size) -> dict:
    """(glyph, advance, x offset) -> its text in a TJ array, for one font of one document at one size.
    (WeasyPrint keeps one Font for every size of a face; the offset and kerning depend on the size.)"""
    sizes = font.__dict__.get("_portal_pieces")
    if sizes is None:
        sizes = font._portal_pieces = {}
    pieces = sizes.get(font_size)
    if pieces is None:
        pieces = sizes[font_size] = {}
    return pieces


def _first_time(stream, textbox, font, font_size, pango_font, glyph_item, i, glyph, width, x_offset) -> str:
    """A glyph's text the first time it is met in this font, recording what WeasyPrint records for it
    (the characters it stands for, its width), with WeasyPrint's arithmetic, so the bytes are the same."""
    from weasyprint.text.ffi import FROM_UNITS, pango

    if glyph not in font.to_unicode:
        item = glyph_item.item
        clusters = glyph_item.glyphs.log_clusters
        count = glyph_item.glyphs.num_glyphs
        t1 = clusters[i]
        if item.analysis.level % 2:  # right to left
            t2 = item.length if i == 0 else clusters[i - 1]
        else:
            t2 = item.length if i == count - 1 else clusters[i + 1]
        utf8 = textbox.pango_layout.text.encode()
        font.to_unicode[glyph] = utf8[item.offset + t1 : item.offset + t2].decode()
    offset = x_offset / font_size
    piece = f">{-offset}<" if offset else ""
    piece += f"{glyph:04x}"
    if glyph in font.widths:
        logical_width = font.widths[glyph]
    else:
        pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect, stream.logical_rect)
        logical_width = font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    kerning = logical_width + offset - width * 1000 * FROM_UNITS / font_size
    if kerning:
        piece += f">{int(kerning)}<"
    _pieces(font, font_size)[(glyph, width, x_offset)] = piece
    return piece


def _weasyprints(stream, textbox, text_overflow, block_ellipsis, matrix):
    return SWAP.stock["draw_first_line"](stream, textbox, text_overflow, block_ellipsis, matrix)
