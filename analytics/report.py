"""Each page's default view as charts and tables, for exports made without a browser.

``python -m analytics export --page overview --format pptx --out deck.pptx`` builds the
charts and tables a page shows when it is opened with no settings of its own (see
:func:`page_report`), from the same analytics functions and chart builders
(:mod:`analytics.charts`) the pages call, with the same parameters and defaults:

- the sidebar's defaults: the latest snapshot (or the one asked for), the whole bank (or one
  segment), English (or Chinese), the rules file (or another);
- each page's own defaults, as its URL leaves them out: the overview's league one level down;
  segmentation at the root of the classification tree with the median (or rules) cut points,
  the first class of each matrix listed, the tier heatmap by branch in customers; migration
  from the snapshot before the chosen one, matrix in customers, a 12-month window and a
  3-month backtest; satisfaction and complaints with no breakdown, a 15-day service limit, and
  the links between them by branch; the tuner with the rules unchanged (scenario = baseline)
  and the default workload times; the service standards ranked by the combined score, the
  not-served list of any standard and any tier.

Every chart carries the subtitle its page gives it (snapshot, scope, rules). Tables are the
small frames a page shows, with headers in the chosen language, tier and segment names as
labels, numbers as numbers and money in CNY; columns in percent end with ``%`` (the export's
cue for a percentage format). Customer-level rows appear only in the lists a page itself
shows, ordered and limited in the engine (the top 20 customers, the first 1,000 of a matrix
class, the 5,000 largest high-tier losses or customers not served to standard).

A page whose data is missing in part (no prospects, too few months for a method) keeps its
other items; what is missing becomes an item with only a note, which the exports list and
skip. A view a page cannot show at all (no snapshot loaded, an empty selection, one
snapshot for migration) raises :class:`~analytics.errors.TierscopeError` with the page's own
message.

No Streamlit here: the pages and this module call the same library.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analytics import (
    charts,
    concentration,
    export,
    migration,
    overview,
    segmentation,
    standards,
    trends,
    tuner,
)
from analytics.charts import (
    STANDARD_SCORE,
    node_label,
    p_text,
    standard_group_label,
    standard_measure_label,
    standard_requirement_text,
    state_label,
)
from analytics.errors import TierscopeError
from analytics.i18n import LANGUAGES, format_count, format_money, segment_label, t, tier_label
from analytics.rules import TierRules
from analytics.scope import Filters, apply_event_filters, apply_filters
from analytics.tiers import tier_summary

#: The pages that can be exported, in the order of the app's menu.
PAGES = ("overview", "segmentation", "migration", "trends", "tuner", "standards")

#: The label key of each page's name.
PAGE_LABELS = {
    "overview": "overview",
    "segmentation": "page_segmentation",
    "migration": "page_migration",
    "trends": "page_trends",
    "tuner": "page_tuner",
    "standards": "page_standards",
}

#: Rows of the top-customers list (the overview's).
TOP_CUSTOMERS = 20
#: Points drawn in a matrix scatter and rows of a class list (the segmentation page's).
MATRIX_POINTS, CLASS_LIST_LIMIT = 3000, 1000
#: The migration page's defaults: window of the average matrix, backtest horizon (months),
#: months the projection runs ahead, rows of the high-tier losses.
WINDOW_MONTHS, HORIZON_MONTHS, PROJECTION_MONTHS, LOSSES_LIMIT = 12, 3, 12, 5000
#: The trends page's default service limit (days) and the months with customers from which the
#: complaint verdicts are on the rate.
WITHIN_DAYS, RATE_MONTHS = 15, 6
#: Rows of the standards page's list of customers not served to standard.
NOT_SERVED_LIMIT = 5000

# Labels the pages show as widgets (cards, metrics) and that become table headers here.
_LABELS = {
    "en": {
        "headline": "Headline figures",
        "measure": "Measure",
        "change": "Change vs {date} %",
        "rates": "Migration rates",
        "rate": "Rate %",
        "standards_headline": "Service standards at a glance",
        "share": "Share of customers in scope %",
        "tuner_headline": "Moved {moved} customers · managers needed {base:,.1f} → {scen:,.1f}",
        "verdict": "Trend: {verdict} (slope {slope} a month, p {p}, n = {n} months)",
        "resolution": "{median}: {median_value} · {within}: {share} · {backlog}: {open} (n = {n})",
        "nps": "{label}: {value} (n = {n})",
        "title": "Tierscope · {page}",
    },
    "zh": {
        "headline": "核心指标",
        "measure": "指标",
        "change": "较 {date} 变化 %",
        "rates": "迁移率",
        "rate": "比率 %",
        "standards_headline": "服务标准概览",
        "share": "占考核客户比例 %",
        "tuner_headline": "层级变化客户 {moved} 户 · 所需客户经理 {base:,.1f} → {scen:,.1f}",
        "verdict": "趋势：{verdict}（每月变化 {slope}，p {p}，n = {n} 个月）",
        "resolution": "{median}：{median_value} · {within}：{share} · {backlog}：{open}（n = {n}）",
        "nps": "{label}：{value}（n = {n}）",
        "title": "{page} · 客户分层洞察",
    },
}


def _label(key: str, lang: str, **values) -> str:
    return _LABELS.get(lang, _LABELS["en"])[key].format(**values)


# -- what an export holds ---------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ReportItem:
    """One chart or table of a page (or a note on one the view cannot show).

    ``eq=False``: the figure and table have no truth value; items compare by identity.

    Attributes
    ----------
    title : str
        The chart's title (without its subtitle) or the table's title, as the page shows it.
    figure : plotly.graph_objects.Figure or None
        The chart, with its title and subtitle (snapshot, scope, rules).
    table : pandas.DataFrame or None
        The table: translated headers, numbers as numbers, money in CNY.
    note : str
        A caption the page shows with it (sample size, method, what is missing). An item
        with neither figure nor table is one the view cannot show; ``note`` says why.
    subtitle : str
        What a table covers (snapshot, scope, rules), for its slide's footnote.
    """

    title: str
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    note: str = ""
    subtitle: str = ""

    @property
    def kind(self) -> str:
        """``"chart"``, ``"table"`` or ``"skipped"`` (neither)."""
        if self.figure is not None:
            return "chart"
        return "table" if self.table is not None else "skipped"


@dataclass(frozen=True, eq=False)
class Report:
    """A page's default view as charts and tables, in the page's order.

    Attributes
    ----------
    page : str
        One of :data:`PAGES`.
    title : str
        ``Tierscope · Overview`` (in the language asked for).
    subtitle : str
        Snapshot, scope and rules of the view, as under the page's charts.
    items : tuple of ReportItem
        Charts, tables and notes on what the view cannot show.
    snapshot_date : datetime.date or None
        The snapshot shown (``None`` only for the trends page without customer snapshots).
    lang : str
        Language of the labels.
    """

    page: str
    title: str
    subtitle: str
    items: tuple[ReportItem, ...]
    snapshot_date: dt.date | None = None
    lang: str = "en"

    @property
    def charts(self) -> tuple[ReportItem, ...]:
        """The items with a figure."""
        return tuple(i for i in self.items if i.kind == "chart")

    @property
    def tables(self) -> tuple[ReportItem, ...]:
        """The items with a table."""
        return tuple(i for i in self.items if i.kind == "table")

    @property
    def skipped(self) -> tuple[ReportItem, ...]:
        """The items the view cannot show, each with its reason in ``note``."""
        return tuple(i for i in self.items if i.kind == "skipped")


# -- subtitles ----------------------------------------------------------------------------------


def scope_text(filters: Filters, lang: str = "en") -> str:
    """What a view covers, as a subtitle reads it: ``Retail · 深圳分行`` or ``Head office``.

    The same text as the pages' (``ui.overview.scope_text``): the segment named in ``lang``
    and head office named when no organisation filter is set.
    """
    parts = [p for p in (filters.region, filters.branch, filters.rm_id) if p]
    if not parts:
        parts = [t("ov_scope_head_office", lang)]
    if filters.segment != "all":
        parts.insert(0, segment_label(filters.segment, lang))
    return " · ".join(parts)


def subtitle(*, snapshot_date: dt.date | None, filters: Filters, rules: TierRules, lang: str = "en") -> str:
    """The line under a chart title: snapshot (``None`` for a chart over every snapshot), scope, rules.

    ``Snapshot 2026-09-30 · Head office · Rules: Default tier rules v1``, as the pages write it
    (``ui.overview.subtitle``).
    """
    parts = [f"{t('snapshot', lang)} {snapshot_date.isoformat()}"] if snapshot_date else []
    parts += [scope_text(filters, lang), f"{t('rules', lang)}: {rules.name} v{rules.version}"]
    return " · ".join(parts)


_TAG = re.compile(r"<[^>]+>")


def figure_title(fig: go.Figure) -> str:
    """A figure's title as plain text, without its subtitle (the builders write ``title<br><sup>sub</sup>``)."""
    text = fig.layout.title.text or ""
    return _TAG.sub("", text.partition("<br>")[0]).strip()


