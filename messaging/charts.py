"""The dashboard's pipeline chart, drawn on the server as SVG by pygal (no JavaScript).

The page shows it as an image with a text alternative and the same figures as a table, so
nothing depends on seeing the picture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from pygal.style import Style

from messaging.dashboard_selectors import PipelineWeek

_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
# The site's own colours (Bootstrap's primary, success, secondary), readable on white.
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    colors=("#0d6efd", "#198754", "#6c757d"),
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)


def pipeline_svg(weeks: Sequence[PipelineWeek]) -> str:
    """Interviews, replies and applications ended per week, as one SVG document."""
    chart = pygal.Bar(
        style=_STYLE,
        js=[],  # no script: the image is static, the figures are also in a table
        width=720,
        height=280,
        legend_at_bottom=True,
        show_y_guides=True,
        print_values=False,
        x_label_rotation=0,
        title="Your search, week by week",
    )
    chart.x_labels = [f"{week.monday:%-d %b}" for week in weeks]
    # Whole numbers on the count axis: half an interview means nothing.
    peak = max((max(w.interviews, w.replies, w.ended) for w in weeks), default=0)
    step = max(1, -(-peak // 6))
    chart.y_labels = list(range(0, max(peak, 1) + step, step))
    chart.add("Interviews", [week.interviews for week in weeks])
    chart.add("Replies", [week.replies for week in weeks])
    chart.add("Ended", [week.ended for week in weeks])
    # pygal always writes its settings into a <script> for its optional tooltips: inert in an
    # image, but a drawing with no script is simpler to trust.
    return _SCRIPT.sub("", chart.render(is_unicode=True))
