"""Plotly figure builders and the one theme every chart uses.

Builders are pure functions in the manner of plotly express: a small DataFrame first,
keyword options after, a ``go.Figure`` back. Every figure carries a title and a
subtitle (snapshot, filters, rules) so that an exported slide stands on its own.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analytics.i18n import format_money, t, tier_label
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


def money_scale(values, lang: str = "en", *, largest: float | None = None) -> tuple[float, str]:
    """The divisor and unit label that make CNY amounts readable on an axis or in a column.

    Chinese uses 万元 and 亿元, English CNY K / M / B; the unit is chosen by the largest
    absolute value so that one axis or column never mixes units.

    >>> money_scale([123_456_789], "zh")
    (100000000.0, '亿元')
    >>> money_scale([2_500_000], "en")
    (1000000.0, 'CNY M')

    ``largest`` caps the unit (tables keep 万元 or CNY M, as bank reports do, so that
    small values keep their digits).
    """
    biggest = max((abs(float(v)) for v in values if v == v), default=0.0)  # v == v drops NaN
    steps = (
        ((1e8, "ov_unit_1e8"), (1e4, "ov_unit_1e4"))
        if lang == "zh"
        else (
            (1e9, "ov_unit_1e9"),
            (1e6, "ov_unit_1e6"),
            (1e3, "ov_unit_1e3"),
        )
    )
    for size, key in steps:
        if biggest >= size and (largest is None or size <= largest):
            return size, t(key, lang)
    return 1.0, t("ov_unit_1", lang)


def money_text(value: float | None, lang: str = "en") -> str:
    """A compact amount with its currency, for hover labels: ``7.6B CNY`` or ``42.2亿元``."""
    return f"{format_money(value, lang)}{'元' if lang == 'zh' else ' CNY'}"


def _pct_ticks(limit: float) -> list[float]:
    # About three ticks a side, at a round step, for the mirrored pyramid axis.
    step = next((s for s in (1, 2, 5, 10, 20, 25, 50) if limit / s <= 4), 100)
    n = int(limit // step)
    return [k * step for k in range(-n, n + 1)]


def tier_pyramid(
    df: pd.DataFrame,
    *,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The tier pyramid: share of customers to the left, share of AUM to the right.

    Retail tiers form the classic wealth pyramid, private banking on top and mass at the
    bottom; corporate and institution tiers are a second panel, strategic on top (their
    part of :data:`TIER_ORDER` already runs from the top down). A panel appears only when
    ``df`` has its tiers, so a segment filter narrows the figure too.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.tier_pyramid` (``panel, tier, customers, aum,
        customers_share, aum_share``).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it (snapshot, filters, rules).
    """
    panels = [p for p in ("retail", "corporate") if p in set(df["panel"])]
    fig = make_subplots(
        rows=1,
        cols=max(1, len(panels)),
        subplot_titles=[t(f"ov_panel_{p}", lang) for p in panels],
        horizontal_spacing=0.2,
    )
    tallest = 0
    for col, panel in enumerate(panels, start=1):
        part = df[df["panel"] == panel].set_index("tier")
        order = [tier for tier in TIER_ORDER if tier in part.index]
        # Plotly lists categories bottom-up: retail runs mass -> private already, corporate
        # runs strategic -> ... and is reversed so that strategic is drawn on top.
        bottom_up = order if panel == "retail" else order[::-1]
        frame = part.loc[bottom_up]
        tallest = max(tallest, len(bottom_up))
        labels = [tier_label(tier, lang) for tier in bottom_up]
        colours = [TIER_COLOURS[tier] for tier in bottom_up]
        cust = frame["customers_share"].to_numpy() * 100
        aum = frame["aum_share"].to_numpy() * 100
        money = [money_text(v, lang) for v in frame["aum"]]
        fig.add_trace(
            go.Bar(
                name=t("ov_customers_pct", lang),
                y=labels,
                x=-cust,
                orientation="h",
                marker=dict(color=colours, opacity=0.6, line=dict(color="#6b7280", width=0.5)),
                text=[f"{v:.1f}%" for v in cust],
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(cust, frame["customers"], strict=True)),
                hovertemplate=(
                    f"%{{y}}<br>{t('customers', lang)}: %{{customdata[1]:,}} (%{{customdata[0]:.1f}}%)"
                    "<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Bar(
                name=t("ov_aum_pct", lang),
                y=labels,
                x=aum,
                orientation="h",
                marker=dict(color=colours, line=dict(color="#374151", width=0.5)),
                text=[f"{v:.1f}%" for v in aum],
                textposition="outside",
                cliponaxis=False,
                customdata=list(zip(aum, money, strict=True)),
                hovertemplate=(
                    f"%{{y}}<br>{t('aum', lang)}: %{{customdata[1]}} (%{{customdata[0]:.1f}}%)<extra></extra>"
                ),
            ),
            row=1,
            col=col,
        )
        limit = max(float(cust.max(initial=0)), float(aum.max(initial=0)), 5.0)
        ticks = _pct_ticks(limit)
        fig.update_xaxes(
            range=[-limit * 1.3, limit * 1.3],
            tickvals=ticks,
            ticktext=[f"{abs(v):g}%" for v in ticks],
            zeroline=True,
            zerolinecolor="#9ca3af",
            title_text=t("ov_pyramid_axis", lang),
            title_font_size=12,
            row=1,
            col=col,
        )
        fig.update_yaxes(categoryorder="array", categoryarray=labels, automargin=True, row=1, col=col)
    fig.update_layout(
        template=TEMPLATE,
        barmode="overlay",
        bargap=0.15,
        showlegend=False,
        height=max(380, 140 + 34 * tallest),
        title=_title(title or t("ov_pyramid_title", lang), subtitle),
        # Room for the longest tier names left of the first panel (automargin does not
        # reach the left panel of a subplot grid).
        margin=dict(t=110, l=150),
    )
    return fig