def resolve_snapshot(store, requested: dt.date | None = None) -> dt.date:
    """The snapshot to show: ``requested`` when it is loaded, else the latest.

    Raises
    ------
    TierscopeError
        Nothing is loaded, or ``requested`` is not (the message lists the loaded ones).
    """
    snaps = store.snapshots()
    if snaps.empty:
        raise TierscopeError(
            f"no snapshots are loaded in {store.path}; run 'python -m analytics demo' or 'load'"
        )
    if requested is None:
        return snaps["snapshot_date"].iloc[-1]
    if requested not in set(snaps["snapshot_date"]):
        known = ", ".join(d.isoformat() for d in snaps["snapshot_date"])
        raise TierscopeError(f"snapshot {requested.isoformat()} is not loaded (loaded: {known})")
    return requested


# -- building blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _View:
    """The view a page is built for: store, rules, language, filters and snapshots."""

    store: object
    rules: TierRules
    lang: str
    filters: Filters
    snapshot: dt.date | None
    snapshots: tuple[dt.date, ...]
    loaded: frozenset[str] = field(default_factory=frozenset)

    def customers(self):
        return apply_filters(self.store.table("customers"), self.filters)

    def prospects(self):
        return apply_filters(self.store.table("prospects"), self.filters)

    def events(self, name: str):
        """Surveys or complaints narrowed to the filters (``ui.data.scoped``)."""
        return apply_event_filters(
            self.store.table(name), self.filters, customers=self.store.table("customers")
        )

    def sub(self, *, snapshot: bool = True) -> str:
        return subtitle(
            snapshot_date=self.snapshot if snapshot else None,
            filters=self.filters,
            rules=self.rules,
            lang=self.lang,
        )


def _chart(fig: go.Figure, note: str = "") -> ReportItem:
    return ReportItem(title=figure_title(fig), figure=fig, note=note)


def _table(title: str, df: pd.DataFrame, sub: str, note: str = "") -> ReportItem:
    return ReportItem(title=title, table=df.reset_index(drop=True), note=note, subtitle=sub)


def _skip(title: str, note: str) -> ReportItem:
    return ReportItem(title=title, note=note)


def _pct(header: str) -> str:
    """A header for a column in percentage points: ends with ``%``, the export's cue."""
    return header if header.rstrip().endswith("%") else f"{header} %"


def _cny(label: str, lang: str) -> str:
    """``AUM (CNY)`` / ``金融资产（元）``: a money column in CNY."""
    return t("ov_col_money", lang, label=label, unit=t("ov_unit_1", lang))


def _money(values: pd.Series) -> pd.Series:
    return values.astype("float64").round(2)


def _labels(values: pd.Series, fn, lang: str) -> pd.Series:
    return values.map(lambda v: fn(v, lang) if isinstance(v, str) else v)


def _unbold(text: str) -> str:
    return text.replace("**", "")


def _pct_text(value: float | None, digits: int = 1) -> str:
    return "–" if value is None or value != value else f"{value * 100:.{digits}f}%"


# -- overview -------------------------------------------------------------------------------------


