"""Plotly figure builders and the one theme every chart uses.

Builders are pure functions in the manner of plotly express: a small DataFrame first,
keyword options after, a ``go.Figure`` back. Every figure carries a title and a
subtitle (snapshot, filters, rules) so that an exported slide stands on its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from analytics.i18n import format_count, format_money, t, tier_label
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


# -- Segmentation -------------------------------------------------------------------------------
# The classification tree of corporate and institutional customers, the two value matrices
# (existing customers, prospects) and the tier heatmaps of the segmentation page.

#: The classes of each value matrix, in the order of their tables, and where each class lies:
#: (high on the x axis, high on the y axis). A value equal to a cut point counts as high.
MATRIX_CLASSES: dict[str, tuple[str, ...]] = {
    "existing": ("important", "quality", "ordinary", "exit"),
    "target": ("gold", "potential", "watch", "general"),
}
MATRIX_POSITION: dict[str, tuple[bool, bool]] = {
    "important": (True, True),
    "quality": (True, False),
    "ordinary": (False, True),
    "exit": (False, False),
    "gold": (True, True),
    "potential": (True, False),
    "watch": (False, True),
    "general": (False, False),
}
#: One colour per matrix class: the attractive corner green (gold for prospects), the
#: high-x corner blue, the high-y corner amber, the low corner grey.
MATRIX_COLOURS: dict[str, str] = {
    "important": "#238b45",
    "quality": "#2171b5",
    "ordinary": "#fd8d3c",
    "exit": "#9ca3af",
    "gold": "#d4a017",
    "potential": "#2171b5",
    "watch": "#fd8d3c",
    "general": "#9ca3af",
}
#: Inner nodes of the classification tree (the leaves are tiers and use TIER_COLOURS):
#: the loan branch in greens like its tiers, the no-loan branch in purples like its tiers.
NODE_COLOURS: dict[str, str] = {
    "corporate": "#f3f4f6",
    "loan": "#a1d99b",
    "loan.company": "#c7e9c0",
    "loan.company.traditional": "#e5f5e0",
    "no_loan": "#bcbddc",
    "no_loan.company": "#efedf5",
}
#: The measures a heatmap or the tree can show; the money ones are scaled to 万/亿 or K/M/B.
SEGMENT_MEASURES = ("customers", "aum", "profit_contribution")


def node_label(node: str, lang: str = "en") -> str:
    """The display name of a classification-tree node: a tier's name for a leaf."""
    return tier_label(node, lang) if node in TIER_COLOURS else t(f"seg_node_{node}", lang)


def _message_figure(
    title: str, subtitle: str | None, lang: str, *, message: str = "seg_no_data"
) -> go.Figure:
    """A figure that says there is nothing to draw, keeping the title (an empty selection)."""
    fig = go.Figure()
    fig.add_annotation(
        text=t(message, lang),
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        showarrow=False,
        font=dict(size=16, color="#6b7280"),
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        height=360,
    )
    return fig


def _label(name: str, lang: str) -> str:
    # Column names of the segmentation frames: the common ones, else the page's own.
    return t(name, lang) if name in ("customers", "aum", "profit_contribution") else t(f"seg_{name}", lang)


def _measure_text(value: float, measure: str, lang: str) -> str:
    return format_count(int(value), lang) if measure == "customers" else money_text(value, lang)


