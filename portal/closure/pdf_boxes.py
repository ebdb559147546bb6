"""Box model short cuts: used lengths in one pass, empty page-margin boxes, floatless lines, plain boxes.

WeasyPrint gives every box its used margins, paddings, sizes and borders
(`weasyprint.layout.percent.resolve_percentages`) through two nested calls per property, some
twenty properties a box, each a dictionary look-up and a `setattr`. It does so for every box
each time the box is laid out (a box split over two pages, twice), and for each of the sixteen
page-margin boxes of every page, fourteen of which the closure summary leaves empty. On the
heavy summary that was about a twelfth of a render (docs/closure-summary.md, "Speed").

Here `resolve_percentages` reads each property once and works out pixels and percentages in
line, with the same arithmetic in the same order; anything else (a `calc()`, say) goes to
WeasyPrint's own `percentage`. And a page-margin box with no content is not resolved at all:
WeasyPrint sets its width, height, margins, paddings and borders to zero straight after
(`layout.page.make_margin_boxes`), and nothing reads the rest of it.

Each line is placed beside the floats around it (`layout.float.avoid_collisions`, three times a
line). Our documents have no floats; with none, a line box goes at its containing block's
content edge, as wide as that block, and `place_line` says so without the general search (the
same sums, in the same order). With any float, or any other box, WeasyPrint's own function runs.

Before a page is drawn, every box on it gets its background laid out
(`layout.background.layout_box_backgrounds`): its corner radii, its border and mask images, its
background images and colour, about a dozen style look-ups and a colour resolved, for each of
some 1,600 boxes a summary. Nearly all of them have none of these. Whether a style has any is
worked out once for each style (`_plain`) and kept on it; a box whose style has none gets what
WeasyPrint would give it (square corners, no background) directly.

What is written is byte for byte what WeasyPrint writes: tests/test_closure_pdf.py renders
documents both ways and compares the files. It is installed only over the WeasyPrint release it
was written against (`FOR_WEASYPRINT`); on any other, WeasyPrint's own functions run.
"""

from __future__ import annotations

from math import inf

from .pdf_swap import FOR_WEASYPRINT as FOR_WEASYPRINT  # the release it is written against
from .pdf_swap import Swap

# The layout modules that took resolve_percentages by name when they were imported.
_USERS = ("inline", "page", "float", "grid", "absolute", "block", "column", "table")
_PLAIN = "_portal_plain"  # on a style: whether a box with it has no background, border image or rounded corner


def _places():
    import importlib

    from weasyprint.layout import background

    modules = {name: importlib.import_module(f"weasyprint.layout.{name}") for name in _USERS}
    return [
        *(
            (module, "resolve_percentages", resolve_margin_box if name == "page" else resolve_percentages)
            for name, module in modules.items()
        ),
        (modules["inline"], "avoid_collisions", place_line),  # inline places only line boxes
        (background, "layout_box_backgrounds", lay_out_backgrounds),  # it calls itself for each child
    ]


SWAP = Swap(_places)
install, uninstall, weasyprints_own = SWAP.install, SWAP.uninstall, SWAP.weasyprints_own


_BORDERS = ("border_top_width", "border_right_width", "border_bottom_width", "border_left_width")


def resolve_margin_box(box, containing_block):
    """resolve_percentages in layout.page, where it is called only for pages and page-margin boxes."""
    from weasyprint.formatting_structure.boxes import MarginBox

    if type(box) is MarginBox and not box.is_generated:
        return  # make_margin_boxes zeroes all of it next; nothing reads the rest
    resolve_percentages(box, containing_block)