def tier_table_frame(summary: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A tier summary as the pages export it: tier and segment names, headers in ``lang``, whole yuan."""
    money = {c: summary[c].astype("float64").round(0) for c in ("aum", "profit_contribution") if c in summary}
    return summary.assign(
        segment=summary["segment"].map(lambda s: segment_label(s, lang)),
        tier=summary["tier"].map(lambda x: tier_label(x, lang)),
        **money,
    ).rename(columns={c: t(c, lang) for c in summary.columns})


def _headline_table(head: overview.Headline, lang: str) -> pd.DataFrame:
    columns: dict[str, list] = {_label("measure", lang): [t(m, lang) for m in overview.MEASURES]}

    def values(prefix: str) -> list:
        # customers whole, money in CNY to the cent
        return [
            int(getattr(head, prefix + m)) if m == "customers" else round(float(getattr(head, prefix + m)), 2)
            for m in overview.MEASURES
        ]

    columns[head.snapshot_date.isoformat()] = values("")
    for against, date in (("previous", head.previous_date), ("year_ago", head.year_ago_date)):
        if date is None:
            continue
        columns[date.isoformat()] = values(f"{against}_")
        changes = [head.change(m, against) for m in overview.MEASURES]
        columns[_label("change", lang, date=date.isoformat())] = [
            None if c is None else round(c * 100, 2) for c in changes
        ]
    # object columns: customer counts stay whole numbers next to money
    return pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})


def _league_table(df: pd.DataFrame, level: str, lang: str, retail_mix: bool) -> pd.DataFrame:
    columns = {
        t(level, lang): df["name"].astype(str),
        t("customers", lang): df["customers"].astype("int64"),
        _cny(t("aum", lang), lang): _money(df["aum"]),
        _cny(t("profit_contribution", lang), lang): _money(df["profit_contribution"]),
        _pct(t("ov_aum_growth", lang)): (df["aum_growth"].astype("float64") * 100).round(2),
    }
    if retail_mix:
        columns[_pct(t("ov_affluent_plus_share", lang))] = (
            df["affluent_plus_share"].astype("float64") * 100
        ).round(2)
        columns[_pct(t("ov_hnw_plus_aum_share", lang))] = (
            df["hnw_plus_aum_share"].astype("float64") * 100
        ).round(2)
    return pd.DataFrame(columns)


def _top_customers_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("segment", lang): _labels(df["segment"], segment_label, lang),
            t("tier", lang): _labels(df["tier"], tier_label, lang),
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            _cny(t("aum", lang), lang): _money(df["aum"]),
            _cny(t("profit_contribution", lang), lang): _money(df["profit_contribution"]),
        }
    )


def _concentration_note(conc: concentration.Concentration, lang: str) -> str:
    na = t("ov_na", lang)
    pct = f"{conc.top_fraction * 100:g}"
    gini = na if conc.gini is None else f"{conc.gini:.2f}"
    share = na if conc.top_share is None else f"{conc.top_share * 100:.1f}%"
    loss_pct = f"{conc.loss_making / conc.customers * 100:.1f}%" if conc.customers else na
    loss = t("ov_loss_making_value", lang, count=format_count(conc.loss_making, lang), share=loss_pct)
    sep = "：" if lang == "zh" else ": "
    return " · ".join(
        [
            f"{t('ov_gini', lang)}{sep}{gini}",
            f"{t('ov_top_share', lang, pct=pct)}{sep}{share}",
            f"{t('ov_loss_making', lang)}{sep}{loss}, "
            + t("ov_loss_making_delta", lang, loss=format_money(conc.losses, lang)),
        ]
    )


def _empty_selection(v: _View) -> TierscopeError:
    return TierscopeError(f"{t('empty_selection', v.lang)} ({scope_text(v.filters, v.lang)})")


def _overview(v: _View) -> list[ReportItem]:
    lang, customers = v.lang, v.customers()
    previous, year_ago = overview.comparison_dates(v.snapshots, v.snapshot)
    head = overview.headline(
        customers, snapshot_date=v.snapshot, previous_date=previous, year_ago_date=year_ago
    )
    if head.customers == 0:
        raise _empty_selection(v)
    sub = v.sub()
    segments = overview.segments_for(v.filters.segment)
    items = [_table(_label("headline", lang), _headline_table(head, lang), sub)]

    pyramid = overview.tier_pyramid(customers, rules=v.rules, snapshot_date=v.snapshot, segments=segments)
    summary = pyramid[["segment", "tier", "customers", "aum", "profit_contribution"]]
    items.append(_chart(charts.tier_pyramid(pyramid, lang=lang, subtitle=sub)))
    items.append(_table(t("tier_table", lang), tier_table_frame(summary, lang), sub))

    history = overview.tier_history(customers, rules=v.rules, segments=segments)
    history_sub = v.sub(snapshot=False)
    for measure in ("aum", "profit_contribution"):
        fig = charts.tier_history(
            history, measure=measure, lang=lang, subtitle=history_sub, highlight=v.snapshot
        )
        items.append(_chart(fig))

    level = v.filters.child_level
    ranking = overview.league(
        customers, rules=v.rules, snapshot_date=v.snapshot, level=level, previous_date=previous
    )
    items.append(_chart(charts.league_bars(ranking, level=level, lang=lang, subtitle=sub)))
    items.append(
        _table(
            t("ov_league_section", lang, level=t(level, lang).lower() if lang == "en" else t(level, lang)),
            _league_table(ranking, level, lang, v.filters.segment in ("all", "retail")),
            sub,
        )
    )

    conc = concentration.concentration(customers, snapshot_date=v.snapshot)
    fig = charts.lorenz_curve(
        conc.lorenz,
        top_fraction=conc.top_fraction,
        top_share=conc.top_share,
        gini=conc.gini,
        lang=lang,
        subtitle=sub,
    )
    items.append(_chart(fig, note=_concentration_note(conc, lang)))

    top = overview.top_customers(customers, rules=v.rules, snapshot_date=v.snapshot, n=TOP_CUSTOMERS)
    items.append(_table(t("ov_top_customers", lang, n=len(top)), _top_customers_table(top, lang), sub))
    return items


# -- segmentation -------------------------------------------------------------------------------


def class_label(cls: str, lang: str) -> str:
    """A class with what it means: ``Important (high profit, high value)``, ``重要客户（高利润、高价值）``."""
    name, means = t(f"seg_class_{cls}", lang), t(f"seg_class_help_{cls}", lang)
    return f"{name}（{means}）" if lang == "zh" else f"{name} ({means})"


def _tree_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    depth = dict(zip(df["node"], df["depth"], strict=True))
    columns = {
        t("seg_col_node", lang): ["\u2003" * int(depth[n]) + node_label(n, lang) for n in df["node"]],
        t("customers", lang): df["customers"].astype("int64"),
    }
    for column, key in (
        ("aum", "aum"),
        ("deposit_balance", "deposits"),
        ("loan_balance", "loans"),
        ("profit_contribution", "profit_contribution"),
    ):
        columns[_cny(t(key, lang), lang)] = _money(df[column])
    return pd.DataFrame(columns)


def _class_table(matrix: segmentation.MatrixSummary, lang: str) -> pd.DataFrame:
    s = matrix.summary
    label = [class_label(c, lang) for c in s["class"]]
    if matrix.kind == "existing":
        return pd.DataFrame(
            {
                t("seg_quadrant", lang): label,
                t("customers", lang): s["customers"].astype("int64"),
                _pct(t("seg_col_customers_share", lang)): (s["customers_share"] * 100).round(2),
                _cny(t("aum", lang), lang): _money(s["aum"]),
                _pct(t("seg_col_aum_share", lang)): (s["aum_share"] * 100).round(2),
                _cny(t("profit_contribution", lang), lang): _money(s["profit_contribution"]),
                _pct(t("seg_col_profit_share", lang)): (s["profit_share"] * 100).round(2),
            }
        )
    return pd.DataFrame(
        {
            t("seg_target_class", lang): label,
            t("seg_col_prospects", lang): s["prospects"].astype("int64"),
            _pct(t("seg_col_prospects_share", lang)): (s["prospects_share"] * 100).round(2),
            _cny(t("seg_estimated_aum", lang), lang): _money(s["estimated_aum"]),
            _pct(t("seg_col_estimated_aum_share", lang)): (s["estimated_aum_share"] * 100).round(2),
        }
    )


def _class_list(df: pd.DataFrame, kind: str, lang: str) -> pd.DataFrame:
    if kind == "target":
        first = {
            t("seg_col_prospect_id", lang): df["prospect_id"].astype(str),
            t("seg_col_prospect_name", lang): df["prospect_name"],
            t("seg_industry", lang): df["industry"],
        }
        money = {_cny(t("seg_estimated_aum", lang), lang): _money(df["estimated_aum"])}
        scores = {
            t("seg_potential_value", lang): df["potential_value"].astype("float64"),
            t("seg_fit", lang): df["fit"].astype("float64"),
        }
    else:
        first = {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("tier", lang): _labels(df["tier"], tier_label, lang),
        }
        money = {
            _cny(t("aum", lang), lang): _money(df["aum"]),
            _cny(t("profit_contribution", lang), lang): _money(df["profit_contribution"]),
        }
        scores = {t("seg_bank_value", lang): df["bank_value"].astype("float64")}
    return pd.DataFrame(
        {
            **first,
            t("segment", lang): _labels(df["segment"], segment_label, lang),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            **money,
            **scores,
        }
    )


def _cut_value(value: float | None, axis: str, lang: str) -> str:
    if value is None:
        return t("ov_na", lang)
    return charts.money_text(value, lang) if axis == "profit_contribution" else f"{value:,.4g}"


def _cuts_note(matrix: segmentation.MatrixSummary, lang: str) -> str:
    x, y = matrix.x, matrix.y
    return t(
        "seg_cuts_in_use",
        lang,
        x=t(x, lang) if x == "profit_contribution" else t(f"seg_{x}", lang),
        x_cut=_cut_value(matrix.cut_points[x], x, lang),
        x_source=t(f"seg_in_use_{matrix.cut_sources[x]}", lang),
        y=t(f"seg_{y}", lang),
        y_cut=_cut_value(matrix.cut_points[y], y, lang),
        y_source=t(f"seg_in_use_{matrix.cut_sources[y]}", lang),
    )


def _scored(v: _View):
    """The scored population of the snapshot, kept in the engine (as the page keeps it)."""
    key = repr(
        (
            str(v.store.path),
            v.store.data_version(),
            (v.filters.segment, v.filters.region, v.filters.branch, v.filters.rm_id),
            v.rules.fingerprint,
            v.snapshot,
        )
    )
    name = "m_report_" + hashlib.sha256(key.encode()).hexdigest()[:24]
    surveys = v.store.table("surveys")
    return v.store.materialize(
        name,
        lambda: segmentation.scored_customers(
            v.customers(), rules=v.rules, snapshot_date=v.snapshot, surveys=surveys
        ),
    )


def _matrix(v: _View, kind: str, source, sub: str, empty: str) -> tuple[list[ReportItem], dict]:
    """One value matrix: the scatter, the class table and the first class's list."""
    lang = v.lang
    title = t(f"seg_{kind}_section", lang)
    base = dict(rules=v.rules, snapshot_date=v.snapshot)
    if kind == "existing":
        matrix = segmentation.existing_matrix(source, **base)
    else:
        matrix = segmentation.target_matrix(source, **base)
    if matrix.population == 0 or None in matrix.cut_points.values():
        return [_skip(title, empty)], {}
    x_cut, y_cut = (float(c) for c in matrix.cut_points.values())
    if kind == "existing":
        cuts = {"profit_cut": x_cut, "value_cut": y_cut}
        points = segmentation.existing_points(source, **base, **cuts, max_points=MATRIX_POINTS)
        fig = charts.existing_matrix_scatter(
            points, **cuts, population=matrix.population, lang=lang, subtitle=sub
        )
        first = segmentation.QUADRANTS[0]
        listed = segmentation.existing_customers(
            source, **base, **cuts, quadrant=first, limit=CLASS_LIST_LIMIT
        )
    else:
        cuts = {"potential_cut": x_cut, "fit_cut": y_cut}
        points = segmentation.target_points(source, **base, **cuts, max_points=MATRIX_POINTS)
        fig = charts.target_matrix_scatter(
            points, **cuts, population=matrix.population, lang=lang, subtitle=sub
        )
        first = segmentation.TARGET_CLASSES[0]
        listed = segmentation.target_prospects(
            source, **base, **cuts, target_class=first, limit=CLASS_LIST_LIMIT
        )
    sample = ""
    if matrix.population > len(points):
        sample = t(
            f"seg_sample_{kind}",
            lang,
            n=format_count(len(points), lang),
            total=format_count(matrix.population, lang),
        )
    items = [
        _chart(fig, note=sample),
        _table(title, _class_table(matrix, lang), sub, note=_cuts_note(matrix, lang)),
    ]
    list_title = class_label(first, lang)
    if listed.empty:
        items.append(_skip(list_title, t("seg_list_empty", lang)))
    else:
        suffix = "_prospects" if kind == "target" else ""
        total = matrix.counts()[first]
        key = f"seg_list_truncated{suffix}" if total > len(listed) else f"seg_list_count{suffix}"
        note = t(key, lang, n=format_count(len(listed), lang))
        items.append(_table(list_title, _class_list(listed, kind, lang), sub, note=note))
    return items, cuts


def _segmentation(v: _View) -> list[ReportItem]:
    lang, customers = v.lang, v.customers()
    if tier_summary(customers, rules=v.rules, snapshot_date=v.snapshot)["customers"].sum() == 0:
        raise _empty_selection(v)
    sub = v.sub()
    items: list[ReportItem] = []
    root = segmentation.TREE_NODES[0]
    tree_title = t("seg_tree_section", lang)
    if v.filters.segment == "retail":
        items.append(_skip(tree_title, t("seg_tree_retail", lang)))
    else:
        tree = segmentation.classification_tree(customers, rules=v.rules, snapshot_date=v.snapshot)
        if tree["customers"].iloc[0] == 0:
            items.append(_skip(tree_title, t("seg_tree_empty", lang)))
        else:
            fig = charts.classification_sunburst(
                tree.drop(columns="tiers"), measure="customers", selected=root, lang=lang, subtitle=sub
            )
            items.append(_chart(fig))
            items.append(_table(tree_title, _tree_table(tree, lang), sub))

    scored = _scored(v)
    empty = t("seg_node_empty", lang, node=node_label(root, lang))
    existing, cuts = _matrix(v, "existing", scored, sub, empty)
    items += existing
    empty = t("seg_no_prospects", lang, date=v.snapshot.isoformat())
    target, _ = _matrix(v, "target", v.prospects(), sub, empty)
    items += target

    levels = list(segmentation.UNIT_LEVELS[segmentation.UNIT_LEVELS.index(v.filters.child_level) :])
    level = "branch" if "branch" in levels else levels[0]
    units = segmentation.tier_by_unit(customers, rules=v.rules, snapshot_date=v.snapshot, level=level)
    items.append(
        _chart(charts.tier_unit_heatmap(units, measure="customers", level=level, lang=lang, subtitle=sub))
    )
    if cuts:
        by_quadrant = segmentation.tier_by_quadrant(scored, rules=v.rules, snapshot_date=v.snapshot, **cuts)
        items.append(
            _chart(charts.tier_quadrant_heatmap(by_quadrant, measure="customers", lang=lang, subtitle=sub))
        )
    return items


# -- migration ----------------------------------------------------------------------------------


def _previous_of(snapshots: Sequence[dt.date], date: dt.date) -> dt.date | None:
    return max((d for d in snapshots if d < date), default=None)


def migration_pair(snapshots: Sequence[dt.date], snapshot_date: dt.date) -> tuple[dt.date, dt.date]:
    """The migration page's default pair: "to" the snapshot shown (the second one when that is the
    earliest), "from" the snapshot before "to"."""
    snaps = sorted(snapshots)
    to_date = snapshot_date if snapshot_date != snaps[0] else snaps[1]
    return _previous_of(snaps, to_date), to_date


def _month_index(date: dt.date) -> int:
    return date.year * 12 + date.month - 1


def window_dates(snapshots: Sequence[dt.date], to_date: dt.date, window: int) -> tuple[dt.date, ...]:
    """The loaded snapshots of the ``window`` months up to ``to_date`` (and the one it starts from)."""
    end = _month_index(to_date)
    return tuple(sorted(d for d in snapshots if end - window <= _month_index(d) <= end and d <= to_date))


def backtest_origin(snapshots: Sequence[dt.date], to_date: dt.date, horizon: int) -> dt.date | None:
    """The snapshot ``horizon`` months before ``to_date``, if loaded with an earlier one to estimate from."""
    month = _month_index(to_date) - horizon
    origin = max((d for d in snapshots if _month_index(d) == month), default=None)
    if origin is None or not any(d < origin for d in snapshots):
        return None
    return origin


def _migration_sub(v: _View, from_date: dt.date, to_date: dt.date, *, pairs: int | None = None) -> str:
    span = f"{from_date.isoformat()} → {to_date.isoformat()}"
    lang = v.lang
    when = (
        t("mig_sub_pair", lang, span=span) if pairs is None else t("mig_sub_window", lang, n=pairs, span=span)
    )
    return " · ".join(
        [when, scope_text(v.filters, lang), f"{t('rules', lang)}: {v.rules.name} v{v.rules.version}"]
    )


def _rates_table(rates: dict, lang: str) -> pd.DataFrame:
    kinds = migration.MOVE_KINDS
    return pd.DataFrame(
        {
            _label("measure", lang): [t(f"mig_rate_{k}", lang) for k in kinds],
            _label("rate", lang): [None if rates[k] != rates[k] else round(rates[k] * 100, 2) for k in kinds],
            t("customers", lang): pd.Series([int(rates[f"{k}_customers"]) for k in kinds], dtype="int64"),
            _cny(t("aum", lang), lang): [round(float(rates[f"{k}_aum"]), 2) for k in kinds],
        }
    )


def _matrix_frame(tr: migration.Transition, lang: str) -> pd.DataFrame:
    """The transition matrix in customers as the page's table: *New* row, *Closed* column, totals."""
    counts = tr.matrix()
    present = set(counts.index) | {c for c in counts.columns if counts[c].sum() > 0}
    tiers = [s for s in migration.TO_STATES if s in present and s != "closed"]
    rows, cols = ["new", *tiers], [*tiers, "closed"]
    counts = counts.reindex(index=rows, columns=cols, fill_value=0)
    shown = counts.copy()
    shown.columns = [state_label(c, lang) for c in cols]
    shown[t("mig_total", lang)] = counts.sum(axis=1).to_numpy()
    shown.insert(0, t("mig_from_to", lang), [state_label(r, lang) for r in rows])
    return shown.reset_index(drop=True)


def _unit_table(df: pd.DataFrame, level: str, lang: str) -> pd.DataFrame:
    def pct(column: str) -> pd.Series:
        return (df[column].astype("float64") * 100).round(2)

    return pd.DataFrame(
        {
            t(level, lang): df["name"].astype(str),
            t("mig_customers_from", lang): df["customers_from"].astype("int64"),
            t("mig_kind_upgrade", lang): df["upgrades"].astype("int64"),
            t("mig_kind_downgrade", lang): df["downgrades"].astype("int64"),
            t("mig_net_upgrades", lang): df["net_upgrades"].astype("int64"),
            t("mig_kind_reclassified", lang): df["reclassified"].astype("int64"),
            t("mig_kind_closed", lang): df["closed"].astype("int64"),
            t("mig_kind_new", lang): df["new"].astype("int64"),
            _pct(t("mig_rate_upgrade", lang)): pct("upgrade_rate"),
            _pct(t("mig_rate_downgrade", lang)): pct("downgrade_rate"),
            _pct(t("mig_rate_closed", lang)): pct("closure_rate"),
            t("mig_high_tier_losses", lang): df["high_tier_losses"].astype("int64"),
            _cny(t("mig_loss_aum", lang), lang): _money(df["high_tier_loss_aum"]),
        }
    )


def _losses_table(df: pd.DataFrame, lang: str, from_date: dt.date, to_date: dt.date) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("mig_col_from_tier", lang, date=from_date.isoformat()): _labels(
                df["from_tier"], tier_label, lang
            ),
            t("mig_col_to_state", lang, date=to_date.isoformat()): _labels(df["to_state"], state_label, lang),
            t("mig_col_aum_cny", lang, date=from_date.isoformat()): _money(df["aum_from"]),
            t("mig_col_aum_cny", lang, date=to_date.isoformat()): _money(df["aum_to"]),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
        }
    )