def classification_sunburst(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    selected: str | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The classification tree of corporate and institutional customers as a sunburst.

    Every node carries its id (``ids``), so that a click reports which node to filter the
    page to. Leaves (tiers) are sized by ``measure`` (a loss-making tier has no area: a
    sunburst cannot draw a negative size) and every inner node is the sum of its
    children; the hover shows the node's customers, AUM, deposits, loans and profit
    contribution as they are.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.classification_tree` (``node, parent,
        depth, customers, aum, deposit_balance, loan_balance, profit_contribution``); the
        root's parent is empty.
    measure : {"customers", "aum", "profit_contribution"}
        What the areas show.
    selected : str, optional
        A node to outline (the one the page is filtered to).
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("seg_tree_title", lang, measure=t(measure, lang))
    if df.empty:
        return _message_figure(title, subtitle, lang)
    nodes = list(df["node"])
    parents = ["" if p is None or p != p else str(p) for p in df["parent"]]  # p != p: NaN
    inner = set(parents)
    # Only leaves get a size; "remainder" makes every inner node exactly the sum of its children.
    sizes = [0.0 if n in inner else max(float(v), 0.0) for n, v in zip(nodes, df[measure], strict=True)]
    if sum(sizes) <= 0:
        return _message_figure(title, subtitle, lang)
    colours = [TIER_COLOURS.get(n) or NODE_COLOURS.get(n, "#e5e7eb") for n in nodes]
    customdata = list(
        zip(
            [format_count(int(v), lang) for v in df["customers"]],
            [money_text(v, lang) for v in df["aum"]],
            [money_text(v, lang) for v in df["deposit_balance"]],
            [money_text(v, lang) for v in df["loan_balance"]],
            [money_text(v, lang) for v in df["profit_contribution"]],
            strict=True,
        )
    )
    fig = go.Figure(
        go.Sunburst(
            ids=nodes,
            parents=parents,
            labels=[node_label(n, lang) for n in nodes],
            values=sizes,
            branchvalues="remainder",
            sort=False,
            marker=dict(
                colors=colours,
                line=dict(
                    color=["#111827" if n == selected else "white" for n in nodes],
                    width=[3 if n == selected else 1 for n in nodes],
                ),
            ),
            textinfo="label+percent root",
            insidetextorientation="radial",
            customdata=customdata,
            hovertemplate=(
                "<b>%{label}</b>"
                f"<br>{t('customers', lang)}: %{{customdata[0]}}"
                f"<br>{t('aum', lang)}: %{{customdata[1]}}"
                f"<br>{t('deposits', lang)}: %{{customdata[2]}}"
                f"<br>{t('loans', lang)}: %{{customdata[3]}}"
                f"<br>{t('profit_contribution', lang)}: %{{customdata[4]}}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        height=620,
        margin=dict(l=20, r=20, t=100, b=20),
    )
    return fig


def _padded_range(values, cut: float | None) -> list[float]:
    # The cut line always inside the plot, so that each corner lies in its own quadrant.
    points = [float(v) for v in values if v == v] + ([] if cut is None else [float(cut)])
    low, high = min(points), max(points)
    pad = (high - low) * 0.06 or abs(high) * 0.1 or 1.0
    return [low - pad, high + pad]


#: An axis whose full range is this many times wider than its 1st-99th percentile range ends
#: at those percentiles (a few very large customers would squeeze everyone else into a line).
OUTLIER_SPREAD = 3.0


def _view_range(values: pd.Series, cut: float | None) -> tuple[list[float], bool]:
    """The axis range to show, and whether it leaves out the extreme 1% on either side."""
    v = pd.Series(values, dtype="float64").dropna()
    full = _padded_range(v, cut)
    if len(v) >= 50:
        core = _padded_range([v.quantile(0.01), v.quantile(0.99)], cut)
        if full[1] - full[0] > OUTLIER_SPREAD * (core[1] - core[0]):
            return core, True
    return full, False


def _matrix_scatter(
    df: pd.DataFrame,
    *,
    kind: str,
    x: str,
    y: str,
    x_cut: float | None,
    y_cut: float | None,
    x_money: bool,
    population: int | None,
    lang: str,
    title: str,
    subtitle: str | None,
) -> go.Figure:
    if df.empty:
        return _message_figure(title, subtitle, lang)
    class_column, id_column, size_column = (
        ("quadrant", "customer_id", "aum")
        if kind == "existing"
        else ("target_class", "prospect_id", "estimated_aum")
    )
    x_range, x_clipped = _view_range(df[x], x_cut)
    y_range, y_clipped = _view_range(df[y], y_cut)
    # The unit of the money axis follows what is in view (an outlier left out does not set it).
    x_div, x_unit = money_scale(x_range, lang) if x_money else (1.0, None)
    x_title = (
        t(f"seg_axis_{x}", lang)
        if x_unit is None
        else t("ov_axis_unit", lang, measure=t(x, lang), unit=x_unit)
    )
    # Numbers travel as numpy arrays (base64 in the JSON): a few thousand points per class
    # as Python lists of tuples would cost most of a page run to validate, copy and encode.
    size_div, size_unit = money_scale(df[size_column].fillna(0.0), lang)
    x_hover = f"%{{x:,.2f}} {x_unit}" if x_unit else "%{x:,.3g}"
    traces = []
    for cls in MATRIX_CLASSES[kind]:
        part = df[df[class_column] == cls]
        if part.empty:
            continue
        if kind == "existing":
            labels = [tier_label(tr, lang) for tr in part["tier"]]
        else:
            labels = [ind if ind == ind and ind else "" for ind in part["industry"]]
        who = (part[id_column].astype(str) + " · " + pd.Series(labels, index=part.index)).str.rstrip(" ·")
        traces.append(
            go.Scattergl(
                x=(part[x] / x_div).to_numpy("float64"),
                y=part[y].to_numpy("float64"),
                mode="markers",
                name=t(f"seg_class_{cls}", lang),
                marker=dict(color=MATRIX_COLOURS[cls], size=6, opacity=0.65, line=dict(width=0)),
                text=who.tolist(),
                customdata=(part[size_column].fillna(np.nan) / size_div).to_numpy("float64"),
                hovertemplate=(
                    "%{text}"
                    f"<br>{_label(x, lang)}: {x_hover}"
                    f"<br>{_label(y, lang)}: %{{y:,.3g}}"
                    f"<br>{_label(size_column, lang)}: %{{customdata:,.2f}} {size_unit}"
                    f"<br>{t(f'seg_class_{cls}', lang)}<extra></extra>"
                ),
            )
        )
    fig = go.Figure(traces)
    line = dict(color="#374151", dash="dash", width=1.5)
    if x_cut is not None:
        fig.add_shape(type="line", x0=x_cut / x_div, x1=x_cut / x_div, yref="paper", y0=0, y1=1, line=line)
    if y_cut is not None:
        fig.add_shape(type="line", y0=y_cut, y1=y_cut, xref="paper", x0=0, x1=1, line=line)
    for cls in MATRIX_CLASSES[kind]:
        high_x, high_y = MATRIX_POSITION[cls]
        fig.add_annotation(
            text=f"<b>{t(f'seg_class_{cls}', lang)}</b>",
            x=0.99 if high_x else 0.01,
            y=0.99 if high_y else 0.01,
            xref="paper",
            yref="paper",
            xanchor="right" if high_x else "left",
            yanchor="top" if high_y else "bottom",
            showarrow=False,
            font=dict(color=MATRIX_COLOURS[cls], size=15),
            bgcolor="rgba(255,255,255,0.75)",
        )
    if population is not None and population > len(df):
        fig.add_annotation(
            text=t(
                f"seg_sample_{kind}",
                lang,
                n=format_count(len(df), lang),
                total=format_count(population, lang),
            ),
            x=1,
            y=0,
            yshift=-66,
            xref="paper",
            yref="paper",
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font=dict(size=12, color="#6b7280"),
        )
    if x_clipped or y_clipped:
        fig.add_annotation(
            text=t("seg_axis_clipped", lang),
            x=0,
            y=0,
            yshift=-66,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font=dict(size=12, color="#6b7280"),
        )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=x_title, range=[v / x_div for v in x_range], zeroline=True, zerolinecolor="#e5e7eb"),
        yaxis=dict(title=t(f"seg_axis_{y}", lang), range=y_range),
        showlegend=False,
        height=580,
        hovermode="closest",
        margin=dict(b=90),  # room for the notes under the axis title
    )
    return fig


def existing_matrix_scatter(
    df: pd.DataFrame,
    *,
    profit_cut: float | None,
    value_cut: float | None,
    population: int | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The existing-customer matrix: profit contribution (x) against bank-to-customer value (y).

    One WebGL scatter trace per quadrant, the two cut lines dashed, each quadrant named in
    its corner: important (top right), quality (bottom right), ordinary (top left), exit.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.existing_points` (``customer_id, segment,
        tier, aum, profit_contribution, bank_value, quadrant``), possibly a sample.
    profit_cut, value_cut : float or None
        The cut points in use (CNY of profit contribution; the bank-value score).
    population : int, optional
        The customers the sample was drawn from; when larger than ``df``, the figure says so.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    return _matrix_scatter(
        df,
        kind="existing",
        x="profit_contribution",
        y="bank_value",
        x_cut=profit_cut,
        y_cut=value_cut,
        x_money=True,
        population=population,
        lang=lang,
        title=title or t("seg_existing_title", lang),
        subtitle=subtitle,
    )


def target_matrix_scatter(
    df: pd.DataFrame,
    *,
    potential_cut: float | None,
    fit_cut: float | None,
    population: int | None = None,
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """The target-customer matrix: potential value (x) against fit (y), prospects as WebGL points.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.target_points` (``prospect_id, segment,
        industry, estimated_aum, potential_value, fit, target_class``), possibly a sample.
    potential_cut, fit_cut : float or None
        The cut points in use (scores).
    population : int, optional
        The prospects the sample was drawn from.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    return _matrix_scatter(
        df,
        kind="target",
        x="potential_value",
        y="fit",
        x_cut=potential_cut,
        y_cut=fit_cut,
        x_money=False,
        population=population,
        lang=lang,
        title=title or t("seg_target_title", lang),
        subtitle=subtitle,
    )


def _tier_heatmap(
    df: pd.DataFrame,
    *,
    column: str,
    columns: list[str],
    column_labels: list[str],
    measure: str,
    x_title: str,
    lang: str,
    title: str,
    subtitle: str | None,
) -> go.Figure:
    if df.empty or not columns:
        return _message_figure(title, subtitle, lang)
    tiers = [tier for tier in TIER_ORDER if tier in set(df["tier"])]
    grid = (
        df.pivot_table(index="tier", columns=column, values=measure, aggfunc="sum", fill_value=0)
        .reindex(index=tiers, columns=columns, fill_value=0)
        .astype(float)
    )
    money = measure != "customers"
    divisor, unit = money_scale(grid.to_numpy().ravel(), lang) if money else (1.0, None)
    row_total = grid.sum(axis=1).replace(0, float("nan"))
    row_share = grid.div(row_total, axis=0) * 100
    text = [
        [_measure_text(v, measure, lang).removesuffix(" CNY").removesuffix("元") for v in row]
        for row in grid.to_numpy()
    ]
    customdata = [
        [
            (_measure_text(v, measure, lang), "–" if s != s else f"{s:.1f}%")
            for v, s in zip(values, shares, strict=True)
        ]
        for values, shares in zip(grid.to_numpy(), row_share.to_numpy(), strict=True)
    ]
    negative = bool((grid.to_numpy() < 0).any())
    fig = go.Figure(
        go.Heatmap(
            z=grid.to_numpy() / divisor,
            x=column_labels,
            y=[tier_label(tier, lang) for tier in tiers],
            colorscale="RdBu" if negative else "Blues",
            zmid=0 if negative else None,
            text=text,
            texttemplate="%{text}",
            customdata=customdata,
            hovertemplate=(
                f"%{{y}} · %{{x}}<br>{t(measure, lang)}: %{{customdata[0]}}"
                f"<br>{t('seg_row_share', lang)}: %{{customdata[1]}}<extra></extra>"
            ),
            colorbar=dict(
                title=dict(text=t(measure, lang) if unit is None else unit, side="right"), thickness=14
            ),
            xgap=1,
            ygap=1,
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis=dict(title=x_title, type="category", side="bottom", tickangle=-30 if len(columns) > 6 else 0),
        # The first tier of TIER_ORDER on top.
        yaxis=dict(type="category", autorange="reversed", automargin=True, showgrid=False),
        height=max(360, 170 + 34 * len(tiers)),
    )
    return fig


def tier_unit_heatmap(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    level: str = "region",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Tiers (rows, in :data:`TIER_ORDER`) by organisation unit (columns): customers, AUM or profit.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.tier_by_unit` (``unit, tier, customers, aum,
        profit_contribution``), one row per unit and tier.
    measure : {"customers", "aum", "profit_contribution"}
        The cell values (money scaled to one unit for the colour bar).
    level : {"region", "branch", "rm_id"}
        What the units are.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    level_text = t(level, lang).lower() if lang == "en" else t(level, lang)  # mid-sentence
    title = title or t("seg_heatmap_unit_title", lang, measure=t(measure, lang), level=level_text)
    units = sorted({str(u) for u in df["unit"]}) if not df.empty else []
    frame = df.assign(unit=df["unit"].astype(str)) if not df.empty else df
    return _tier_heatmap(
        frame,
        column="unit",
        columns=units,
        column_labels=units,
        measure=measure,
        x_title=t(level, lang),
        lang=lang,
        title=title,
        subtitle=subtitle,
    )


def tier_quadrant_heatmap(
    df: pd.DataFrame,
    *,
    measure: str = "customers",
    lang: str = "en",
    title: str | None = None,
    subtitle: str | None = None,
) -> go.Figure:
    """Tiers (rows, in :data:`TIER_ORDER`) by quadrant of the existing-customer matrix.

    Parameters
    ----------
    df : pandas.DataFrame
        Output of :func:`analytics.segmentation.tier_by_quadrant` (``tier, quadrant,
        customers, aum, profit_contribution``).
    measure : {"customers", "aum", "profit_contribution"}
        The cell values.
    lang : str
        ``"en"`` or ``"zh"``.
    title, subtitle : str, optional
        Chart title and the line under it.
    """
    title = title or t("seg_heatmap_quadrant_title", lang, measure=t(measure, lang))
    quadrants = list(MATRIX_CLASSES["existing"])
    return _tier_heatmap(
        df,
        column="quadrant",
        columns=quadrants,
        column_labels=[t(f"seg_class_{q}", lang) for q in quadrants],
        measure=measure,
        x_title=t("seg_quadrant", lang),
        lang=lang,
        title=title,
        subtitle=subtitle,
    )