def tier_history(
    df: pd.DataFrame,
    *,
    measure: str = "aum",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    highlight=None,
) -> go.Figure:
    """A measure per tier over every snapshot: stacked areas for AUM, stacked bars otherwise.

    Profit contribution is drawn as relative stacked bars because a loss-making tier
    (below zero) cannot be shown honestly as a stacked area.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.tier_history` (``snapshot_date, tier`` and
        the measure).
    measure : {"aum", "profit_contribution"}
        The money column to draw (CNY, scaled to a readable unit).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    highlight : datetime.date, optional
        A snapshot to mark with a dotted line (the one the rest of the page shows).
    """
    tiers = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    # Snapshots as categories labelled by month (Oct 2026, 2026年10月): a date axis would
    # tick a month-end snapshot as the first of the next month, and plotly shortens
    # ISO-looking category labels. Full dates when two snapshots share a month.
    dates = sorted(set(df["snapshot_date"]))
    by_month = len({(d.year, d.month) for d in dates}) == len(dates)
    month = "{0.year}年{0.month}月" if lang == "zh" else "{0:%b} {0.year}"
    label = {d: month.format(d) if by_month else d.isoformat() for d in dates}
    per_date = df.groupby("snapshot_date")[measure]
    extent = [
        *per_date.apply(lambda s: s.clip(lower=0).sum()),
        *per_date.apply(lambda s: s.clip(upper=0).sum()),
    ]
    divisor, unit = money_scale(extent, lang)
    area = measure == "aum"
    traces = []
    for tier in tiers:
        part = df[df["tier"] == tier]
        common = dict(
            x=[label[d] for d in part["snapshot_date"]],
            y=part[measure] / divisor,
            name=tier_label(tier, lang),
            customdata=[money_text(v, lang) for v in part[measure]],
            hovertemplate=f"{tier_label(tier, lang)}<br>%{{x}}: %{{customdata}}<extra></extra>",
        )
        if area:
            colour = TIER_COLOURS[tier]
            traces.append(
                go.Scatter(
                    **common,
                    mode="lines",
                    stackgroup="tiers",
                    line=dict(width=0.5, color=colour),
                    fillcolor=colour,
                )
            )
        else:
            traces.append(go.Bar(**common, marker_color=TIER_COLOURS[tier]))
    fig = go.Figure(traces)
    default_title = "ov_history_aum_title" if area else "ov_history_profit_title"
    fig.update_layout(
        template=TEMPLATE,
        barmode="relative",
        title=_title(title or t(default_title, lang), subtitle),
        xaxis=dict(type="category", tickangle=-45, categoryorder="array", categoryarray=list(label.values())),
        yaxis_title=t("ov_axis_unit", lang, measure=t(measure, lang), unit=unit),
        # The legend below the rotated snapshot labels, clear of them.
        legend=dict(orientation="h", yanchor="top", y=-0.3, xanchor="left", x=0, traceorder="normal"),
        height=560,
        margin=dict(b=200),
        hovermode="closest",
    )
    if highlight in label:
        fig.add_shape(
            type="line",
            x0=label[highlight],
            x1=label[highlight],
            yref="paper",
            y0=0,
            y1=1,
            line=dict(color="#6b7280", dash="dot", width=1),
        )
    return fig