def _average_table(long: pd.DataFrame, lang: str) -> pd.DataFrame:
    cells = long[long["customers"] > 0]
    return pd.DataFrame(
        {
            t("mig_col_from", lang): _labels(cells["from_state"], state_label, lang),
            t("mig_col_to", lang): _labels(cells["to_state"], state_label, lang),
            t("mig_col_moves", lang): cells["customers"].astype("int64"),
            t("mig_customer_months", lang): cells["exposure"].astype("int64"),
            _pct(t("mig_monthly_p", lang)): (cells["p"] * 100).round(4),
            _pct(t("mig_col_lower", lang)): (cells["lower"] * 100).round(4),
            _pct(t("mig_col_upper", lang)): (cells["upper"] * 100).round(4),
        }
    )


def _backtest_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("tier", lang): _labels(df["tier"], tier_label, lang),
            t("mig_projected", lang): df["projected"].astype("float64").round(1),
            t("mig_actual", lang): df["actual"].astype("float64"),
            _pct(t("mig_col_projected_share", lang)): (df["projected_share"] * 100).round(2),
            _pct(t("mig_col_actual_share", lang)): (df["actual_share"] * 100).round(2),
            _pct(t("mig_col_error", lang)): (df["share_error"] * 100).round(2),
        }
    )


def _start_mix(tr: migration.Transition) -> pd.Series:
    mix = tr.matrix().sum(axis=0).drop("closed")
    mix.index.name = "tier"
    return mix[mix > 0].rename("customers")


def _stationary_frame(start: pd.Series, stationary: pd.Series) -> pd.DataFrame:
    tiers = [s for s in migration.TO_STATES if s in set(start.index) | set(stationary.index)]
    total = float(start.sum())
    current = start.reindex(tiers, fill_value=0).astype("float64") / (total or 1.0)
    return pd.DataFrame(
        {
            "tier": tiers,
            "current_share": current.to_numpy(),
            "stationary_share": stationary.reindex(tiers, fill_value=0.0).astype("float64").to_numpy(),
        }
    )


