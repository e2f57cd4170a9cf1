"""Trend chart builders on small hand-made frames and results: trace types, bands and intervals,
control limits and flagged months at the right month, the Pareto's cumulative line ending at
100%, Chinese labels, and a message figure (not an error) for too-short or empty input."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from analytics import charts, trends

SUB = "Head office · Rules: default v1"
M = [dt.date(2026, m, 1) for m in (1, 2, 3)]
LABELS = ["2026-01-01", "2026-02-01", "2026-03-01"]


def _notes(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def _message(fig) -> str:
    (note,) = fig.layout.annotations
    assert len(fig.data) == 0
    return note.text


def _sat(groups: dict | None = None) -> pd.DataFrame:
    """A satisfaction_monthly frame; one group (None) unless ``groups`` maps group -> surveys a month."""
    rows = []
    for group, n in (groups or {None: 10}).items():
        for i, m in enumerate(M):
            single = group is None and i == 1  # one month with a single survey: no interval
            rows.append(
                dict(
                    month=m,
                    group=group,
                    n=1 if single else n,
                    mean=7.0 + i,
                    sd=np.nan if single else 1.0,
                    ci_low=np.nan if single else 6.5 + i,
                    ci_high=np.nan if single else 7.5 + i,
                    scale_max=10.0,
                )
            )
    return pd.DataFrame(rows)


# -- satisfaction -------------------------------------------------------------------------------


def test_satisfaction_line_and_band():
    fig = charts.satisfaction_trend(_sat(), scale_max=10, subtitle=SUB)
    band, line = fig.data
    assert band.type == "scatter" and band.fill == "toself"
    # the band runs along the upper edge and back along the lower one, skipping the month
    # without an interval
    assert list(band.x) == ["2026-01-01", "2026-03-01", "2026-03-01", "2026-01-01"]
    assert list(band.y) == [7.5, 9.5, 8.5, 6.5]
    assert line.mode == "lines+markers"
    assert list(line.x) == LABELS and list(line.y) == [7.0, 8.0, 9.0]
    assert fig.layout.xaxis.type == "date"
    assert fig.layout.yaxis.title.text == "Mean score (0–10)"
    assert fig.layout.title.text.startswith("Mean satisfaction score by month, with 95% confidence band")
    assert SUB in fig.layout.title.text
    json.dumps(fig.to_plotly_json(), default=str)  # what the page's figure cache keeps


def test_satisfaction_by_tier_draws_the_largest_groups_and_says_so():
    df = _sat({"mass": 50, "affluent": 5, "unknown": 20})
    fig = charts.satisfaction_trend(df, by="tier", max_groups=2)
    lines = [tr for tr in fig.data if tr.mode == "lines+markers"]
    assert [tr.name for tr in lines] == ["Mass", "Unknown (anonymous or not a customer)"]  # frame order
    assert sum(tr.fill == "toself" for tr in fig.data) == 2  # a band per group drawn
    assert "Showing the 2 largest of 3 groups by surveys." in _notes(fig)
    assert fig.layout.title.text.startswith("Mean satisfaction score by month and tier")
    zh = charts.satisfaction_trend(df, by="tier", lang="zh")
    names = [tr.name for tr in zh.data if tr.mode == "lines+markers"]
    assert names == ["大众客户", "富裕客户", "未知（匿名或非本行客户）"]
    assert zh.layout.xaxis.title.text == "月份"
    assert zh.layout.title.text.startswith("按层级的月度平均满意度")


def test_score_distribution_colours_nps_groups():
    df = pd.DataFrame({"score": [3.0, 7.0, 9.0, 10.0], "n": [2, 3, 4, 1], "share": [0.2, 0.3, 0.4, 0.1]})
    fig = charts.score_distribution_bars(df, nps_scale=True)
    (bar,) = fig.data
    assert bar.type == "bar"
    assert list(bar.y) == pytest.approx([20.0, 30.0, 40.0, 10.0])
    assert list(bar.marker.color) == [charts.ALERT_COLOUR, "#9ca3af", "#238b45", "#238b45"]
    assert list(bar.hovertext) == [
        "Detractors (0–6)",
        "Passives (7–8)",
        "Promoters (9–10)",
        "Promoters (9–10)",
    ]
    plain = charts.score_distribution_bars(df, lang="zh")
    assert set(plain.data[0].marker.color) == {"#2171b5"}
    assert plain.layout.xaxis.title.text == "分数"


# -- methods on a series ----------------------------------------------------------------------


def _months(n: int, start=dt.date(2024, 1, 1)) -> list[dt.date]:
    return [
        dt.date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1) for k in range(n)
    ]


def test_decomposition_panels_and_too_short_message():
    months = _months(24)
    value = [10 + k * 0.1 + (2 if k % 12 == 1 else 0) for k in range(24)]
    result = trends.decompose(pd.DataFrame({"month": months, "value": value}))
    fig = charts.decomposition_chart(result.frame, measure="complaints")
    assert [tr.name for tr in fig.data] == ["Observed", "Trend", "Seasonal", "Remainder"]
    assert [tr.type for tr in fig.data] == ["scatter", "scatter", "scatter", "bar"]
    assert list(fig.data[0].y) == pytest.approx(value)
    assert fig.layout.title.text.startswith("Seasonal-trend decomposition (STL) of the monthly complaints")
    short = trends.decompose(pd.DataFrame({"month": M, "value": [1.0, 2.0, 3.0]}))
    assert short.status == "too_short"
    fig = charts.decomposition_chart(short.frame, message="needs 24 months", lang="zh")
    assert _message(fig) == "needs 24 months"
    assert fig.layout.title.text.startswith("平均满意度的季节-趋势分解（STL）")


def test_forecast_history_line_and_interval_band():
    history = pd.DataFrame({"month": M, "value": [5.0, 6.0, 7.0]})
    frame = pd.DataFrame(
        {
            "month": [dt.date(2026, 4, 1), dt.date(2026, 5, 1)],
            "forecast": [7.0, 7.0],
            "lower": [6.0, 5.5],
            "upper": [8.0, 8.5],
        }
    )
    fig = charts.forecast_chart(frame, history=history, measure="rate")
    band, observed, forecast = fig.data
    assert band.fill == "toself" and band.name == "95% prediction interval"
    assert list(band.x) == ["2026-04-01", "2026-05-01", "2026-05-01", "2026-04-01"]
    assert list(band.y) == [8.0, 8.5, 5.5, 6.0]
    assert list(observed.x) == LABELS and list(observed.y) == [5.0, 6.0, 7.0]
    assert forecast.line.dash == "dash" and list(forecast.y) == [7.0, 7.0]
    assert fig.layout.yaxis.title.text == "Complaints per 10,000 customers"
    zh = charts.forecast_chart(frame, history=history, lang="zh")
    assert [tr.name for tr in zh.data] == ["95% 预测区间", "实际值", "预测值"]
    short = trends.forecast(history)
    assert short.status == "too_short"
    assert _message(charts.forecast_chart(short.frame, history=history, message="too short")) == "too short"


def test_control_chart_limits_and_the_planted_month():
    # 12 months of 100 complaints among 100,000 customers (rate 10 per 10,000), month 8 planted at 160
    months = _months(12)
    counts = [100] * 12
    counts[7] = 160
    monthly = pd.DataFrame({"month": months, "complaints": counts, "customers": [100_000] * 12})
    result = trends.anomalies(monthly)
    assert result.rule == "u-chart" and result.months == (months[7],)
    fig = charts.control_chart(result.frame, rule=result.rule, centre=result.centre, measure="rate")
    upper, lower, centre, value, flagged = fig.data
    assert [upper.name, centre.name, value.name, flagged.name] == [
        "Control limits",
        "Centre line",
        "Complaints per 10,000 customers",
        "Flagged month",
    ]
    u = sum(counts) / 120  # complaints per 10,000 over all months (exposure 10 a month)
    assert list(centre.y) == pytest.approx([u] * 12)
    assert list(upper.y) == pytest.approx([u + 3 * np.sqrt(u / 10)] * 12)
    assert list(lower.y) == pytest.approx([u - 3 * np.sqrt(u / 10)] * 12)
    assert list(flagged.x) == ["2024-08-01"] and list(flagged.y) == pytest.approx([16.0])
    assert f"u-chart, 3-sigma limits · centre {u:.3g} · 1 month(s) flagged" in _notes(fig)
    laney = trends.anomalies(monthly, laney=True)
    zh = charts.control_chart(laney.frame, rule=laney.rule, centre=laney.centre, lang="zh")
    assert any(n.startswith("Laney u′ 控制图，3σ 控制限 · 中心线") for n in _notes(zh))
    assert zh.layout.title.text.startswith("每万名客户投诉量控制图")


def test_control_chart_of_means_and_too_short():
    monthly = pd.DataFrame(
        {
            "month": _months(8),
            "n": [30] * 8,
            "mean": [7.0, 7.1, 6.9, 7.0, 5.0, 7.0, 7.1, 6.9],
            "sd": [1.0] * 8,
        }
    )
    result = trends.mean_anomalies(monthly)
    fig = charts.control_chart(result.frame, rule=result.rule, centre=result.centre, measure="score")
    assert list(fig.data[-1].x) == ["2024-05-01"]
    assert fig.layout.yaxis.title.text == "Mean score"
    assert any(n.startswith("x̄-chart, 3-sigma limits") for n in _notes(fig))
    short = trends.mean_anomalies(monthly.head(3))
    assert short.status == "too_short"
    assert _message(charts.control_chart(short.frame, rule=short.rule, message="short")) == "short"


# -- complaints ---------------------------------------------------------------------------------


def _complaints(by_category: bool = False) -> pd.DataFrame:
    rows = []
    for i, m in enumerate(M):
        groups = {"fees": 2 + i, "wait_time": 1} if by_category else {None: 3 + i}
        for group, k in groups.items():
            rows.append(dict(month=m, group=group, complaints=k, customers=1000 + 1000 * i))
    df = pd.DataFrame(rows)
    df["customers"] = df["customers"].astype("Int64")
    df["rate_per_10k"] = df["complaints"] * 10_000 / df["customers"].astype(float)
    return df


def test_complaint_counts_as_bars_and_rate_as_lines():
    df = _complaints()
    counts = charts.complaints_trend(df)
    (bar,) = counts.data
    assert bar.type == "bar" and list(bar.y) == [3.0, 4.0, 5.0] and list(bar.x) == LABELS
    rate = charts.complaints_trend(df, measure="rate")
    (line,) = rate.data
    assert line.type == "scatter" and list(line.y) == pytest.approx([30.0, 20.0, 5 * 10_000 / 3000])
    assert rate.layout.yaxis.title.text == "Complaints per 10,000 customers"
    # no customers snapshot: the rate chart says so instead of drawing nothing
    none = df.assign(customers=pd.array([pd.NA] * 3, dtype="Int64"), rate_per_10k=np.nan)
    assert _message(charts.complaints_trend(none, measure="rate")) == (
        "No customer snapshot for these months: counts only, no rate."
    )


def test_complaints_by_category_stack_with_translated_names():
    df = _complaints(by_category=True)
    fig = charts.complaints_trend(df, by="category", lang="zh")
    assert fig.layout.barmode == "stack"
    assert [tr.name for tr in fig.data] == ["收费", "排队等候"]
    assert fig.layout.title.text.startswith("按投诉类别的月度投诉量")
    capped = charts.complaints_trend(df, by="category", max_groups=1)
    assert [tr.name for tr in capped.data] == ["Fees"]
    assert "Showing the 1 largest of 2 groups by complaints." in _notes(capped)


def test_pareto_bars_and_cumulative_line_to_100():
    df = pd.DataFrame(
        {
            "category": ["fees", "card", "Mortgage"],
            "complaints": [6, 3, 1],
            "share": [0.6, 0.3, 0.1],
            "cumulative_share": [0.6, 0.9, 1.0],
        }
    )
    fig = charts.pareto_chart(df)
    bar, line = fig.data
    assert bar.type == "bar" and list(bar.x) == ["Fees", "Cards", "Mortgage"]  # a bank's own category as is
    assert list(bar.y) == [6.0, 3.0, 1.0]
    assert line.yaxis == "y2" and list(line.y) == pytest.approx([60.0, 90.0, 100.0])
    assert line.y[-1] == pytest.approx(100.0)
    assert fig.layout.yaxis2.ticksuffix == "%"
    zh = charts.pareto_chart(df, lang="zh")
    assert list(zh.data[0].x) == ["收费", "银行卡", "Mortgage"] and zh.data[1].name == "累计占比"


def test_backlog_area():
    df = pd.DataFrame({"month": M, "open_at_month_end": [1, 0, 2]})
    fig = charts.backlog_chart(df)
    (area,) = fig.data
    assert area.fill == "tozeroy" and list(area.y) == [1.0, 0.0, 2.0] and list(area.x) == LABELS


def test_branch_scatter_with_fitted_line_and_statistics():
    df = pd.DataFrame(
        {
            "branch": ["B1", "B2", "B3", "B4", "B5", "B6"],
            "complaints": [1, 2, 3, 4, 5, 9],
            "customer_months": [100] * 6,
            "complaints_per_10k": [10.0, 20.0, 30.0, 40.0, 50.0, 90.0],
            "mean_satisfaction": [8.0, 7.5, 7.2, 6.8, 6.0, 9.0],
            "n": [20, 20, 20, 20, 20, 3],
            "used": [True] * 5 + [False],
        }
    )
    fig = charts.branch_link_scatter(df, slope=-0.05, intercept=8.5, r=-0.98, p_value=0.004, n=5)
    used, unused, line = fig.data
    assert list(used.text) == ["B1", "B2", "B3", "B4", "B5"] and list(unused.text) == ["B6"]
    assert unused.name == "Branch with fewer than 10 surveys (not in the line)"
    assert list(line.x) == [10.0, 50.0] and list(line.y) == pytest.approx([8.0, 6.0])
    assert "r = -0.98 · p = 0.004 · n = 5 branches" in _notes(fig)
    zh = charts.branch_link_scatter(df, slope=-0.05, intercept=8.5, r=-0.98, p_value=0.0001, n=5, lang="zh")
    assert "r = -0.98 · p < 0.001 · n = 5 个支行" in _notes(zh)
    nofit = charts.branch_link_scatter(df)
    assert [tr.name for tr in nofit.data] == ["Branch", "Branch with fewer than 10 surveys (not in the line)"]


# -- empty input and labels ---------------------------------------------------------------------


def test_empty_input_gives_a_message_figure():
    empty = {
        charts.satisfaction_trend: _sat().iloc[:0],
        charts.score_distribution_bars: pd.DataFrame({"score": [], "n": [], "share": []}),
        charts.complaints_trend: _complaints().iloc[:0],
        charts.pareto_chart: pd.DataFrame(
            {"category": [], "complaints": [], "share": [], "cumulative_share": []}
        ),
        charts.backlog_chart: pd.DataFrame({"month": [], "open_at_month_end": []}),
        charts.branch_link_scatter: pd.DataFrame(
            {
                "branch": [],
                "complaints": [],
                "complaints_per_10k": [],
                "mean_satisfaction": [],
                "n": [],
                "used": [],
            }
        ),
        charts.decomposition_chart: trends.decompose(pd.DataFrame({"month": [], "value": []})).frame,
        charts.forecast_chart: trends.forecast(pd.DataFrame({"month": [], "value": []})).frame,
    }
    for builder, frame in empty.items():
        for lang, text in (
            ("en", "Nothing to show for this selection."),
            ("zh", "当前筛选条件下没有可显示的数据。"),
        ):
            fig = builder(frame, lang=lang, subtitle=SUB)
            assert _message(fig) == text, builder.__name__
            assert SUB in fig.layout.title.text
    fig = charts.control_chart(trends.anomalies(_complaints().iloc[:0]).frame, rule="none")
    assert _message(fig) == "Nothing to show for this selection."


def test_group_labels():
    label = charts.trend_group_label
    assert label(None, None) == "All" and label(None, None, "zh") == "全部"
    assert label("tier", "hnw", "zh") == "高净值客户"
    assert label("tier", "unknown") == "Unknown (anonymous or not a customer)"
    assert label("branch", "unassigned", "zh") == "未分配"
    assert label("branch", "深圳福田支行") == "深圳福田支行"
    assert label("channel", "regulator_12378", "zh") == "监管转办（12378）"
    assert label("channel", "Web") == "Web"  # a channel of the bank's own data, as it is
    assert label("category", "wealth_mis_selling") == "Wealth product mis-selling"
    assert charts.p_text(0.0004) == "< 0.001" and charts.p_phrase(0.0004) == "p < 0.001"
    assert charts.p_phrase(0.0312) == "p = 0.0312" and charts.p_phrase(None) == "p = n/a"
