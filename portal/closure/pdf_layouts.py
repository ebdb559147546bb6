"""Each line's Pango layout kept from laying the line out to drawing it: one shaping of the line fewer.

WeasyPrint has Pango shape the text of every line three times. Laying a line out, it shapes a
stretch of the paragraph to find where the line breaks, then shapes the line's own text again
(`weasyprint.text.line_break.first_line_metrics`) to measure it, and throws that layout's Pango
objects away (`Layout.deactivate`). Drawing the line, it makes them again from the style
(`Layout.reactivate`: a new Pango context, font description and layout), sets the same text and
shapes it a third time, in single-paragraph mode (`draw.text.draw_first_line`).

Here, where a line is measured on its own text with no paragraph separator in it, the layout is
put in single-paragraph mode before that second shaping (which changes nothing for text with no
separator) and kept. Drawing the line then finds it exactly as a new one would be, already
shaped: no new Pango objects, no third shaping. Any other line, and any layout drawn with another
style, with justification, or a second time, is made again as WeasyPrint makes it. On the heavy
closure summary this is 5.7% fewer instructions a render (docs/closure-summary.md, "Speed").

What is written is byte for byte what WeasyPrint writes: tests/test_closure_pdf.py renders the
demo summaries, awkward text and typed text both ways and compares the files. It is installed
only over the WeasyPrint release it was written against (`FOR_WEASYPRINT`, the release whose
`first_line_metrics` the function below follows line for line); on any other, WeasyPrint's own
functions run.
"""

from __future__ import annotations

from .pdf_swap import FOR_WEASYPRINT as FOR_WEASYPRINT  # the release it is written against
from .pdf_swap import Swap

_PARAGRAPH_SEPARATORS = ("\n", "\r", "\u2029")  # where Pango starts a new paragraph
_KEPT = "_portal_kept_for"  # on a kept Layout: the style it was laid out with


def _places():
    from weasyprint.text import line_break

    return [(line_break, "first_line_metrics", first_line_metrics), (line_break.Layout, "reactivate", _reactivate)]


SWAP = Swap(_places)
install, uninstall, weasyprints_own = SWAP.install, SWAP.uninstall, SWAP.weasyprints_own


def first_line_metrics(
    first_line, text, layout, resume_at, space_collapse, style, hyphenated=False, hyphenation_character=None
):
    """weasyprint.text.line_break.first_line_metrics (70.0), keeping the layout of a line measured on its own."""
    from weasyprint.text.ffi import FROM_UNITS, pango
    from weasyprint.text.line_break import line_size

    keep = False
    length = first_line.length
    if hyphenated:
        length -= len(hyphenation_character.encode())
    elif resume_at:
        pango.pango_layout_set_width(layout.layout, -1)
        first_line_text = text.encode()[:length].decode()
        if space_collapse:
            first_line_text = first_line_text.rstrip(" ")
        # Drawing puts the layout in single-paragraph mode, which makes Pango shape it again; set
        # here, before the text, it costs nothing and changes nothing where there is no separator.
        keep = not any(separator in first_line_text for separator in _PARAGRAPH_SEPARATORS)
        if keep:
            pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
        layout.set_text(first_line_text)
        first_line, _ = layout.get_first_line()
        length = first_line.length if first_line is not None else 0

    width, height = line_size(first_line, style)
    baseline = pango.pango_layout_get_baseline(layout.layout) * FROM_UNITS
    if keep:
        layout.__dict__[_KEPT] = style
    else:
        layout.deactivate()
    return layout, length, resume_at, width, height, baseline


def _reactivate(layout, style):
    """Layout.reactivate: nothing to do for a kept layout drawn, the first time, with the style it was laid out with
    (and no justification, which WeasyPrint adds to the text only when drawing); otherwise WeasyPrint's own."""
    if layout.__dict__.pop(_KEPT, None) is style and not layout.justification_spacing:
        return
    SWAP.stock["reactivate"](layout, style)