def _migration(v: _View) -> list[ReportItem]:
    lang, customers = v.lang, v.customers()
    if len(v.snapshots) < 2:
        raise TierscopeError(t("mig_one_snapshot", lang, date=v.snapshots[0].isoformat()))
    from_date, to_date = migration_pair(v.snapshots, v.snapshot)
    tr = migration.transition(customers, rules=v.rules, from_date=from_date, to_date=to_date)
    if tr.counts.empty:
        raise _empty_selection(v)
    sub = _migration_sub(v, from_date, to_date)
    rates = tr.rates()
    summary = t(
        "mig_rates_summary",
        lang,
        net=f"{rates['net_upgrades']:+,}",
        new=format_count(rates["new_customers"], lang),
        before=format_count(rates["customers_from"], lang),
        after=format_count(rates["customers_to"], lang),
    )
    items = [_table(_label("rates", lang), _rates_table(rates, lang), sub, note=_unbold(summary))]

    items.append(_chart(charts.transition_heatmap(tr.counts, show="counts", lang=lang, subtitle=sub)))
    items.append(_table(t("mig_matrix_table", lang), _matrix_frame(tr, lang), sub))
    items.append(
        _chart(
            charts.transition_sankey(
                tr.with_kinds(),
                lang=lang,
                subtitle=sub,
                from_label=t("mig_from_label", lang, date=from_date.isoformat()),
                to_label=t("mig_to_label", lang, date=to_date.isoformat()),
            )
        )
    )

    level = v.filters.child_level
    units = migration.transition_by_unit(
        customers, rules=v.rules, from_date=from_date, to_date=to_date, level=level
    )
    for measure in ("net_upgrades", "high_tier_losses"):
        fig = charts.unit_migration_bars(units, measure=measure, level=level, lang=lang, subtitle=sub)
        items.append(_chart(fig))
    level_name = t(level, lang).lower() if lang == "en" else t(level, lang)
    items.append(_table(t("mig_where_section", lang, level=level_name), _unit_table(units, level, lang), sub))

    losses_title = t("mig_losses_section", lang)
    losses = migration.high_tier_losses(
        customers, rules=v.rules, from_date=from_date, to_date=to_date, limit=LOSSES_LIMIT
    )
    if losses.empty:
        items.append(_skip(losses_title, t("mig_losses_none", lang)))
    else:
        key = "mig_losses_truncated" if len(losses) >= LOSSES_LIMIT else "mig_losses_count"
        note = t(
            key,
            lang,
            n=format_count(len(losses), lang),
            aum=format_money(float(losses["aum_from"].sum()), lang),
        )
        items.append(_table(losses_title, _losses_table(losses, lang, from_date, to_date), sub, note=note))

    dates = window_dates(v.snapshots, to_date, WINDOW_MONTHS)
    if len(dates) < 2:
        items.append(_skip(t("mig_avg_table", lang), t("mig_window_short", lang, date=to_date.isoformat())))
    else:
        avg = migration.average_transition(customers, rules=v.rules, snapshot_dates=dates)
        window_sub = _migration_sub(v, dates[0], to_date, pairs=avg.pairs)
        start = _start_mix(tr)
        steady = migration.stationary_mix(avg)
        cells = avg.long()
        caption = t(
            "mig_avg_caption",
            lang,
            pairs=avg.pairs,
            span=f"{dates[0].isoformat()} → {to_date.isoformat()}",
        )
        fig = charts.average_matrix_heatmap(
            cells,
            ci_method=avg.ci_method,
            confidence=avg.confidence,
            pairs=avg.pairs,
            lang=lang,
            subtitle=window_sub,
        )
        items.append(_chart(fig, note=caption))
        items.append(_table(t("mig_avg_table", lang), _average_table(cells, lang), window_sub, note=caption))
        projection = migration.project(avg, start, months=PROJECTION_MONTHS)
        fig = charts.projection_chart(
            projection, start_label=to_date.isoformat(), lang=lang, subtitle=window_sub
        )
        items.append(_chart(fig, note=t("mig_projection_caption", lang)))
        fig = charts.stationary_mix_bars(
            _stationary_frame(start, steady),
            method=steady.attrs["method"],
            current_label=to_date.isoformat(),
            lang=lang,
            subtitle=window_sub,
        )
        items.append(_chart(fig, note=t("mig_projection_caption", lang)))

    backtest_title = t("mig_backtest_section", lang, h=HORIZON_MONTHS)
    origin = backtest_origin(v.snapshots, to_date, HORIZON_MONTHS)
    if origin is None:
        note = t("mig_backtest_short", lang, h=HORIZON_MONTHS, date=to_date.isoformat())
        items.append(_skip(backtest_title, note))
    else:
        known = tuple(d for d in v.snapshots if d <= to_date)
        test = migration.backtest(
            customers,
            rules=v.rules,
            snapshot_dates=known,
            origin=origin,
            horizon=HORIZON_MONTHS,
            window=WINDOW_MONTHS,
        )
        test_sub = _migration_sub(v, origin, to_date)
        items.append(_chart(charts.backtest_chart(test, lang=lang, subtitle=test_sub)))
        items.append(_table(backtest_title, _backtest_table(test, lang), test_sub))
    return items


# -- satisfaction and complaints ----------------------------------------------------------------


def _month(m) -> str:
    return f"{m.year:04d}-{m.month:02d}"


def _series(monthly: pd.DataFrame, column: str) -> pd.DataFrame:
    return monthly[["month", column]].rename(columns={column: "value"}).reset_index(drop=True)


def _too_short(what: str, result, lang: str) -> str:
    return t("tr_too_short", lang, what=t(f"tr_what_{what}", lang), minimum=result.min_months, n=result.n)


def _verdict_note(result: trends.TrendResult, lang: str) -> str:
    if result.status != "ok":
        return _too_short("trend", result, lang)
    key = {"improving": "improving", "declining": "declining"}.get(result.verdict, "none")
    slope = "–" if result.slope is None else f"{result.slope:+.3g}"
    return _label(
        "verdict",
        lang,
        verdict=t(f"tr_verdict_{key}", lang),
        slope=slope,
        p=p_text(result.p_value),
        n=result.n,
    )


def _anomaly_measure(result: trends.AnomalyResult, default: str) -> str:
    if result.rule in ("u-chart", "laney-u-chart"):
        return "rate"
    if result.rule in ("stl-residual", "c-chart"):
        return "complaints"
    return default


def _method_items(
    values: pd.DataFrame,
    anomalies: trends.AnomalyResult,
    *,
    measure: str,
    bounds: tuple[float | None, float | None],
    sub: str,
    lang: str,
) -> list[ReportItem]:
    """The control chart, the STL panels and the forecast of one monthly series (or why not)."""
    items = []
    if anomalies.status == "ok":
        months = ", ".join(_month(m) for m in anomalies.months) or t("tr_anom_none", lang)
        fig = charts.control_chart(
            anomalies.frame,
            rule=anomalies.rule,
            centre=anomalies.centre,
            measure=_anomaly_measure(anomalies, measure),
            lang=lang,
            subtitle=sub,
        )
        items.append(_chart(fig, note=f"{t('tr_anom_section', lang)}: {months} (n = {anomalies.n})"))
    else:
        items.append(_skip(t("tr_anom_section", lang), _too_short("chart", anomalies, lang)))
    stl = trends.decompose(values)
    if stl.status == "ok":
        items.append(_chart(charts.decomposition_chart(stl.frame, measure=measure, lang=lang, subtitle=sub)))
    else:
        items.append(_skip(t("tr_stl_section", lang), _too_short("stl", stl, lang)))
    fc = trends.forecast(values, bounds=bounds)
    if fc.status == "ok":
        fig = charts.forecast_chart(fc.frame, history=values, measure=measure, lang=lang, subtitle=sub)
        items.append(_chart(fig, note=f"{fc.model} (n = {fc.n})"))
    else:
        note = (
            _too_short("forecast", fc, lang)
            if fc.status == "too_short"
            else t("tr_fc_na", lang, message=fc.message)
        )
        items.append(_skip(t("tr_fc_section", lang, months=fc.months), note))
    return items


def _satisfaction_table(monthly: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("tr_col_month", lang): [_month(m) for m in monthly["month"]],
            t("tr_col_n", lang): monthly["n"].astype("int64").to_numpy(),
            t("tr_col_mean", lang): monthly["mean"].astype("float64").round(3).to_numpy(),
            t("tr_col_ci_low", lang): monthly["ci_low"].astype("float64").round(3).to_numpy(),
            t("tr_col_ci_high", lang): monthly["ci_high"].astype("float64").round(3).to_numpy(),
        }
    )


