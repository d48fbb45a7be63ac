"""Server-side SVG charts: no JavaScript, no CDN. Each function returns safe markup with every
piece of text escaped, a <title> and an aria-label, and scales to its container (viewBox).
Colours are from the Okabe–Ito palette, which colour-blind readers can tell apart."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

GOOD = "#00795a"  # bluish green, darkened for contrast with white text
BAD = "#c0440a"  # vermillion, darkened
TRACK = "#e3e6ea"
INK = "#1a1a1a"
MUTED = "#5a6270"
SERIES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif"'


def _svg(width: int, height: int, label: str, body: list[str]) -> SafeString:
    """Drawn at its natural size, shrunk to fit a narrower container (a phone), never blown up:
    the charts are drawn narrow enough that their text stays readable at phone width."""
    label = escape(label)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{label}</title>" + "".join(body) + "</svg>"
    )


def _text(x, y, text, *, size=13, anchor="start", fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def target_bar(*, ratio: float, target: float, value_label: str, target_label: str, label: str):
    """One bar filled to `ratio`, with a marker at the target; the value is written under the
    bar's start and the target above its marker, so the two never overlap."""
    width, height, left, right = 420, 96, 4, 4
    span = width - left - right
    filled = max(0.0, min(ratio, 1.0)) * span
    marker = left + max(0.0, min(target, 1.0)) * span
    colour = GOOD if ratio >= target else BAD
    anchor = "end" if marker > width - 70 else "middle"
    body = [
        f'<rect x="{left}" y="26" width="{span}" height="30" rx="4" fill="{TRACK}"/>',
        f'<rect x="{left}" y="26" width="{filled:.1f}" height="30" rx="4" fill="{colour}"/>',
        f'<line x1="{marker:.1f}" y1="18" x2="{marker:.1f}" y2="64" stroke="{INK}" '
        'stroke-width="3"/>',
        _text(marker, 13, target_label, anchor=anchor, size=14, weight="bold"),
        _text(left, 86, value_label, size=18, weight="bold", fill=colour),
    ]
    return _svg(width, height, label, body)


def unit_tiles(*, units: list[tuple[str, bool]], yes: str, no: str, label: str):
    """One tile per unit, coloured by whether it meets the target. With few units the tiles
    carry the names; with many they are small squares whose names show on hover."""
    if len(units) <= 40:
        columns, tile_w, tile_h, gap = 2, 206, 30, 6
    else:
        columns, tile_w, tile_h, gap = 16, 22, 22, 3
    rows = (len(units) + columns - 1) // columns
    width = max(columns * (tile_w + gap), 360)
    legend_h = 52
    height = legend_h + rows * (tile_h + gap)
    body = [
        f'<rect x="0" y="4" width="16" height="16" fill="{GOOD}"/>',
        _text(22, 17, f"✓ {yes}"),
        f'<rect x="0" y="28" width="16" height="16" fill="{BAD}"/>',
        _text(22, 41, f"✗ {no}"),
    ]
    for index, (name, meets) in enumerate(units):
        x = (index % columns) * (tile_w + gap)
        y = legend_h + (index // columns) * (tile_h + gap)
        mark = "✓" if meets else "✗"
        body.append(
            f"<g><title>{escape(name)} — {escape(yes if meets else no)}</title>"
            f'<rect x="{x}" y="{y}" width="{tile_w}" height="{tile_h}" rx="3" '
            f'fill="{GOOD if meets else BAD}"/>'
        )
        if tile_w > 100:
            body.append(
                _text(x + 8, y + 20, f"{mark} {_shorten(name, 26)}", fill="#ffffff", size=13)
            )
        body.append("</g>")
    return _svg(width, height, label, body)


def hbar_chart(*, items: list[tuple[str, float, str]], label: str, colour: str = SERIES[0]):
    """Horizontal bars: (label, value, value as shown). Each label sits above its bar, so long
    Vietnamese state names need no truncation and the chart stays narrow."""
    width, row_h, value_w = 420, 44, 56
    bar_w = width - value_w
    height = max(len(items), 1) * row_h + 4
    top = max((value for _, value, _ in items), default=0) or 1
    body = []
    for index, (name, value, shown) in enumerate(items):
        y = index * row_h
        length = bar_w * (value / top) if value else 0
        body.append(_text(0, y + 15, name, size=13))
        body.append(
            f'<rect x="0" y="{y + 20}" width="{max(length, 1.5):.1f}" height="16" rx="2" '
            f'fill="{colour}"/>'
        )
        body.append(_text(length + 6, y + 33, shown, weight="bold"))
    return _svg(width, height, label, body)


def stacked_columns(
    *, categories: list[str], series: list[tuple[str, list[int]]], label: str
) -> SafeString:
    """Vertical columns, one per category (a year), stacked by series, with a legend."""
    plot_h, col_w, gap, axis_w, legend_row = 220, 46, 22, 34, 22
    legend_rows = (len(series) + 1) // 2
    width = max(axis_w + len(categories) * (col_w + gap) + gap, 420)
    height = legend_rows * legend_row + 14 + plot_h + 30
    top_y = legend_rows * legend_row + 14
    totals = [sum(values[i] for _, values in series) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    body = []
    for index, (name, _values) in enumerate(series):
        x = (index % 2) * 210
        y = (index // 2) * legend_row
        body.append(
            f'<rect x="{x}" y="{y + 4}" width="14" height="14" fill="{SERIES[index % 6]}"/>'
        )
        body.append(_text(x + 20, y + 16, _shorten(name, 26), size=12))
    base = top_y + plot_h
    body.append(
        f'<line x1="{axis_w}" y1="{base}" x2="{width}" y2="{base}" stroke="{MUTED}" '
        'stroke-width="1"/>'
    )
    body.append(_text(axis_w - 6, top_y + 10, str(top), anchor="end", size=11, fill=MUTED))
    body.append(_text(axis_w - 6, base, "0", anchor="end", size=11, fill=MUTED))
    for i, category in enumerate(categories):
        x = axis_w + gap + i * (col_w + gap)
        y = base
        for index, (name, values) in enumerate(series):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            body.append(
                f"<g><title>{escape(category)} — {escape(name)}: {value}</title>"
                f'<rect x="{x}" y="{y:.1f}" width="{col_w}" height="{h:.1f}" '
                f'fill="{SERIES[index % 6]}" stroke="#ffffff" stroke-width="1"/></g>'
            )
        body.append(_text(x + col_w / 2, y - 5, str(totals[i]), anchor="middle", weight="bold"))
        body.append(_text(x + col_w / 2, base + 18, category, anchor="middle"))
    return _svg(width, height, label, body)
