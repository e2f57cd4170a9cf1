"""The satisfaction & complaints page against a small database whose numbers a person can check.

Three month-end snapshots of retail customers (tier by AUM):

=====  ==========  ======  ======  =========  ==========
id     tier        region  branch  snapshots
=====  ==========  ======  ======  =====================
C1     mass        RA      B1      Jul, Aug, Sep
C2     emerging    RA      B1      Jul, Aug, Sep
C3     affluent    RB      B2      Jul, Aug, Sep
C4     hnw         RB      B2      Jul, Aug, Sep
C5     mass        RB      B2      Aug only
=====  ==========  ======  ======  =====================

Customers per month: 4, 5, 4.

Surveys (0-10 scale):

* July: C1 8 (07-01), C2 6 (07-05), C3 10 (07-20): n 3, mean 8, sd 2.
* August: C4 5, C5 7 (08-25), anonymous 6: n 3, mean 6, sd 1.
* September: C1 9 (09-15): n 1, mean 9, no interval.

Complaints:

====  ========  =========  ==========  ========  ======
who   category  received   resolved    days      branch
====  ========  =========  ==========  ========  ======
C1    fees      07-03      07-10       7         B1
C3    wait_time 07-15      08-05       21        B2
C5    fees      08-20      08-22       2         B2
C2    fees      09-02      09-30       28        B1
C4    card      09-10      (open)                B2
anon  fees      09-25      (open)                B2
====  ========  =========  ==========  ========  ======

Counts 2, 1, 3; rates per 10,000 customers 2/4 = 5,000, 1/5 = 2,000, 3/4 = 7,500. As of
09-30: median of 7, 21, 2, 28 days = (7 + 21) / 2 = 14; within 15 days 2 of 4 = 50%; within
21 days 3 of 4 = 75%; open backlog 2. Open at month ends: July 1, August 0, September 2.
Pareto: fees 4 (66.7%), card 1, wait_time 1 (ties by name).

Three months are too few for a trend (6), a control chart (6), STL (24) and a forecast (12).

Views are driven through the URL, as a shared link opens them (AppTest does not rerun the
main script of an st.navigation app after a widget change); ``tab`` opens a tab.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.conftest import REALDATA, REPO, insert_rows

D = dt.date
SNAPSHOTS = (D(2026, 7, 31), D(2026, 8, 31), D(2026, 9, 30))
AUM = {"C1": 10_000.0, "C2": 100_000.0, "C3": 500_000.0, "C4": 2_000_000.0, "C5": 20_000.0}
UNIT = {"C1": ("RA", "B1"), "C2": ("RA", "B1"), "C3": ("RB", "B2"), "C4": ("RB", "B2"), "C5": ("RB", "B2")}


def _customers() -> list[dict]:
    rows = []
    for day in SNAPSHOTS:
        ids = ["C1", "C2", "C3", "C4"] + (["C5"] if day.month == 8 else [])
        for cid in ids:
            region, branch = UNIT[cid]
            rows.append(
                dict(
                    snapshot_date=day,
                    customer_id=cid,
                    segment="retail",
                    region=region,
                    branch=branch,
                    rm_id=f"M{branch}",
                    aum=AUM[cid],
                )
            )
    return rows


def _survey(sid, day, score, cid=None, channel="app"):
    region, branch = UNIT.get(cid, ("RB", "B2"))
    return dict(
        survey_id=sid,
        survey_date=day,
        customer_id=cid,
        score=score,
        scale_max=10.0,
        channel=channel,
        region=region,
        branch=branch,
    )


SURVEYS = [
    _survey("S1", D(2026, 7, 1), 8.0, "C1"),
    _survey("S2", D(2026, 7, 5), 6.0, "C2", channel="branch"),
    _survey("S3", D(2026, 7, 20), 10.0, "C3"),
    _survey("S4", D(2026, 8, 10), 5.0, "C4", channel="branch"),
    _survey("S5", D(2026, 8, 25), 7.0, "C5"),
    _survey("S6", D(2026, 8, 28), 6.0, None, channel="branch"),
    _survey("S7", D(2026, 9, 15), 9.0, "C1"),
]


def _complaint(kid, cid, category, received, resolved=None):
    region, branch = UNIT.get(cid, ("RB", "B2"))
    return dict(
        complaint_id=kid,
        customer_id=cid,
        received_date=received,
        category=category,
        channel="phone",
        region=region,
        branch=branch,
        resolved_date=resolved,
        status="resolved" if resolved else "open",
    )


COMPLAINTS = [
    _complaint("K1", "C1", "fees", D(2026, 7, 3), D(2026, 7, 10)),
    _complaint("K2", "C3", "wait_time", D(2026, 7, 15), D(2026, 8, 5)),
    _complaint("K3", "C5", "fees", D(2026, 8, 20), D(2026, 8, 22)),
    _complaint("K4", "C2", "fees", D(2026, 9, 2), D(2026, 9, 30)),
    _complaint("K5", "C4", "card", D(2026, 9, 10)),
    _complaint("K6", None, "fees", D(2026, 9, 25)),
]


def _database(tmp_path, monkeypatch, *, customers=True, surveys=True, complaints=True):
    path = tmp_path / "trends.duckdb"
    s = Store(path)
    if customers:
        insert_rows(s, "customers", _customers())
    if surveys:
        insert_rows(s, "surveys", SURVEYS)
    if complaints:
        insert_rows(s, "complaints", COMPLAINTS)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture
def db(tmp_path, monkeypatch):
    return _database(tmp_path, monkeypatch)


def _app(**query: str) -> AppTest:
    """A fresh session opened at ``/trends?query``."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(query)
    at.switch_page("pages/trends.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert tables, f"no table with {column!r}: {[list(d.value.columns) for d in at.dataframe]}"
    return tables[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def _titles(at: AppTest) -> list[str]:
    return [
        json.loads(c.proto.spec)["layout"]["title"]["text"].split("<br>")[0] for c in at.get("plotly_chart")
    ]


def _spec(at: AppTest, title: str) -> dict:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        if spec["layout"]["title"]["text"].startswith(title):
            return spec
    raise AssertionError(f"no chart {title!r} in {_titles(at)}")


def _half(sd: float, n: int) -> float:
    return stats.t.ppf(0.975, n - 1) * sd / n**0.5


# -- satisfaction -------------------------------------------------------------------------------


def test_monthly_means_and_bands_by_hand(db):
    at = _app()
    assert at.title[0].value == "Satisfaction & complaints"
    assert [tab.label for tab in at.tabs] == ["Satisfaction", "Complaints", "Links"]
    monthly = _table(at, "Mean score")
    assert list(monthly["Month"]) == ["2026-07", "2026-08", "2026-09"]
    assert list(monthly["Surveys (n)"]) == [3, 3, 1]
    assert list(monthly["Mean score"]) == [8.0, 6.0, 9.0]
    assert list(monthly["95% CI low"][:2]) == pytest.approx([8 - _half(2, 3), 6 - _half(1, 3)], abs=1e-3)
    assert list(monthly["95% CI high"][:2]) == pytest.approx([8 + _half(2, 3), 6 + _half(1, 3)], abs=1e-3)
    assert pd.isna(monthly["95% CI low"][2])  # one survey: no interval
    captions = _captions(at)
    assert any(c.endswith("n = 7 surveys over 3 months.") for c in captions)
    assert "n = 7 surveys, 2026-07 to 2026-09." in captions  # the score distribution
    line = next(
        tr for tr in _spec(at, "Mean satisfaction score by month")["data"] if tr["mode"] == "lines+markers"
    )
    assert line["x"] == ["2026-07-01", "2026-08-01", "2026-09-01"]
    assert dict(at.query_params) == {}  # defaults are left out of the URL


def test_too_short_for_every_method(db):
    at = _app()
    infos = _infos(at)
    assert "A trend test needs at least 6 months; this series has 3." in infos
    assert "A seasonal decomposition (STL) needs at least 24 months; this series has 3." in infos
    assert "A forecast needs at least 12 months; this series has 3." in infos
    # months with 2+ surveys are charted: July and August
    assert "A control chart needs at least 6 months; this series has 2." in infos
    assert _titles(at) == ["Mean satisfaction score by month, with 95% confidence band", "Surveys by score"]
    assert "Verdict" not in _metrics(at)


def test_nps_on_a_0_to_10_scale(db):
    at = _app()
    # 9, 10 promoters; 7, 8 passives; 5, 6, 6 detractors: (2 - 3) / 7 = -14.3
    metrics = _metrics(at)
    assert metrics["NPS"] == "-14.3"
    assert metrics["Promoters (9–10)"] == f"{2 / 7 * 100:.1f}%"
    assert metrics["Detractors (0–6)"] == f"{3 / 7 * 100:.1f}%"
    assert any("2 promoters, 2 passives and 3 detractors of n = 7 surveys" in c for c in _captions(at))


def test_nps_not_applicable_on_a_1_to_5_scale(tmp_path, monkeypatch):
    path = tmp_path / "five.duckdb"
    s = Store(path)
    insert_rows(s, "customers", _customers())
    insert_rows(s, "surveys", [dict(r, scale_max=5.0, score=min(r["score"], 5.0)) for r in SURVEYS])
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    at = _app()
    assert any(i.startswith("NPS is not applicable: NPS needs a 0-10 scale") for i in _infos(at))
    assert "NPS" not in _metrics(at)


def test_by_tier_from_the_url(db):
    at = _app(by="tier")
    assert at.segmented_control(key="by").value == "tier"
    table = _table(at, "Group")
    rows = {
        (m, g): (n, mean) for m, g, n, mean in table[["Month", "Group", "Surveys (n)", "Mean score"]].values
    }
    assert rows[("2026-07", "Mass")] == (1, 8.0)
    assert rows[("2026-07", "Affluent")] == (1, 10.0)
    assert rows[("2026-08", "Mass")] == (1, 7.0)  # C5
    assert rows[("2026-08", "High net worth")] == (1, 5.0)
    assert rows[("2026-08", "Unknown (anonymous or not a customer)")] == (1, 6.0)
    assert rows[("2026-09", "Mass")] == (1, 9.0)
    assert _titles(at)[0] == "Mean satisfaction score by month and tier, with 95% confidence bands"
    verdicts = _table(at, "Verdict")
    assert set(verdicts["Verdict"]) == {"Too short"}
    assert dict(at.query_params) == {"by": "tier"}


def test_by_channel_and_a_bad_value(db):
    at = _app(by="channel")
    table = _table(at, "Group")
    aug = table[table["Month"] == "2026-08"].set_index("Group")["Mean score"]
    assert aug.to_dict() == {"Branch": 5.5, "Mobile app": 7.0}
    at = _app(by="bogus")
    assert at.segmented_control(key="by").value == "none"
    assert dict(at.query_params) == {}


# -- complaints ---------------------------------------------------------------------------------


def test_monthly_counts_and_rates_by_hand(db):
    at = _app(tab="complaints")
    table = _table(at, "Per 10,000 customers")
    assert list(table["Month"]) == ["2026-07", "2026-08", "2026-09"]
    assert list(table["Complaints"]) == [2, 1, 3]
    assert list(table["Customers"]) == [4, 5, 4]
    assert list(table["Per 10,000 customers"]) == [5000.0, 2000.0, 7500.0]
    assert any(c.startswith("n = 6 complaints over 3 months") for c in _captions(at))
    assert _titles(at) == [
        "Complaints received by month",
        "Complaints per 10,000 customers by month",
        "Complaints by category, largest first",
        "Open complaints at each month end",
    ]
    pareto = _spec(at, "Complaints by category")["data"]
    assert pareto[0]["x"] == ["Fees", "Cards", "Waiting time"]
    assert dict(at.query_params) == {"tab": "complaints"}


def test_resolution_and_backlog_by_hand(db):
    at = _app(tab="complaints")
    metrics = _metrics(at)
    assert metrics["Median days to resolve"] == "14 days"
    assert metrics["Resolved within 15 days"] == "50.0%"
    assert metrics["Open backlog"] == "2"
    assert any(c.startswith("As of 2026-09-30: n = 6 complaints received; 4 resolved") for c in _captions(at))
    assert at.number_input(key="within").value == 15
    at = _app(tab="complaints", within="21")
    assert _metrics(at)["Resolved within 21 days"] == "75.0%"
    assert dict(at.query_params) == {"tab": "complaints", "within": "21"}
    assert _app(tab="complaints", within="abc").number_input(key="within").value == 15


def test_complaint_methods_too_short_and_on_the_rate(db):
    at = _app(tab="complaints")
    infos = _infos(at)
    assert "A trend test needs at least 6 months; this series has 3." in infos
    assert "A control chart needs at least 6 months; this series has 3." in infos
    assert "A seasonal decomposition (STL) needs at least 24 months; this series has 3." in infos
    assert "A forecast needs at least 12 months; this series has 3." in infos
    # three months with a snapshot are fewer than the 6 a rate-based verdict needs: on counts
    assert any(c.startswith("Trend, forecast and control chart on the monthly counts") for c in _captions(at))


def test_by_category_from_the_url(db):
    at = _app(tab="complaints", cby="category")
    assert at.segmented_control(key="cby").value == "category"
    table = _table(at, "Group")
    fees = table[table["Group"] == "Fees"]
    assert list(fees["Complaints"]) == [1, 1, 2]
    assert list(fees["Per 10,000 customers"]) == [2500.0, 2000.0, 5000.0]  # per all customers
    assert _titles(at)[:2] == [
        "Complaints received by month and category",
        "Complaints per 10,000 customers by month and category",
    ]
    assert dict(at.query_params) == {"tab": "complaints", "cby": "category"}


def test_a_branch_filter_narrows_surveys_and_complaints(db):
    at = _app(region="RA", branch="B1")
    assert list(_table(at, "Mean score")["Surveys (n)"]) == [2, 1]  # C1 and C2 in July, C1 in September
    at = _app(region="RA", branch="B1", tab="complaints")
    table = _table(at, "Per 10,000 customers")
    assert list(table["Complaints"]) == [1, 0, 1]
    assert list(table["Per 10,000 customers"]) == [5000.0, 0.0, 5000.0]  # of 2 customers a month


# -- links --------------------------------------------------------------------------------------


def test_links_by_hand(db):
    at = _app(tab="links")
    # complainants (complained in the 3 months up to the survey): C3 10, C5 7, C1 in September 9;
    # others: C1 in July (before its complaint) 8, C2 6, C4 5; the anonymous survey takes no part
    metrics = _metrics(at)
    assert metrics["Complainants' mean score"] == f"{26 / 3:.2f}"
    assert metrics["Others' mean score"] == f"{19 / 3:.2f}"
    assert metrics["Difference"] == f"{26 / 3 - 19 / 3:+.2f}"
    assert any("n = 3 and 3 identified surveys" in c for c in _captions(at))
    infos = _infos(at)
    assert "Needs two customer snapshots 3 months apart, with customers in both groups." in infos
    assert "Needs at least 5 branches with customers and 10 or more surveys; this view has 0." in infos
    assert dict(at.query_params) == {"tab": "links"}


def test_closures_wait_for_the_button_on_a_large_portfolio(db, monkeypatch):
    import ui.trends

    monkeypatch.setattr(ui.trends, "CHURN_AUTO_LIMIT", 5)  # 13 customer-snapshots count as large
    at = _app(tab="links")
    assert at.button(key="tr_churn_button").label == "Compare closures"
    assert any("13 customer-snapshots" in c for c in _captions(at))
    assert "Needs two customer snapshots 3 months apart, with customers in both groups." not in _infos(at)


# -- languages, empty views, what is loaded ------------------------------------------------------


def test_chinese(db):
    at = _app(lang="zh", by="tier")
    assert at.title[0].value == "满意度与投诉"
    assert [tab.label for tab in at.tabs] == ["满意度", "投诉", "关联分析"]
    table = _table(at, "平均分")
    assert "大众客户" in set(table["分组"])
    assert "趋势检验至少需要 6 个月数据，当前序列只有 3 个月。" in _infos(at)
    assert _titles(at)[0] == "按层级的月度平均满意度（含 95% 置信区间）"
    at = _app(lang="zh", tab="complaints", within="21")
    assert list(_table(at, "每万名客户投诉量")["投诉量"]) == [2, 1, 3]
    metrics = _metrics(at)
    assert metrics["处理天数中位数"] == "14 天" and metrics["21 天内解决"] == "75.0%"
    at = _app(lang="zh", tab="links")
    assert _metrics(at)["投诉客户平均分"] == f"{26 / 3:.2f}"


def test_a_tab_named_in_the_other_language_is_kept(db):
    at = _app(lang="zh", tab="投诉")  # a label from a link, not an id
    assert "每万名客户投诉量" in _table(at, "每万名客户投诉量").columns
    assert dict(at.query_params) == {"lang": "zh", "tab": "complaints"}


def test_empty_selection(db):
    at = _app(segment="corporate")  # every customer is retail
    assert _infos(at) == ["No customers match this selection. Widen the filters in the sidebar."]
    assert len(at.tabs) == 0
    at = _app(segment="corporate", lang="zh")
    assert _infos(at) == ["当前筛选条件下没有客户，请在侧边栏放宽筛选。"]


def test_empty_database_offers_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DB", str(tmp_path / "empty.duckdb"))
    at = _app()
    assert "No portfolio data yet" in at.info[0].value
    assert at.button(key="build_demo").label == "Build the demo portfolio"
    assert len(at.tabs) == 0


def test_no_surveys_loaded(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, surveys=False)
    at = _app()
    assert any(i.startswith("No satisfaction surveys are loaded.") for i in _infos(at))
    assert not at.get("plotly_chart")
    at = _app(tab="complaints")
    assert list(_table(at, "Complaints")["Complaints"]) == [2, 1, 3]
    at = _app(tab="links")
    assert "The links need surveys and complaints loaded." in _infos(at)
    assert "The links need customer snapshots, surveys and complaints loaded." in _infos(at)


def test_no_complaints_loaded(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, complaints=False)
    at = _app(tab="complaints")
    assert any(i.startswith("No complaints are loaded.") for i in _infos(at))
    assert not at.get("plotly_chart")
    assert list(_table(_app(), "Mean score")["Mean score"]) == [8.0, 6.0, 9.0]
    at = _app(tab="links", lang="zh")
    assert "关联分析需要先导入客户快照和投诉数据。" in _infos(at)


def test_events_without_customers(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, customers=False)
    at = _app(tab="complaints")
    assert _infos(at)[0].startswith("No customer snapshots are loaded")
    table = _table(at, "Complaints")
    assert list(table["Complaints"]) == [2, 1, 3] and table["Per 10,000 customers"].isna().all()
    assert "No customer snapshot for these months: counts only, no rate." in _infos(at)
    assert at.segmented_control(key="cby").options == ["None", "Category", "Channel", "Branch", "Region"]
    assert list(_table(_app(), "Mean score")["Mean score"]) == [8.0, 6.0, 9.0]


# -- real data and the demo portfolio -----------------------------------------------------------


def test_the_page_on_the_real_cfpb_complaints(tmp_path, monkeypatch):
    from analytics.load import load_files

    source = REALDATA / "cfpb_complaints_sample.csv"
    if not source.exists():
        pytest.skip(f"{source} is not present (shared/realdata sits beside the checkout)")
    path = tmp_path / "cfpb.duckdb"
    s = Store(path)
    load_files(s, "complaints", [source], mapping=REPO / "data" / "mappings" / "cfpb_complaints_sample.toml")
    total = s.raw().execute("SELECT count(*) FROM complaints").fetchone()[0]
    by_month = (
        s.raw()
        .execute(
            "SELECT strftime(date_trunc('month', received_date), '%Y-%m') AS m, count(*) FROM complaints "
            "GROUP BY 1 ORDER BY 1"
        )
        .fetchall()
    )
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    at = _app(tab="complaints")
    table = _table(at, "Complaints")
    assert int(table["Complaints"].sum()) == total
    shown = dict(zip(table["Month"], table["Complaints"], strict=True))
    assert all(shown[m] == k for m, k in by_month)
    assert any(c.startswith(f"n = {total:,} complaints over 60 months") for c in _captions(at))
    assert "Control chart of the monthly complaints" in _titles(at)  # STL residuals on counts
    at = _app(tab="complaints", lang="zh", cby="channel")
    assert int(_table(at, "投诉量")["投诉量"].sum()) == total
    _app()  # no surveys: a message, no error
    _app(tab="links")


def test_the_page_on_the_demo_portfolio(tmp_path, monkeypatch):
    from analytics.demo import build_demo

    path = tmp_path / "demo.duckdb"
    s = Store(path)
    build_demo(s, customers=2000, months=13, seed=17, end=dt.date(2026, 10, 31))
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    for lang in ("en", "zh"):
        at = _app(lang=lang, by="branch")
        assert len(at.get("plotly_chart")) >= 4
        at = _app(lang=lang, tab="complaints", cby="tier")
        assert len(at.get("plotly_chart")) >= 5
        at = _app(lang=lang, tab="links")
        assert len(at.get("plotly_chart")) == 1
    at = _app(tab="complaints")
    assert "Verdict" in _metrics(at)  # 13 months: a verdict
    assert any(
        c.startswith("Trend, forecast and control chart on the rate per 10,000") for c in _captions(at)
    )


def _churn_script():
    from types import SimpleNamespace

    import streamlit as st

    from analytics.scope import Filters
    from ui.trends import churn_asked

    ctx = SimpleNamespace(data_version="v1", filters=Filters(branch=st.session_state.get("branch_filter")))
    st.text(f"asked={churn_asked(ctx, 5_000_000, 'en')}")


def test_the_closure_button_is_remembered_per_view():
    at = AppTest.from_function(_churn_script).run()
    assert at.text[0].value == "asked=False"
    assert "5,000,000 customer-snapshots" in at.caption[0].value
    at.button(key="tr_churn_button").click().run()
    assert at.text[0].value == "asked=True" and len(at.button) == 0
    at.run()
    assert at.text[0].value == "asked=True"  # stays asked in this view
    at.session_state["branch_filter"] = "B1"  # another view asks again
    at.run()
    assert at.text[0].value == "asked=False"
    assert not at.exception