def _complaints_table(monthly: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("tr_col_month", lang): [_month(m) for m in monthly["month"]],
            t("tr_col_complaints", lang): monthly["complaints"].astype("int64").to_numpy(),
            t("tr_col_customers", lang): monthly["customers"].to_numpy(),
            t("tr_col_rate", lang): monthly["rate_per_10k"].astype("float64").round(2).to_numpy(),
        }
    )


def _satisfaction(v: _View, sub: str) -> list[ReportItem]:
    lang = v.lang
    title = t("tr_sat_section", lang)
    if "surveys" not in v.loaded:
        return [_skip(title, t("tr_no_surveys_loaded", lang))]
    surveys = v.events("surveys")
    monthly = trends.satisfaction_monthly(surveys, rules=v.rules)
    if monthly.empty:
        return [_skip(title, t("tr_no_surveys_view", lang))]
    top = monthly["scale_max"].max()
    scale = None if top is None or top != top else float(top)
    values = _series(monthly, "mean")
    verdict = _verdict_note(trends.trend(values, higher_is_better=True), lang)
    caption = t(
        "tr_sat_caption",
        lang,
        n=format_count(int(monthly["n"].sum()), lang),
        months=monthly["month"].nunique(),
    )
    fig = charts.satisfaction_trend(monthly, by=None, scale_max=scale, lang=lang, subtitle=sub)
    items = [
        _chart(fig, note=verdict),
        _table(t("tr_sat_section", lang), _satisfaction_table(monthly, lang), sub, note=caption),
    ]
    anomalies = trends.mean_anomalies(monthly, laney=True)
    methods = _method_items(values, anomalies, measure="score", bounds=(0.0, scale), sub=sub, lang=lang)
    items += methods[1:]  # the page's order: series, STL, forecast, distribution, control chart
    dist = trends.score_distribution(surveys)
    score = trends.nps(surveys)
    if score.applicable:
        note = _label(
            "nps", lang, label=t("tr_nps", lang), value=f"{score.nps:+.1f}", n=format_count(score.n, lang)
        )
    else:
        note = t("tr_nps_na", lang, reason=score.reason, n=format_count(score.n, lang))
    fig = charts.score_distribution_bars(dist, nps_scale=score.applicable, lang=lang, subtitle=sub)
    items.append(_chart(fig, note=note))
    items.append(methods[0])
    return items


def _complaints(v: _View, sub: str) -> list[ReportItem]:
    lang = v.lang
    title = t("tr_comp_section", lang)
    if "complaints" not in v.loaded:
        return [_skip(title, t("tr_no_complaints_loaded", lang))]
    complaints = v.events("complaints")
    customers = v.customers() if v.snapshot is not None else None
    monthly = trends.complaints_monthly(complaints, customers=customers, rules=v.rules)
    if monthly.empty:
        return [_skip(title, t("tr_no_complaints_view", lang))]
    caption = t(
        "tr_comp_caption",
        lang,
        n=format_count(int(monthly["complaints"].sum()), lang),
        months=monthly["month"].nunique(),
    )
    items = [_chart(charts.complaints_trend(monthly, by=None, lang=lang, subtitle=sub), note=caption)]
    if bool(monthly["rate_per_10k"].notna().any()):
        items.append(
            _chart(charts.complaints_trend(monthly, by=None, measure="rate", lang=lang, subtitle=sub))
        )
    else:
        items.append(_skip(title, t("tr_comp_no_rate", lang)))
    items.append(_table(t("tr_comp_section", lang), _complaints_table(monthly, lang), sub, note=caption))

    pareto = trends.pareto(complaints)
    items.append(_chart(charts.pareto_chart(pareto, lang=lang, subtitle=sub)))
    res = trends.resolution(complaints, within_days=WITHIN_DAYS)
    note = _label(
        "resolution",
        lang,
        median=t("tr_median_days", lang),
        median_value="–" if res.median_days is None else t("tr_days", lang, days=res.median_days),
        within=t("tr_share_within", lang, days=res.within_days),
        share=_pct_text(res.share_within),
        backlog=t("tr_open_backlog", lang),
        open=format_count(res.open_backlog, lang),
        n=format_count(res.n, lang),
    )
    backlog = trends.backlog_monthly(complaints)
    items.append(_chart(charts.backlog_chart(backlog, lang=lang, subtitle=sub), note=note))

    on_rate = int(monthly["rate_per_10k"].notna().sum()) >= RATE_MONTHS
    measure, column = ("rate", "rate_per_10k") if on_rate else ("complaints", "complaints")
    values = _series(monthly, column)
    verdict = _verdict_note(trends.trend(values, higher_is_better=False), lang)
    methods = _method_items(
        values, trends.anomalies(monthly, laney=True), measure=measure, bounds=(0.0, None), sub=sub, lang=lang
    )
    first = methods[0]
    methods[0] = ReportItem(
        title=first.title,
        figure=first.figure,
        table=first.table,
        note=" · ".join(p for p in (first.note, verdict) if p),
        subtitle=first.subtitle,
    )
    return items + methods


def _links(v: _View, sub: str) -> list[ReportItem]:
    lang = v.lang
    title = t("tr_link_branch_section", lang)
    if v.snapshot is None or not {"surveys", "complaints"} <= v.loaded:
        return [_skip(title, t("tr_links_need", lang, what=t("tr_need_all", lang)))]
    res = trends.branch_complaints_vs_satisfaction(v.events("complaints"), v.events("surveys"), v.customers())
    fig = charts.branch_link_scatter(
        res.frame,
        slope=res.slope,
        intercept=res.intercept,
        r=res.r,
        p_value=res.p_value,
        n=res.n,
        lang=lang,
        subtitle=sub,
    )
    note = "" if res.status == "ok" else t("tr_link_branch_short", lang, n=res.n)
    return [_chart(fig, note=note)]


def _trends(v: _View) -> list[ReportItem]:
    if v.snapshot is None and not v.loaded & {"surveys", "complaints"}:
        raise TierscopeError(
            f"no customer snapshots, surveys or complaints are loaded in {v.store.path}; "
            "run 'python -m analytics demo' or 'load'"
        )
    if (
        v.snapshot is not None
        and tier_summary(v.customers(), rules=v.rules, snapshot_date=v.snapshot)["customers"].sum() == 0
    ):
        raise _empty_selection(v)
    sub = v.sub(snapshot=False)
    return _satisfaction(v, sub) + _complaints(v, sub) + _links(v, sub)


# -- threshold tuner ------------------------------------------------------------------------------


def _tuner_tier_table(sim: tuner.Simulation, lang: str) -> pd.DataFrame:
    df = sim.tiers
    df = df[(df["baseline_customers"] > 0) | (df["scenario_customers"] > 0)]
    return pd.DataFrame(
        {
            t("tier", lang): df["tier"].map(lambda s: tier_label(s, lang)),
            t("tu_col_base_customers", lang): df["baseline_customers"],
            t("tu_col_scen_customers", lang): df["scenario_customers"],
            t("tu_col_change_customers", lang): df["customers_change"],
            t("tu_col_base_aum", lang): df["baseline_aum"].round(2),
            t("tu_col_scen_aum", lang): df["scenario_aum"].round(2),
            t("tu_col_change_aum", lang): df["aum_change"].round(2),
            t("tu_col_base_profit", lang): df["baseline_profit"].round(2),
            t("tu_col_scen_profit", lang): df["scenario_profit"].round(2),
            t("tu_col_change_profit", lang): df["profit_change"].round(2),
        }
    )


def _workload_table(sim: tuner.Simulation, lang: str) -> pd.DataFrame:
    w = sim.workload
    return pd.DataFrame(
        {
            t("branch", lang): w["branch"],
            t("tu_col_managers", lang): w["managers"],
            t("tu_col_base_hours", lang): w["baseline_hours"].round(1),
            t("tu_col_scen_hours", lang): w["scenario_hours"].round(1),
            t("tu_col_base_needed", lang): w["baseline_managers_needed"].round(1),
            t("tu_col_scen_needed", lang): w["scenario_managers_needed"].round(1),
        }
    )


def _tuner_compliance_table(sim: tuner.Simulation, lang: str) -> pd.DataFrame:
    c = sim.compliance

    def pct(values) -> list:
        return [None if pd.isna(x) else round(float(x) * 100, 2) for x in values]

    return pd.DataFrame(
        {
            t("tu_col_standard", lang): [t(f"tu_std_{s}", lang) for s in c["standard"]],
            t("tu_col_applies", lang): [
                ", ".join(tier_label(x, lang) for x in str(tiers).split(",")) for tiers in c["tiers"]
            ],
            _pct(t("tu_col_target", lang)): pct(c["target"]),
            _pct(t("tu_col_base_share", lang)): pct(c["baseline_share"]),
            _pct(t("tu_col_scen_share", lang)): pct(c["scenario_share"]),
            t("tu_col_scen_customers", lang): c["scenario_customers"],
            t("tu_col_scen_ok", lang): ["✓" if ok else "✗" for ok in c["scenario_ok"]],
        }
    )