def resolve_percentages(box, containing_block):
    """weasyprint.layout.percent.resolve_percentages (70.0), each property read once and resolved in line."""
    from weasyprint.css.functions import check_math
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout.percent import adjust_box_sizing, percentage

    if isinstance(containing_block, Box):
        cb_width, cb_height = containing_block.width, containing_block.height
    else:
        cb_width, cb_height = containing_block
    maybe_height = cb_height if isinstance(box, PageBox) else cb_width
    style, used = box.style, box.__dict__  # boxes keep used values as plain attributes

    def resolved(name, refer_to):
        # percentage(): None and 'auto' stay; pixels are their value; a percentage of refer_to.
        value = style[name]
        unit = getattr(value, "unit", None)
        if unit == "px":
            return value.value
        if unit == "%":
            return refer_to * value.value / 100
        if value is None or value == "auto":
            return value
        return percentage(value, style, refer_to)

    used["margin_left"] = resolved("margin_left", cb_width)
    used["margin_right"] = resolved("margin_right", cb_width)
    used["margin_top"] = resolved("margin_top", maybe_height)
    used["margin_bottom"] = resolved("margin_bottom", maybe_height)
    used["padding_left"] = resolved("padding_left", cb_width)
    used["padding_right"] = resolved("padding_right", cb_width)
    used["padding_top"] = resolved("padding_top", maybe_height)
    used["padding_bottom"] = resolved("padding_bottom", maybe_height)
    used["width"] = resolved("width", cb_width)
    min_width = resolved("min_width", cb_width)
    used["min_width"] = 0 if min_width == "auto" else min_width
    used["max_width"] = resolved("max_width", cb_width)

    if cb_height == "auto":
        height = style["height"]
        if height == "auto" or check_math(height) or height.unit == "%":
            used["height"] = "auto"
        else:
            used["height"] = height.value  # in pixels (WeasyPrint asserts it)
        min_height = resolved("min_height", 0)
        used["max_height"] = resolved("max_height", inf)
    else:
        used["height"] = resolved("height", cb_height)
        min_height = resolved("min_height", cb_height)
        used["max_height"] = resolved("max_height", cb_height)
    used["min_height"] = 0 if min_height == "auto" else min_height

    collapse = style["border_collapse"] == "collapse"
    for name in _BORDERS:
        # With collapsed borders, a width already set came from resolving the conflict.
        if not (collapse and hasattr(box, name)):
            used[name] = style[name]

    adjust_box_sizing(box, "width")
    adjust_box_sizing(box, "height")


def place_line(context, box, containing_block, outer=True):
    """avoid_collisions (70.0) for a line box with no float anywhere: (position_x, position_y, available_width)."""
    from weasyprint.formatting_structure.boxes import LineBox

    if context.excluded_shapes or outer or type(box) is not LineBox or box.style["float"] != "none":
        return SWAP.stock["avoid_collisions"](context, box, containing_block, outer)
    left = containing_block.content_box_x()
    right = left + containing_block.width
    left += box.margin_left
    right -= box.margin_right
    position_x = right if containing_block.style["direction"] == "rtl" else left
    return position_x - box.margin_left, box.border_box_y() - box.margin_top, right - left


_CORNERS = (
    "border_top_left_radius",
    "border_top_right_radius",
    "border_bottom_right_radius",
    "border_bottom_left_radius",
)


def lay_out_backgrounds(page, box, get_image_from_uri, layout_children=True, style=None):
    """layout_box_backgrounds (70.0): a box with a plain style gets square corners and no background directly."""
    if style is not None or box is page or not _plain(box.style):
        return SWAP.stock["layout_box_backgrounds"](page, box, get_image_from_uri, layout_children, style)
    used = box.__dict__
    for corner in _CORNERS:
        used[corner] = (0, 0)  # resolve_radii_percentages' short track for a square corner
    if layout_children:
        for child in box.all_children():
            lay_out_backgrounds(page, child, get_image_from_uri)
    box.background = None


def _plain(style) -> bool:
    """Whether layout_box_backgrounds would give a box with this style square corners, no border or
    mask image and no background (worked out once a style; a computed style does not change)."""
    plain = style.__dict__.get(_PLAIN)
    if plain is None:
        from weasyprint.draw.color import get_color

        plain = (
            all((0, "px") in style[corner] for corner in _CORNERS)
            and style["border_image_source"][0] == "none"
            and style["mask_border_source"][0] == "none"
            and not style["box_shadow"]
            and (
                style["visibility"] == "hidden"
                or (
                    all(kind != "url" and not value for kind, value in style["background_image"])
                    and get_color(style, "background_color").alpha == 0
                )
            )
        )
        style.__dict__[_PLAIN] = plain
    return plain
