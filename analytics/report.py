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
small frames a page shows, built by the pages' own builders (:mod:`analytics.frames`), with
headers in the chosen language, tier and segment names as labels, numbers as numbers and
money in CNY to the cent (``money="cents"``, where a page scales it); columns in percent end
with ``%`` (``percent="marked"``: the export's cue for a percentage format). Customer-level rows appear only in the lists a page itself
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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from analytics import (
    charts,
    concentration,
    export,
    frames,
    migration,
    overview,
    segmentation,
    standards,
    trends,
    tuner,
)
from analytics.charts import STANDARD_SCORE, node_label, p_text
from analytics.errors import TierscopeError
from analytics.i18n import LANGUAGES, format_count, level_name, t
from analytics.rules import TierRules
from analytics.scope import Filters, apply_event_filters, apply_filters
from analytics.store import resolve_snapshot
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
#: The trends page's default service limit (days).
WITHIN_DAYS = 15
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

_TAG = re.compile(r"<[^>]+>")


def figure_title(fig: go.Figure) -> str:
    """A figure's title as plain text, without its subtitle (the builders write ``title<br><sup>sub</sup>``)."""
    text = fig.layout.title.text or ""
    return _TAG.sub("", text.partition("<br>")[0]).strip()


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
        return frames.subtitle(
            snapshot_date=self.snapshot if snapshot else None,
            filters=self.filters,
            rules=self.rules,
            lang=self.lang,
        )

    def migration_sub(self, from_date: dt.date, to_date: dt.date, *, pairs: int | None = None) -> str:
        return frames.migration_subtitle(
            from_date, to_date, filters=self.filters, rules=self.rules, lang=self.lang, pairs=pairs
        )


def _chart(fig: go.Figure, note: str = "") -> ReportItem:
    return ReportItem(title=figure_title(fig), figure=fig, note=note)


def _table(title: str, df: pd.DataFrame, sub: str, note: str = "") -> ReportItem:
    return ReportItem(title=title, table=df.reset_index(drop=True), note=note, subtitle=sub)


def _skip(title: str, note: str) -> ReportItem:
    return ReportItem(title=title, note=note)


def _unbold(text: str) -> str:
    return text.replace("**", "")


def _joined(label: str, value: str, lang: str) -> str:
    """``Label: value`` (``标签：值`` in Chinese): a figure a page shows as a metric, in a note."""
    return f"{label}{'：' if lang == 'zh' else ': '}{value}"


# The report's tables keep money in CNY to the cent and mark percentage columns with ``%``
# (frames' "cents" and "marked"), where the pages scale money and format percentages.
_CENTS, _MARKED = "cents", "marked"


# -- overview -------------------------------------------------------------------------------------


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


def _concentration_note(conc: concentration.Concentration, lang: str) -> str:
    # The page's three figures in one line; what the loss-makers lose follows their count
    (gini, gini_value, _), (top, top_value, _), (loss, loss_value, loss_delta) = frames.concentration_figures(
        conc, lang
    )
    return " · ".join(
        [
            _joined(gini, gini_value, lang),
            _joined(top, top_value, lang),
            f"{_joined(loss, loss_value, lang)}, {loss_delta}",
        ]
    )


def _empty_selection(v: _View) -> TierscopeError:
    return TierscopeError(f"{t('empty_selection', v.lang)} ({frames.scope_text(v.filters, v.lang)})")


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
    items.append(_table(t("tier_table", lang), frames.tier_table_frame(summary, lang), sub))

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
    league = frames.league_frame(
        ranking,
        level,
        lang,
        retail_mix=v.filters.segment in ("all", "retail"),
        money=_CENTS,
        percent=_MARKED,
    )
    items.append(_table(t("ov_league_section", lang, level=level_name(level, lang)), league, sub))

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
    items.append(
        _table(
            t("ov_top_customers", lang, n=len(top)), frames.top_customers_frame(top, lang, money=_CENTS), sub
        )
    )
    return items


# -- segmentation -------------------------------------------------------------------------------


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
    classes = frames.class_frame(matrix, lang, money=_CENTS, percent=_MARKED)
    items = [
        _chart(fig, note=frames.sample_text(len(points), matrix, lang)),
        _table(title, classes, sub, note=frames.cuts_text(matrix, lang)),
    ]
    list_title = frames.class_label(first, lang)
    if listed.empty:
        items.append(_skip(list_title, t("seg_list_empty", lang)))
    else:
        note = frames.class_list_note(len(listed), matrix.counts()[first], kind, lang)
        listing = frames.class_list_frame(listed, kind, lang, money=_CENTS)
        items.append(_table(list_title, listing, sub, note=note))
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
            items.append(_table(tree_title, frames.tree_frame(tree, lang, money=_CENTS), sub))

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


def _rates_table(rates: dict, lang: str) -> pd.DataFrame:
    kinds = migration.MOVE_KINDS
    return pd.DataFrame(
        {
            _label("measure", lang): [t(f"mig_rate_{k}", lang) for k in kinds],
            _label("rate", lang): [None if rates[k] != rates[k] else round(rates[k] * 100, 2) for k in kinds],
            t("customers", lang): pd.Series([int(rates[f"{k}_customers"]) for k in kinds], dtype="int64"),
            frames.cny_header(t("aum", lang), lang): [round(float(rates[f"{k}_aum"]), 2) for k in kinds],
        }
    )


def _migration(v: _View) -> list[ReportItem]:
    lang, customers = v.lang, v.customers()
    if len(v.snapshots) < 2:
        raise TierscopeError(t("mig_one_snapshot", lang, date=v.snapshots[0].isoformat()))
    from_date, to_date = migration.default_pair(v.snapshots, v.snapshot)
    tr = migration.transition(customers, rules=v.rules, from_date=from_date, to_date=to_date)
    if tr.counts.empty:
        raise _empty_selection(v)
    sub = v.migration_sub(from_date, to_date)
    rates = tr.rates()
    summary = _unbold(frames.rates_summary_text(rates, lang))
    items = [_table(_label("rates", lang), _rates_table(rates, lang), sub, note=summary)]

    items.append(_chart(charts.transition_heatmap(tr.counts, show="counts", lang=lang, subtitle=sub)))
    items.append(_table(t("mig_matrix_table", lang), frames.matrix_frame(tr, "counts", lang), sub))
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
    unit_table = frames.unit_frame(units, level, lang, money=_CENTS, percent=_MARKED)
    items.append(_table(t("mig_where_section", lang, level=level_name(level, lang)), unit_table, sub))

    losses_title = t("mig_losses_section", lang)
    losses = migration.high_tier_losses(
        customers, rules=v.rules, from_date=from_date, to_date=to_date, limit=LOSSES_LIMIT
    )
    if losses.empty:
        items.append(_skip(losses_title, t("mig_losses_none", lang)))
    else:
        note = frames.losses_note(losses, lang, limit=LOSSES_LIMIT)
        listing = frames.losses_frame(losses, lang, (from_date, to_date), money=_CENTS)
        items.append(_table(losses_title, listing, sub, note=note))

    dates = migration.window_dates(v.snapshots, to_date, WINDOW_MONTHS)
    if len(dates) < 2:
        items.append(_skip(t("mig_avg_table", lang), t("mig_window_short", lang, date=to_date.isoformat())))
    else:
        avg = migration.average_transition(customers, rules=v.rules, snapshot_dates=dates)
        window_sub = v.migration_sub(dates[0], to_date, pairs=avg.pairs)
        views = migration.window_views(avg, migration.start_mix(tr), months=PROJECTION_MONTHS)
        caption = t("mig_avg_caption", lang, pairs=avg.pairs, span=frames.pair_text(dates[0], to_date))
        fig = charts.average_matrix_heatmap(
            views.cells,
            ci_method=avg.ci_method,
            confidence=avg.confidence,
            pairs=avg.pairs,
            lang=lang,
            subtitle=window_sub,
        )
        items.append(_chart(fig, note=caption))
        cells = frames.average_frame(views.cells, lang, percent=_MARKED)
        items.append(_table(t("mig_avg_table", lang), cells, window_sub, note=caption))
        fig = charts.projection_chart(
            views.projection, start_label=to_date.isoformat(), lang=lang, subtitle=window_sub
        )
        items.append(_chart(fig, note=t("mig_projection_caption", lang)))
        fig = charts.stationary_mix_bars(
            views.stationary,
            method=views.method,
            current_label=to_date.isoformat(),
            lang=lang,
            subtitle=window_sub,
        )
        items.append(_chart(fig, note=t("mig_projection_caption", lang)))

    backtest_title = t("mig_backtest_section", lang, h=HORIZON_MONTHS)
    origin = migration.backtest_origin(v.snapshots, to_date, HORIZON_MONTHS)
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
        test_sub = v.migration_sub(origin, to_date)
        items.append(_chart(charts.backtest_chart(test, lang=lang, subtitle=test_sub)))
        items.append(_table(backtest_title, frames.backtest_frame(test, lang, percent=_MARKED), test_sub))
    return items


# -- satisfaction and complaints ----------------------------------------------------------------


def _verdict_note(result: trends.TrendResult, lang: str) -> str:
    if result.status != "ok":
        return frames.too_short_text("trend", result, lang)
    slope = "–" if result.slope is None else f"{result.slope:+.3g}"
    return _label(
        "verdict",
        lang,
        verdict=frames.verdict_text(result, lang),
        slope=slope,
        p=p_text(result.p_value),
        n=result.n,
    )


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
        months = ", ".join(frames.month_text(m) for m in anomalies.months) or t("tr_anom_none", lang)
        fig = charts.control_chart(
            anomalies.frame,
            rule=anomalies.rule,
            centre=anomalies.centre,
            measure=trends.anomaly_measure(anomalies, measure),
            lang=lang,
            subtitle=sub,
        )
        items.append(_chart(fig, note=f"{t('tr_anom_section', lang)}: {months} (n = {anomalies.n})"))
    else:
        items.append(_skip(t("tr_anom_section", lang), frames.too_short_text("chart", anomalies, lang)))
    stl = trends.decompose(values)
    if stl.status == "ok":
        items.append(_chart(charts.decomposition_chart(stl.frame, measure=measure, lang=lang, subtitle=sub)))
    else:
        items.append(_skip(t("tr_stl_section", lang), frames.too_short_text("stl", stl, lang)))
    fc = trends.forecast(values, bounds=bounds)
    if fc.status == "ok":
        fig = charts.forecast_chart(fc.frame, history=values, measure=measure, lang=lang, subtitle=sub)
        items.append(_chart(fig, note=f"{fc.model} (n = {fc.n})"))
    else:
        items.append(_skip(t("tr_fc_section", lang, months=fc.months), frames.forecast_message(fc, lang)))
    return items


def _monthly(v: _View, name: str, monthly_fn, **params) -> tuple[object, pd.DataFrame | None, str]:
    """The view's surveys or complaints (``name``) and their monthly series, or why there are none.

    Returns the events table, the series and ``""``; or, when nothing is loaded or the view has
    no events, the page's message in place of ``""``.
    """
    if name not in v.loaded:
        return None, None, t(f"tr_no_{name}_loaded", v.lang)
    events = v.events(name)
    monthly = monthly_fn(events, rules=v.rules, **params)
    return events, monthly, t(f"tr_no_{name}_view", v.lang) if monthly.empty else ""


def _satisfaction(v: _View, sub: str) -> list[ReportItem]:
    lang = v.lang
    surveys, monthly, missing = _monthly(v, "surveys", trends.satisfaction_monthly)
    if missing:
        return [_skip(t("tr_sat_section", lang), missing)]
    scale = trends.scale_max(monthly)
    values = trends.monthly_values(monthly, "mean")
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
        _table(t("tr_sat_section", lang), frames.satisfaction_frame(monthly, lang), sub, note=caption),
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
    customers = v.customers() if v.snapshot is not None else None
    complaints, monthly, missing = _monthly(v, "complaints", trends.complaints_monthly, customers=customers)
    if missing:
        return [_skip(title, missing)]
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
    items.append(
        _table(t("tr_comp_section", lang), frames.complaints_frame(monthly, lang), sub, note=caption)
    )

    pareto = trends.pareto(complaints)
    items.append(_chart(charts.pareto_chart(pareto, lang=lang, subtitle=sub)))
    res = trends.resolution(complaints, within_days=WITHIN_DAYS)
    note = _label(
        "resolution",
        lang,
        median=t("tr_median_days", lang),
        median_value=frames.median_days_text(res, lang),
        within=t("tr_share_within", lang, days=res.within_days),
        share=frames.pct_text(res.share_within),
        backlog=t("tr_open_backlog", lang),
        open=format_count(res.open_backlog, lang),
        n=format_count(res.n, lang),
    )
    backlog = trends.backlog_monthly(complaints)
    items.append(_chart(charts.backlog_chart(backlog, lang=lang, subtitle=sub), note=note))

    measure, column = trends.complaint_measure(monthly)
    values = trends.monthly_values(monthly, column)
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


def _tuner(v: _View) -> list[ReportItem]:
    lang, baseline = v.lang, v.rules
    index = tuner.prepare(v.customers(), rules=baseline, snapshot_date=v.snapshot, matrices=False)
    if index.customers == 0:
        raise _empty_selection(v)
    scenario = tuner.scenario_rules(baseline, {}, name=t("tu_working", lang))
    sim = tuner.simulate(index, baseline=baseline, scenario=scenario, workload=tuner.WorkloadParams())
    sub = frames.tuner_subtitle(snapshot_date=v.snapshot, filters=v.filters, rules=baseline, lang=lang)
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
        _table(t("tu_bars_title_customers", lang), frames.tuner_tier_frame(sim, lang), sub),
        _chart(charts.tuner_movement_heatmap(sim.movement, lang=lang, subtitle=sub)),
        _chart(
            charts.tuner_workload_bars(sim.workload, lang=lang, subtitle=sub),
            note=t("tu_workload_note", lang),
        ),
        _table(t("tu_workload_title", lang), frames.workload_frame(sim, lang), sub),
        _table(
            t("tu_compliance_section", lang), frames.tuner_compliance_frame(sim, lang, percent=_MARKED), sub
        ),
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
            frames.cny_header(t("aum", lang), lang): [None, None, round(float(comp.not_served_aum), 2)],
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
    head_note = " · ".join(
        [
            _joined(
                t("std_metric_targets", lang),
                t("std_metric_targets_value", lang, met=comp.measures_met, n=comp.measures_applicable),
                lang,
            ),
            _joined(t("std_metric_score", lang), frames.pct_text(comp.score), lang),
        ]
    )
    products = frames.key_products_text(v.rules.standards.key_products, lang)
    tier_note = t("std_tier_note", lang, products=products)
    by_tier = frames.standards_tier_frame(comp.by_tier, lang, percent=_MARKED)
    items = [
        _table(_label("standards_headline", lang), _standards_headline(comp, lang), sub, note=head_note),
        _chart(charts.standards_tier_bars(comp.by_tier, lang=lang, subtitle=sub), note=tier_note),
        _table(t("std_tier_section", lang), by_tier, sub, note=tier_note),
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
        league = frames.standards_league_frame(units, lang, percent=_MARKED)
        items.append(_table(t("std_league_section", lang, level=level_name(level, lang)), league, sub))

    title = t("std_list_section", lang)
    found = standards.not_served(customers, rules=v.rules, snapshot_date=v.snapshot, limit=NOT_SERVED_LIMIT)
    if found.customers.empty:
        items.append(_skip(title, t("std_list_none", lang)))
    else:
        listing = frames.not_served_frame(found.customers, lang, money=_CENTS)
        items.append(_table(title, listing, sub, note=frames.not_served_note(found, lang)))
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