def _tuner(v: _View) -> list[ReportItem]:
    lang, baseline = v.lang, v.rules
    index = tuner.prepare(v.customers(), rules=baseline, snapshot_date=v.snapshot, matrices=False)
    if index.customers == 0:
        raise _empty_selection(v)
    scenario = tuner.scenario_rules(baseline, {}, name=t("tu_working", lang))
    sim = tuner.simulate(index, baseline=baseline, scenario=scenario, workload=tuner.WorkloadParams())
    sub = " · ".join(
        [
            t("tu_sub_snapshot", lang, date=v.snapshot.isoformat()),
            scope_text(v.filters, lang),
            t("tu_sub_rules", lang, name=baseline.name, version=baseline.version),
        ]
    )
    wl = sim.workload_total
    note = _label(
        "tuner_headline",
        lang,
        moved=format_count(sim.moved_customers, lang),
        base=wl["baseline_managers_needed"],
        scen=wl["scenario_managers_needed"],
    )
    return [
        _chart(charts.tuner_tier_bars(sim.tiers, measure="customers", lang=lang, subtitle=sub), note=note),
        _table(t("tu_bars_title_customers", lang), _tuner_tier_table(sim, lang), sub),
        _chart(charts.tuner_movement_heatmap(sim.movement, lang=lang, subtitle=sub)),
        _chart(
            charts.tuner_workload_bars(sim.workload, lang=lang, subtitle=sub),
            note=t("tu_workload_note", lang),
        ),
        _table(t("tu_workload_title", lang), _workload_table(sim, lang), sub),
        _table(t("tu_compliance_section", lang), _tuner_compliance_table(sim, lang), sub),
    ]


# -- service standards ------------------------------------------------------------------------------


def _standards_headline(comp: standards.Compliance, lang: str) -> pd.DataFrame:
    served = comp.in_scope - comp.not_served

    def share(n: int) -> float | None:
        return round(n / comp.in_scope * 100, 2) if comp.in_scope else None

    return pd.DataFrame(
        {
            _label("measure", lang): [
                t("std_metric_in_scope", lang),
                t("std_metric_served", lang),
                t("std_metric_not_served", lang),
            ],
            t("customers", lang): pd.Series([comp.in_scope, served, comp.not_served], dtype="int64"),
            _label("share", lang): [share(comp.in_scope), share(served), share(comp.not_served)],
            _cny(t("aum", lang), lang): [None, None, round(float(comp.not_served_aum), 2)],
        }
    )


def _standards_tier_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    status = [
        t("std_no_customers", lang) if n == 0 else t("std_met", lang) if m else t("std_missed", lang)
        for n, m in zip(df["customers"], df["meets_target"].fillna(False), strict=True)
    ]
    return pd.DataFrame(
        {
            t("std_col_standard", lang): [standard_requirement_text(row, lang) for _, row in df.iterrows()],
            t("std_col_customers_of", lang): [standard_group_label(x, lang) for x in df["tiers"]],
            t("std_col_required", lang): df["required"].astype("Int64"),
            _pct(t("std_col_target", lang)): (df["target"].astype("float64") * 100).round(2),
            t("std_col_in_scope", lang): df["customers"].astype("int64"),
            t("std_col_met", lang): df["met"].astype("int64"),
            _pct(t("std_col_share", lang)): (df["share"].astype("float64") * 100).round(2),
            t("std_col_status", lang): status,
            t("std_col_shortfall", lang): df["shortfall"].astype("int64"),
        }
    )


def _standards_league_table(units: standards.UnitCompliance, lang: str) -> pd.DataFrame:
    df = units.league
    columns = {
        t(units.level, lang): df["name"].astype(str),
        t("std_col_retail", lang): df["retail_customers"].astype("int64"),
        t("std_col_in_scope", lang): df["in_scope"].astype("int64"),
        t("std_col_not_served", lang): df["not_served"].astype("int64"),
        _pct(t("std_score", lang)): (df["score"].astype("float64") * 100).round(2),
        t("std_col_targets_met", lang): [
            f"{m} / {n}" for m, n in zip(df["measures_met"], df["measures_applicable"], strict=True)
        ],
    }
    for measure in units.measures:
        columns[_pct(standard_measure_label(measure, lang=lang))] = (
            df[measure].astype("float64") * 100
        ).round(2)
    return pd.DataFrame(columns)