def league_bars(
    df: pd.DataFrame,
    *,
    level: str,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
    limit: int = 40,
) -> go.Figure:
    """Organisation units ranked by AUM, largest on top: the chart of the league table.

    Every bar carries the unit's name as its first ``customdata`` item, so that a
    selection event names the unit to drill into.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.overview.league` (``name, customers, aum,
        profit_contribution, aum_growth``), largest AUM first.
    level : {"region", "branch", "rm_id"}
        What the units are (for the title).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    limit : int
        At most this many units (the largest); the table lists them all.
    """
    frame = df.head(limit).iloc[::-1]
    divisor, unit = money_scale(frame["aum"], lang)
    growth = [t("ov_na", lang) if g != g else f"{g * 100:+.1f}%" for g in frame["aum_growth"]]
    fig = go.Figure(
        go.Bar(
            y=frame["name"],
            x=frame["aum"] / divisor,
            orientation="h",
            marker_color="#2171b5",
            text=[format_money(v, lang) for v in frame["aum"]],
            textposition="outside",
            cliponaxis=False,
            customdata=list(
                zip(
                    frame["name"],
                    frame["customers"],
                    [money_text(v, lang) for v in frame["profit_contribution"]],
                    growth,
                    [money_text(v, lang) for v in frame["aum"]],
                    strict=True,
                )
            ),
            hovertemplate=(
                f"%{{customdata[0]}}<br>{t('aum', lang)}: %{{customdata[4]}} (%{{customdata[3]}})"
                f"<br>{t('customers', lang)}: %{{customdata[1]:,}}"
                f"<br>{t('profit_contribution', lang)}: %{{customdata[2]}}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title or t("ov_league_title", lang, level=t(level, lang)), subtitle),
        xaxis_title=t("ov_axis_unit", lang, measure=t("aum", lang), unit=unit),
        yaxis=dict(
            categoryorder="array", categoryarray=list(frame["name"]), type="category", automargin=True
        ),
        height=max(320, 150 + 28 * len(frame)),
        margin=dict(r=80),
        clickmode="event+select",
    )
    return fig


def lorenz_curve(
    df: pd.DataFrame,
    *,
    top_fraction: float = 0.2,
    top_share: float | None = None,
    gini: float | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The Lorenz curve of profit contribution against the line of equal contribution.

    Parameters
    ----------
    df : pandas.DataFrame
        ``customers_share, profit_share`` (fractions) from
        :func:`analytics.concentration.concentration` (its ``lorenz``).
    top_fraction, top_share : float, optional
        The top customers' fraction and their share of net profit, marked on the curve.
    gini : float, optional
        Shown in the corner.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    fig = go.Figure(
        [
            go.Scatter(
                x=[0, 100],
                y=[0, 100],
                mode="lines",
                name=t("ov_equality", lang),
                line=dict(color="#9ca3af", dash="dash", width=1),
                hoverinfo="skip",
            ),
            go.Scatter(
                x=df["customers_share"] * 100,
                y=df["profit_share"] * 100,
                mode="lines",
                name=t("ov_lorenz", lang),
                line=dict(color="#08306b", width=2.5),
                hovertemplate="%{x:.0f}% → %{y:.1f}%<extra></extra>",
            ),
        ]
    )
    if top_share is not None:
        cut = (1 - top_fraction) * 100
        pct = f"{top_fraction * 100:g}"
        fig.add_shape(
            type="line", x0=cut, x1=cut, yref="paper", y0=0, y1=1, line=dict(color="#fd8d3c", dash="dot")
        )
        fig.add_annotation(
            x=cut,
            y=1,
            yref="paper",
            xanchor="right",
            yanchor="top",
            showarrow=False,
            text=t("ov_top_marker", lang, pct=pct, share=f"{top_share * 100:.1f}%"),
            font=dict(color="#a63603", size=13),
        )
    if gini is not None:
        fig.add_annotation(
            x=0.02,
            y=0.98,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            text=f"{t('ov_gini', lang)}: {gini:.2f}",
            font=dict(size=14),
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title or t("ov_lorenz_title", lang), subtitle),
        xaxis=dict(title=t("ov_lorenz_x", lang), range=[0, 100], ticksuffix="%"),
        yaxis=dict(title=t("ov_lorenz_y", lang), ticksuffix="%"),
        # Inside the empty upper left, under the Gini label, clear of the subtitle.
        legend=dict(orientation="v", x=0.02, y=0.88, xanchor="left", yanchor="top"),
        height=460,
    )
    return fig
