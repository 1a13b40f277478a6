"""Charts drawn inline, so a report is one file that needs nothing from the network.

Bars are HTML tables with inline styles: every email client draws those. Sparklines and
the coverage chart are inline SVG, which browsers and most desktop mail apps draw; the
numbers always stand next to them, so a client that drops SVG loses no information.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

INK = "#1f2933"
MUTED = "#6b7785"
TRACK = "#e8edf3"
BLUE = "#1f5fae"
TIER_COLORS = {"1": "#9cc3e6", "2": "#3d85c6", "3": "#0b3d75"}
RED, AMBER, GREEN = "#c0392b", "#d68910", "#1e8449"


# a table cell that holds no text and must not grow taller than its bar
_EMPTY = "font-size:0;line-height:0"


def _mix(low: tuple[int, int, int], high: tuple[int, int, int], t: float) -> str:
    t = max(0.0, min(1.0, t))
    r, g, b = (round(lo + (hi - lo) * t) for lo, hi in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat(intensity: float) -> str:
    """Background of a heatmap cell: pale for little depth, deep blue for the most."""
    return _mix((243, 246, 251), (31, 95, 174), intensity**0.7)


def heat_text(intensity: float) -> str:
    return "#ffffff" if intensity**0.7 > 0.55 else INK


def bar(fraction: float, color: str = BLUE, width: int = 120, height: int = 8) -> Markup:
    """A horizontal bar filled to `fraction` (0..1)."""
    pct = round(max(0.0, min(1.0, fraction)) * 100)
    fill = (
        f'<td style="width:{pct}%;background:{color};height:{height}px;{_EMPTY}">&nbsp;</td>'
        if pct
        else ""
    )
    rest = (
        f'<td style="background:{TRACK};height:{height}px;font-size:0;line-height:0">&nbsp;</td>'
        if pct < 100
        else ""
    )
    return Markup(  # noqa: S704 - numbers, constants and escaped text only
        f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:{width}px;border-collapse:collapse;display:inline-table;'
        f'vertical-align:middle"><tr>{fill}{rest}</tr></table>'
    )


def tier_bar(shares: dict[str, float], width: int = 120, height: int = 10) -> Markup:
    """Tier mix as one stacked bar: tier 1 light, tier 3 dark."""
    cells = "".join(
        f'<td title="tier {t}: {shares[t]:.0%}" style="width:{round(shares[t] * 100)}%;'
        f'background:{TIER_COLORS[t]};height:{height}px;font-size:0;line-height:0">&nbsp;</td>'
        for t in ("1", "2", "3")
        if shares.get(t, 0) >= 0.005
    )
    if not cells:
        cells = f'<td style="background:{TRACK};height:{height}px">&nbsp;</td>'
    return Markup(  # noqa: S704 - numbers, constants and escaped text only
        f'<table role="presentation" cellpadding="0" cellspacing="0" border="0" '
        f'style="width:{width}px;border-collapse:collapse;display:inline-table;'
        f'vertical-align:middle"><tr>{cells}</tr></table>'
    )


def sparkline(
    series: Sequence[tuple[str, float]], width: int = 120, height: int = 28, color: str = BLUE
) -> Markup:
    """Depth at each month's end, oldest first, as an SVG line ending in a dot."""
    values = [v for _, v in series]
    if len(values) < 2:
        return Markup("")
    top = max(values) or 1.0
    step = (width - 4) / (len(values) - 1)
    points = [(2 + i * step, height - 2 - (v / top) * (height - 4)) for i, v in enumerate(values)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last_x, last_y = points[-1]
    label = escape(
        f"depth from {values[0]:.0f} ({series[0][0]}) to {values[-1]:.0f} ({series[-1][0]})"
    )
    return Markup(  # noqa: S704 - numbers, constants and escaped text only
        f'<svg class="chart spark" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'style="vertical-align:middle">'
        f"<title>{label}</title>"
        f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="{path}"/>'
        f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.4" fill="{color}"/></svg>'
    )


def column_chart(
    rows: Sequence[tuple[str, int, int]], width: int = 640, bar_height: int = 14
) -> Markup:
    """Per area (name, experts, bus factor): experts as bars, red where one person holds
    half the area."""
    if not rows:
        return Markup("")
    label_w, gap = 170, 6
    top = max(max(e for _, e, _ in rows), 1)
    # room right of the longest bar for its "N experts, bus factor B" label
    scale = (width - label_w - 160) / top
    height = len(rows) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart coverage" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Experts per area" style="max-width:100%;height:auto">'
        f"<title>Experts per area</title>"
    ]
    for i, (name, experts, bus) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        color = RED if bus <= 1 else (AMBER if bus == 2 else GREEN)
        w = max(2.0, experts * scale)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_height - 3}" text-anchor="end" '
            f'font-size="12" fill="{INK}" font-family="Helvetica,Arial,sans-serif">'
            f"{escape(name)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" rx="2" '
            f'fill="{color}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height - 3}" font-size="11" '
            f'fill="{MUTED}" font-family="Helvetica,Arial,sans-serif">{experts} experts, '
            f"bus factor {bus}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - names escaped above
