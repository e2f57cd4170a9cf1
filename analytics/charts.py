"""Plotly figure builders and the one theme every chart uses.

Builders are pure functions in the manner of plotly express: a small DataFrame first,
keyword options after, a ``go.Figure`` back. Every figure carries a title and a
subtitle (snapshot, filters, rules) so that an exported slide stands on its own.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics.i18n import t, tier_label
from analytics.rules import TIER_ORDER

FONT_FAMILY = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"

#: One colour per tier: retail from light to deep blue, corporate greens/ambers, institutions grey.
TIER_COLOURS: dict[str, str] = {
    "mass": "#c6dbef",
    "emerging": "#9ecae1",
    "affluent": "#4292c6",
    "hnw": "#2171b5",
    "private": "#08306b",
    "strategic": "#00441b",
    "large": "#238b45",
    "medium": "#74c476",
    "small": "#c7e9c0",
    "emerging_market": "#fd8d3c",
    "real_estate": "#a63603",
    "institution": "#636363",
    "above_scale": "#807dba",
    "below_scale": "#dadaeb",
    "institution_no_loan": "#bdbdbd",
}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=14, color="#1f2937"),
        title=dict(x=0.01, xanchor="left", font=dict(size=20)),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=["#2171b5", "#fd8d3c", "#238b45", "#807dba", "#a63603", "#636363"],
        xaxis=dict(showgrid=False, linecolor="#9ca3af", ticks="outside"),
        yaxis=dict(gridcolor="#e5e7eb", zerolinecolor="#9ca3af"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        margin=dict(l=60, r=30, t=90, b=60),
    )
)
pio.templates["tierscope"] = TEMPLATE


def _title(title: str, subtitle: str | None) -> dict:
    text = title if not subtitle else f"{title}<br><sup>{subtitle}</sup>"
    return dict(text=text)


def tier_mix_bars(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Share of customers and of AUM per tier, side by side.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.tiers.tier_summary` (``tier, customers, aum``).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (snapshot, filters, rules).
    """
    order = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    frame = df.set_index("tier").loc[order]
    total_customers = frame["customers"].sum() or 1
    total_aum = frame["aum"].sum() or 1
    labels = [tier_label(tier, lang) for tier in order]
    fig = go.Figure(
        [
            go.Bar(
                name=f"{t('customers', lang)} %",
                x=labels,
                y=frame["customers"] / total_customers * 100,
                marker_color="#9ecae1",
                customdata=frame["customers"],
                hovertemplate="%{x}<br>%{y:.1f}% (%{customdata:,})<extra></extra>",
            ),
            go.Bar(
                name=f"{t('aum', lang)} %",
                x=labels,
                y=frame["aum"] / total_aum * 100,
                marker_color="#08306b",
                hovertemplate="%{x}<br>%{y:.1f}%<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        template=TEMPLATE,
        barmode="group",
        title=_title(title or t("tiers_title", lang), subtitle),
        yaxis_title="%",
        xaxis=dict(categoryorder="array", categoryarray=labels),
    )
    return fig