def _missed_text(missed: str, lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(t(f"std_name_{s}", lang) for s in str(missed).split(",") if s)


def _not_served_table(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    yes, no = t("std_yes", lang), t("std_no", lang)
    return pd.DataFrame(
        {
            t("ov_col_customer_id", lang): df["customer_id"].astype(str),
            t("ov_col_customer_name", lang): df["customer_name"],
            t("tier", lang): _labels(df["tier"], tier_label, lang),
            t("region", lang): df["region"],
            t("branch", lang): df["branch"],
            t("rm_id", lang): df["rm_id"],
            t("std_col_aum_cny", lang): _money(df["aum"]),
            t("std_col_missed", lang): df["missed"].map(lambda m: _missed_text(m, lang)),
            t("std_col_contacts", lang): df["contacts_month"],
            t("std_col_contacts_required", lang): df["contacts_required"],
            t("std_col_events", lang): df["events_year"],
            t("std_col_events_required", lang): df["events_required"],
            t("std_col_senior_visits", lang): df["senior_visits_year"],
            t("std_col_senior_visits_required", lang): df["senior_visits_required"],
            t("std_col_products", lang): df["products_held"],
            t("std_col_products_required", lang): df["products_required"],
            t("std_col_has_profile", lang): df["has_profile"].map({True: yes, False: no}),
            t("std_col_key_products", lang): df["key_products_held"],
            t("std_col_key_products_required", lang): df["key_products_required"],
        }
    )


def _standards(v: _View) -> list[ReportItem]:
    lang, customers = v.lang, v.customers()
    comp = standards.compliance(customers, rules=v.rules, snapshot_date=v.snapshot)
    if comp.retail_customers == 0:
        extra = "" if v.filters.segment in ("all", "retail") else " " + t("std_choose_retail", lang)
        raise TierscopeError(t("std_no_retail", lang) + extra)
    if comp.measures_applicable == 0:
        raise TierscopeError(t("std_none_apply", lang))
    sub = v.sub()
    sep = "：" if lang == "zh" else ": "
    head_note = " · ".join(
        [
            t("std_metric_targets", lang)
            + sep
            + t("std_metric_targets_value", lang, met=comp.measures_met, n=comp.measures_applicable),
            t("std_metric_score", lang) + sep + _pct_text(comp.score),
        ]
    )
    sep_products = "、" if lang == "zh" else ", "
    products = sep_products.join(t(f"std_key_{p}", lang) for p in v.rules.standards.key_products)
    tier_note = t("std_tier_note", lang, products=products)
    items = [
        _table(_label("standards_headline", lang), _standards_headline(comp, lang), sub, note=head_note),
        _chart(charts.standards_tier_bars(comp.by_tier, lang=lang, subtitle=sub), note=tier_note),
        _table(t("std_tier_section", lang), _standards_tier_table(comp.by_tier, lang), sub, note=tier_note),
    ]

    level = v.filters.child_level
    units = standards.compliance_by_unit(customers, rules=v.rules, snapshot_date=v.snapshot, level=level)
    row = comp.by_measure[comp.by_measure["measure"] == STANDARD_SCORE]
    target = float(row["target"].iloc[0]) if len(row) else 1.0
    fig = charts.standards_league_bars(
        units.league, measure=STANDARD_SCORE, target=target, level=level, lang=lang, subtitle=sub
    )
    items.append(_chart(fig))
    if not units.league.empty:
        level_name = t(level, lang).lower() if lang == "en" else t(level, lang)
        items.append(
            _table(t("std_league_section", lang, level=level_name), _standards_league_table(units, lang), sub)
        )

    title = t("std_list_section", lang)
    found = standards.not_served(customers, rules=v.rules, snapshot_date=v.snapshot, limit=NOT_SERVED_LIMIT)
    if found.customers.empty:
        items.append(_skip(title, t("std_list_none", lang)))
    else:
        aum = format_money(found.aum, lang)
        if found.truncated:
            note = t(
                "std_list_truncated",
                lang,
                shown=format_count(len(found.customers), lang),
                n=format_count(found.total, lang),
                aum=aum,
            )
        else:
            note = t("std_list_count", lang, n=format_count(found.total, lang), aum=aum)
        items.append(_table(title, _not_served_table(found.customers, lang), sub, note=note))
    return items


# -- the entry point ------------------------------------------------------------------------------

_BUILDERS = {
    "overview": _overview,
    "segmentation": _segmentation,
    "migration": _migration,
    "trends": _trends,
    "tuner": _tuner,
    "standards": _standards,
}


def page_report(
    store,
    page: str,
    *,
    rules: TierRules,
    snapshot_date: dt.date | None = None,
    lang: str = "en",
    filters: Filters = Filters(),  # noqa: B008 - a frozen dataclass: the default is never changed
) -> Report:
    """A page's charts and tables in its default view, as the page builds them.

    Parameters
    ----------
    store : analytics.store.Store
        The portfolio database.
    page : str
        One of :data:`PAGES`.
    rules : TierRules
        The tier rules of the view (the rules file, or a scenario's).
    snapshot_date : datetime.date, optional
        The snapshot shown; the latest by default (as the sidebar's default).
    lang : {"en", "zh"}
        Language of titles, subtitles, headers and labels.
    filters : Filters
        The view's filters (segment, region, branch, RM); the whole bank by default.

    Returns
    -------
    Report
        The items in the page's order. Tables: the frames a page shows, with headers in
        ``lang``, tiers and segments by name, numbers as numbers and money in CNY.

    Raises
    ------
    TierscopeError
        No snapshot is loaded (the trends page needs surveys or complaints instead),
        ``snapshot_date`` is not loaded, the filters select no customers, or the page cannot
        show the view at all (one snapshot for migration, no retail customers for the
        service standards); the message is the page's.
    ValueError
        An unknown page or language.
    """
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}, not {page!r}")
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {tuple(LANGUAGES)}, not {lang!r}")
    snaps = tuple(store.snapshots()["snapshot_date"])
    loaded = frozenset(name for name, n in store.row_counts().items() if n)
    if page == "trends" and not snaps and snapshot_date is None:
        snapshot = None  # the trends page works on surveys and complaints alone
    else:
        snapshot = resolve_snapshot(store, snapshot_date)
    view = _View(
        store=store,
        rules=rules,
        lang=lang,
        filters=filters,
        snapshot=snapshot,
        snapshots=snaps,
        loaded=loaded,
    )
    items = tuple(_BUILDERS[page](view))
    return Report(
        page=page,
        title=_label("title", lang, page=t(PAGE_LABELS[page], lang)),
        subtitle=view.sub(snapshot=snapshot is not None),
        items=items,
        snapshot_date=snapshot,
        lang=lang,
    )


def slug(text: str) -> str:
    """A file-name part from a title: ``Customers and AUM by tier`` -> ``customers-and-aum-by-tier``.

    Letters of any script are kept (a Chinese title stays Chinese); everything else becomes
    ``-``; at most 60 characters.
    """
    out = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-_")
    return out[:60].rstrip("-_") or "chart"


# -- writing a report: PPTX, PNG, XLSX --------------------------------------------------------------

#: The formats :func:`write_report` writes.
FORMATS = ("pptx", "png", "xlsx")


@dataclass(frozen=True)
class Written:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    files : tuple of pathlib.Path
        The files, in order (one for PPTX and XLSX, one per chart for PNG).
    charts, tables : int
        Charts and tables in them (an XLSX holds no charts, PNGs no tables).
    """

    files: tuple[Path, ...]
    charts: int
    tables: int


def source_text(db: str | os.PathLike, lang: str = "en") -> str:
    """Where the numbers come from, for footnotes: ``Tierscope, portfolio.duckdb`` (the database file's name)."""
    name = Path(db).name
    text = t("ex_source", lang, database=name)
    if name not in text:  # the label is missing: say it plainly
        text = f"Tierscope, {name}" if lang != "zh" else f"Tierscope，{name}"
    return text


def check_out(out: str | os.PathLike, fmt: str) -> Path:
    """Refuse an output path the format cannot be written to, before anything is computed.

    Parameters
    ----------
    out : str or path-like
        A file for ``pptx`` and ``xlsx``; a directory for ``png`` (created if missing).
    fmt : {"pptx", "png", "xlsx"}
        The format.

    Returns
    -------
    pathlib.Path
        ``out`` as a path.

    Raises
    ------
    TierscopeError
        A directory given for a file, a file for a directory, a file name ending in
        another format's extension, or a path below an existing file.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    path = Path(out).expanduser()
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise TierscopeError(f"--out {path}: {ancestor} is a file, not a directory")
    if fmt == "png":
        if path.exists() and not path.is_dir():
            raise TierscopeError(
                f"--out {path} is a file; for --format png it names a directory (created if missing) "
                "that receives one PNG per chart"
            )
        return path
    if path.is_dir():
        raise TierscopeError(
            f"--out {path} is a directory; give the file to write, e.g. {path / f'report.{fmt}'}"
        )
    if path.suffix.lower() in {f".{f}" for f in FORMATS} and path.suffix.lower() != f".{fmt}":
        raise TierscopeError(f"--out {path} ends in {path.suffix} but --format is {fmt}")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it: never a half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _deck_slides(report: Report) -> list[export.DeckSlide]:
    slides = []
    for item in report.items:
        if item.kind == "chart":
            slides.append(export.DeckSlide(title=item.title, figure=item.figure, note=item.note))
        elif item.kind == "table":
            note = " · ".join(p for p in (item.subtitle, item.note) if p)
            slides.append(export.DeckSlide(title=item.title, table=item.table, note=note))
    return slides


def write_report(
    report: Report,
    *,
    fmt: str,
    out: str | os.PathLike,
    source: str,
    created: dt.date | dt.datetime | None = None,
) -> Written:
    """Write a report as a PPTX deck, one PNG per chart, or an Excel workbook.

    - ``pptx``: :func:`analytics.export.deck_pptx`, a title slide (the report's title and
      subtitle), a slide per chart and the slides of each table (its subtitle and note in
      the footnote), each with the source and date.
    - ``png``: ``out`` is a directory (created if missing); ``01-<title>.png`` ... one per
      chart, 1920 x 1080, with the source and date under the chart
      (:func:`analytics.export.with_footnote`).
    - ``xlsx``: :func:`analytics.export.tables_xlsx`, one sheet per table, named after it.

    Everything is rendered in memory first and each file is written to a temporary name and
    renamed, so a failed export leaves no half-written file (and, for PNG, none of this
    run's files).

    Parameters
    ----------
    report : Report
        From :func:`page_report`.
    fmt : {"pptx", "png", "xlsx"}
        The format.
    out : str or path-like
        The file (PPTX, XLSX) or directory (PNG); see :func:`check_out`.
    source : str
        Where the data comes from, for the footnotes (:func:`source_text`).
    created : datetime.date or datetime.datetime, optional
        The export date shown; now by default.

    Returns
    -------
    Written

    Raises
    ------
    TierscopeError
        A bad ``out`` (:func:`check_out`), or nothing to write in that format (a page with
        no charts for PNG, no tables for XLSX).
    ExportError
        A chart could not be rendered (no Chromium, a render failed).
    """
    path = check_out(out, fmt)
    created = created or dt.datetime.now()
    charts_, tables_ = report.charts, report.tables
    what = {
        "png": ("charts", charts_),
        "xlsx": ("tables", tables_),
        "pptx": ("charts or tables", report.items),
    }
    label, items = what[fmt]
    if not (charts_ or tables_) or not items:
        raise TierscopeError(f"the {report.page} page has no {label} to export in this view")
    if fmt == "pptx":
        data = export.deck_pptx(
            _deck_slides(report),
            title=report.title,
            subtitle=report.subtitle,
            source=source,
            created=created,
            lang=report.lang,
        )
        _write_atomic(path, data)
        return Written((path,), len(charts_), len(tables_))
    if fmt == "xlsx":
        data = export.tables_xlsx(
            [(item.title, item.table) for item in tables_], title=f"{report.title} · {report.subtitle}"
        )
        _write_atomic(path, data)
        return Written((path,), 0, len(tables_))
    footnote = export.footnote_text(source, created, report.lang)
    images = [
        (
            path / f"{number:02d}-{slug(item.title)}.png",
            export.figure_image(
                export.with_footnote(item.figure, footnote),
                format="png",
                width=export.IMAGE_WIDTH,
                height=export.IMAGE_HEIGHT,
            ),
        )
        for number, item in enumerate(charts_, start=1)
    ]
    made = not path.exists()
    written: list[Path] = []
    try:
        for file, data in images:
            _write_atomic(file, data)
            written.append(file)
    except BaseException:
        for file in written:
            with contextlib.suppress(OSError):
                file.unlink()
        if made:
            with contextlib.suppress(OSError):
                path.rmdir()
        raise
    return Written(tuple(written), len(written), 0)
