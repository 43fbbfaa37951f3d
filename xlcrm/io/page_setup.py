"""Print setup on a worksheet: paper, orientation, scale, page breaks, the running head and
foot (report.pages plans them)."""

from __future__ import annotations

from ..report.look import A4
from ..report.pages import MARGINS, PageSetup


def apply_page_setup(ws, setup: PageSetup) -> None:
    """A4, the planned orientation, scale and page breaks; the running head and foot."""
    ws.set_paper(A4)
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if setup.scale is None:
        ws.fit_to_pages(1, 1)
    else:
        ws.set_print_scale(setup.scale)
    ws.set_margins(**{k: MARGINS[k] for k in ("left", "right", "top", "bottom")})
    # the head and foot keep their size on paper whatever the sheet's scale
    ws.set_header(setup.header, {"margin": MARGINS["header"], "scale_with_doc": False})
    ws.set_footer(setup.footer, {"margin": MARGINS["footer"], "scale_with_doc": False})
    if setup.breaks:
        ws.set_h_pagebreaks(list(setup.breaks))
    ws.hide_gridlines(2)  # the tables' own borders print; no grid clutter
