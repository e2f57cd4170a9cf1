"""The migration page against a small database whose every move a person can count.

Three month ends, default rules (retail tiers by AUM: mass < 50K <= emerging < 200K <= affluent
< 1M <= high net worth < 5M <= private):

==  ======  ======  ===  ===================  ====================  ==========================  ============
id  region  branch  rm   D0 2026-07-31        D1 2026-08-31         D2 2026-09-30               D1 -> D2
==  ======  ======  ===  ===================  ====================  ==========================  ============
A   R1      B1      M1   emerging 100,000     emerging 100,000      affluent 250,000            upgrade
B   R1      B1      M2   hnw 1,200,000        hnw 1,200,000         affluent 900,000            downgrade*
C   R1      B2      M3   private 6,000,000    private 6,000,000     (absent)                    closed*
D   R2      B3      M4   mass 30,000          mass 30,000           mass 40,000                 stable
E   R2      B3      M4   (absent)             (absent)              emerging 60,000             new
F   R1      B1      M1   affluent 200,000     affluent 200,000      emerging 199,999.99         downgrade
G   R2      B3      M4   affluent 999,999.99  affluent 999,999.99   hnw 1,000,000               upgrade
H   R2      B3      M4   mass 10,000          mass 10,000           below scale (corporate)     reclassified
K   R1      B1      M2   private 8,000,000    private 8,000,000     hnw 4,000,000               downgrade
Z   R2      B3      M4   mass 5,000           (absent)              (absent)                    -
==  ======  ======  ===  ===================  ====================  ==========================  ============

F sits exactly on the affluent bar at D1 (affluent) and a cent below it at D2 (emerging); G a
cent below the high-net-worth bar at D1 and exactly on it at D2. (*) high-tier losses: B (hnw ->
affluent) and C (private -> closed); K (private -> hnw) still holds more than 1M and is not one.
C's name is ``=cmd``, a formula if a spreadsheet opened it unquoted.

D1 -> D2: 8 customers at D1: 2 upgrades (A, G) 25%, 1 stable (D) 12.5%, 3 downgrades (B, F, K)
37.5%, 1 reclassified (H) 12.5%, 1 closed (C) 12.5%; 1 new (E); net upgrades 2 - 3 = -1.
D0 -> D1: 9 customers at D0, 8 stay in their tier (88.9%), Z closes (11.1%).

Views are driven through the URL (as a shared link opens them): AppTest 1.67 does not rerun the
main script of an st.navigation app after a widget change.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import time

import numpy as np
import openpyxl
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint
from streamlit.testing.v1 import AppTest

from analytics.store import Store
from tests.app.conftest import download, download_keys
from tests.conftest import REPO, insert_rows
from ui.migration import backtest_origin, neutralise, page_url, safe_csv, window_dates

D0, D1, D2 = dt.date(2026, 7, 31), dt.date(2026, 8, 31), dt.date(2026, 9, 30)
M = 1_000_000


def _row(date, cid, region, branch, rm, aum, segment="retail", **more):
    return dict(
        snapshot_date=date,
        customer_id=cid,
        customer_name=more.pop("name", f"Customer {cid}"),
        region=region,
        branch=branch,
        rm_id=rm,
        segment=segment,
        aum=aum,
        **more,
    )


def _both(cid, region, branch, rm, aum, **more):
    """The same row at D0 and D1."""
    return [_row(d, cid, region, branch, rm, aum, **more) for d in (D0, D1)]


ROWS = [
    *_both("A", "R1", "B1", "M1", 100_000.0),
    _row(D2, "A", "R1", "B1", "M1", 250_000.0),
    *_both("B", "R1", "B1", "M2", 1_200_000.0),
    _row(D2, "B", "R1", "B1", "M2", 900_000.0),
    *_both("C", "R1", "B2", "M3", 6 * M, name="=cmd"),
    *_both("D", "R2", "B3", "M4", 30_000.0),
    _row(D2, "D", "R2", "B3", "M4", 40_000.0),
    _row(D2, "E", "R2", "B3", "M4", 60_000.0),
    *_both("F", "R1", "B1", "M1", 200_000.0),
    _row(D2, "F", "R1", "B1", "M1", 199_999.99),
    *_both("G", "R2", "B3", "M4", 999_999.99),
    _row(D2, "G", "R2", "B3", "M4", 1 * M),
    *_both("H", "R2", "B3", "M4", 10_000.0),
    _row(D2, "H", "R2", "B3", "M4", 5_000.0, segment="corporate", loan_balance=0.0),
    *_both("K", "R1", "B1", "M2", 8 * M),
    _row(D2, "K", "R1", "B1", "M2", 4 * M),
    _row(D0, "Z", "R2", "B3", "M4", 5_000.0),
]


def _database(tmp_path, monkeypatch, rows, name="mig.duckdb"):
    path = tmp_path / name
    s = Store(path)
    if rows:
        insert_rows(s, "customers", rows)
    s.close()
    monkeypatch.setenv("TIERSCOPE_DB", str(path))
    return path


@pytest.fixture
def db(tmp_path, monkeypatch):
    return _database(tmp_path, monkeypatch, ROWS)


def _app(**query: str) -> AppTest:
    """A fresh session opened at ``/migration?query``."""
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update(query)
    at.switch_page("pages/migration.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _table(at: AppTest, first_column: str) -> pd.DataFrame:
    tables = [d.value for d in at.dataframe if d.value.columns[0] == first_column]
    assert tables, f"no table starting with {first_column!r}: {[d.value.columns[0] for d in at.dataframe]}"
    return tables[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _chart(at: AppTest, title: str) -> dict:
    found = [c for c in _charts(at) if c["layout"]["title"]["text"].split("<br>")[0] == title]
    assert found, [c["layout"]["title"]["text"] for c in _charts(at)]
    return found[0]


def _array(value) -> list:
    """A data array of a figure's JSON: a list, or numpy's typed array (``bdata``) decoded."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = [int(n) for n in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(value)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


# -- two snapshots ----------------------------------------------------------------------------


def test_default_pair_rates_and_matrix(db):
    at = _app()
    assert at.title[0].value == "Migration"
    assert at.selectbox(key="from").value == "2026-08-31"  # the snapshot before "to"
    assert at.selectbox(key="to").value == "2026-09-30"  # the sidebar's snapshot
    assert at.selectbox(key="from").options == ["2026-08-31", "2026-07-31"]
    assert at.selectbox(key="to").options == ["2026-09-30", "2026-08-31"]
    assert _metrics(at) == {
        "Upgrade rate": "25.0%",
        "Stable rate": "12.5%",
        "Downgrade rate": "37.5%",
        "Reclassified": "12.5%",
        "Closure rate": "12.5%",
    }
    captions = _captions(at)
    assert "2 customers · AUM 1.1M" in captions  # A 100,000 + G 999,999.99
    assert "3 customers · AUM 9.4M" in captions  # B 1.2M + F 200,000 + K 8M
    assert "1 customers · AUM 6.0M" in captions  # C
    assert (
        "Net upgrades (upgrades - downgrades): **-1** · new customers (not in this view before, counted "
        "apart from the rates): **1** · customers 8 → 8" in captions
    )
    matrix = _table(at, "From \\ to").set_index("From \\ to")
    assert list(matrix.index) == [
        "New",
        "Mass",
        "Emerging",
        "Affluent",
        "High net worth",
        "Private banking",
        "Below scale",
    ]
    assert list(matrix.columns) == [
        "Mass",
        "Emerging",
        "Affluent",
        "High net worth",
        "Private banking",
        "Below scale",
        "Closed",
        "Total",
    ]
    expected = {
        ("New", "Emerging"): 1,  # E
        ("Mass", "Mass"): 1,  # D
        ("Mass", "Below scale"): 1,  # H, reclassified
        ("Emerging", "Affluent"): 1,  # A
        ("Affluent", "Emerging"): 1,  # F, a cent below the bar
        ("Affluent", "High net worth"): 1,  # G, exactly on the bar
        ("High net worth", "Affluent"): 1,  # B
        ("Private banking", "High net worth"): 1,  # K
        ("Private banking", "Closed"): 1,  # C
    }
    for row in matrix.index:
        for col in matrix.columns[:-1]:
            assert matrix.loc[row, col] == expected.get((row, col), 0), (row, col)
    assert list(matrix["Total"]) == [1, 2, 1, 2, 1, 2, 0]
    assert dict(at.query_params) == {}  # every default left out


def test_the_heatmap_and_the_sankey_show_the_same_cells(db):
    at = _app()
    heat = _chart(at, "Tier migration: customers")
    assert "Snapshots 2026-08-31 → 2026-09-30 · Head office · Rules:" in heat["layout"]["title"]["text"]
    trace = heat["data"][0]
    assert trace["y"] == [
        "New",
        "Mass",
        "Emerging",
        "Affluent",
        "High net worth",
        "Private banking",
        "Below scale",
    ]
    assert trace["x"][-1] == "Closed"
    z = dict(
        ((r, c), v)
        for r, row in zip(trace["y"], _array(trace["z"]), strict=True)
        for c, v in zip(trace["x"], row, strict=True)
    )
    assert z[("Private banking", "Closed")] == 1 and z[("Affluent", "High net worth")] == 1
    assert sum(sum(row) for row in _array(trace["z"])) == 9  # 8 at D1 and the new E
    sankey = _chart(at, "Customer flows between tiers")["data"][0]
    labels = sankey["node"]["label"]
    flows = {
        (labels[s].split(" · ")[0], labels[t].split(" · ")[0]): v
        for s, t, v in zip(
            _array(sankey["link"]["source"]),
            _array(sankey["link"]["target"]),
            _array(sankey["link"]["value"]),
            strict=True,
        )
    }
    assert flows == {
        k: 1
        for k in [
            ("New", "Emerging"),
            ("Mass", "Mass"),
            ("Mass", "Below scale"),
            ("Emerging", "Affluent"),
            ("Affluent", "Emerging"),
            ("Affluent", "High net worth"),
            ("High net worth", "Affluent"),
            ("Private banking", "High net worth"),
            ("Private banking", "Closed"),
        ]
    }


def test_row_shares_and_aum_from_the_url(db):
    at = _app(show="share")
    assert at.segmented_control(key="show").value == "share"
    shares = _table(at, "From \\ to").set_index("From \\ to")
    assert shares.loc["Affluent", "Emerging"] == 50.0 and shares.loc["Affluent", "High net worth"] == 50.0
    assert shares.loc["Private banking", "Closed"] == 50.0
    assert shares.loc["New", "Emerging"] == 100.0
    assert list(shares["Customers"]) == [1, 2, 1, 2, 1, 2, 0]
    assert _chart(at, "Tier migration: share of each origin row")
    assert dict(at.query_params) == {"show": "share"}

    at = _app(show="aum")
    aum = _table(at, "From \\ to (CNY M)").set_index("From \\ to (CNY M)")
    assert aum.loc["Private banking", "Closed"] == 6.0  # C's AUM at D1
    assert aum.loc["Private banking", "High net worth"] == 8.0  # K's AUM at D1
    assert aum.loc["New", "Emerging"] == 0.1  # E's 60,000 at D2: new customers held nothing before
    assert any(c.startswith("AUM carried:") for c in _captions(at))
    at = _app(show="nonsense")
    assert at.segmented_control(key="show").value == "counts"
    assert "show" not in at.query_params


def test_an_earlier_pair_from_the_url(db):
    at = _app(**{"from": "2026-07-31", "to": "2026-08-31"})
    assert at.selectbox(key="from").value == "2026-07-31"
    assert at.selectbox(key="to").value == "2026-08-31"
    assert at.selectbox(key="from").options == ["2026-07-31"]  # only snapshots before "to"
    metrics = _metrics(at)
    assert metrics["Stable rate"] == "88.9%" and metrics["Closure rate"] == "11.1%"  # 8 of 9; Z closed
    assert metrics["Upgrade rate"] == "0.0%"
    assert _table(at, "From \\ to").set_index("From \\ to").loc["Mass", "Closed"] == 1
    assert dict(at.query_params) == {"to": "2026-08-31"}  # "from" is the default before that "to"
    at = _app(**{"from": "2026-07-31"})  # D0 -> D2 (two months)
    assert _metrics(at)["Closure rate"] == "22.2%"  # C and Z of the 9 at D0
    assert dict(at.query_params) == {"from": "2026-07-31"}


def test_bad_snapshots_in_the_url_fall_back(db):
    at = _app(**{"from": "2026-09-30", "to": "1999-01-31"})  # "from" not before "to"; "to" not loaded
    assert at.selectbox(key="to").value == "2026-09-30"
    assert at.selectbox(key="from").value == "2026-08-31"
    assert dict(at.query_params) == {}


def test_the_year_on_year_button_says_when_there_is_no_year_ago(db):
    at = _app()
    button = at.button(key="mig_yoy")
    assert button.label == "Year on year"
    assert button.disabled
    assert button.help == "The snapshot of 2025-09 (a year earlier) is not loaded."


# -- where it happens -------------------------------------------------------------------------


def test_the_unit_league(db):
    at = _app()
    league = _table(at, "Region")
    assert list(league["Region"]) == ["R2", "R1"]  # most net upgrades first
    r1 = league.set_index("Region").loc["R1"]
    assert r1["Customers at the earlier snapshot"] == 5  # A B C F K
    assert (r1["Upgrades"], r1["Downgrades"], r1["Net upgrades"], r1["Closed"]) == (1, 3, -2, 1)
    assert r1["High-tier losses"] == 2  # B and C
    assert r1["AUM lost (CNY M)"] == 7.2  # 1.2M + 6M at D1
    assert r1["Downgrade rate"] == pytest.approx(60.0)
    r2 = league.set_index("Region").loc["R2"]
    assert (r2["Customers at the earlier snapshot"], r2["Net upgrades"], r2["New"]) == (3, 1, 1)
    net = _chart(at, "Net upgrades by region")["data"][0]
    assert net["y"] == ["R1", "R2"] and _array(net["x"]) == [-2, 1]  # plotly lists categories bottom-up
    assert [p[0] for p in net["customdata"]] == ["R1", "R2"]  # the name a click drills into
    losses = _chart(at, "High-tier losses by region")["data"][0]
    assert losses["y"] == ["R1"] and _array(losses["x"]) == [2]
    # one level down in a region: branches
    at = _app(region="R1")
    branches = _table(at, "Branch").set_index("Branch")
    assert list(branches.index) == ["B2", "B1"]  # B2: C closed, net 0; B1: A up, B F K down, net -2
    assert list(branches["Net upgrades"]) == [0, -2]
    assert list(branches["High-tier losses"]) == [1, 1]  # C in B2, B in B1


# -- high-tier losses and their CSV -----------------------------------------------------------


def test_high_tier_losses_and_their_csv(db, deferred):
    at = _app()
    listed = _table(at, "Customer ID")
    assert list(listed["Customer ID"]) == ["C", "B"]  # largest previous AUM first; K is not a loss
    assert list(listed["Customer name"]) == ["=cmd", "Customer B"]  # on screen as it is
    assert list(listed["Tier at 2026-08-31"]) == ["Private banking", "High net worth"]
    assert list(listed["At 2026-09-30"]) == ["Closed", "Affluent"]
    assert list(listed["AUM at 2026-08-31 (CNY M)"]) == [6.0, 1.2]
    assert list(listed["AUM at 2026-09-30 (CNY M)"]) == [0.0, 0.9]
    assert list(listed["Branch"]) == ["B2", "B1"] and list(listed["Relationship manager"]) == ["M3", "M2"]
    assert any(c.startswith("2 customers were high net worth or private") for c in _captions(at))
    (csv_button,) = [b for b in at.get("download_button") if b.proto.id.endswith("-mig_losses_csv")]
    assert csv_button.proto.label == "Download the list (CSV)"
    data, name = download(at, "mig_losses_csv", deferred)
    assert name == "high_tier_losses_2026-08-31_2026-09-30.csv"
    assert data.startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    text = data.decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text
    frame = pd.read_csv(io.StringIO(text), dtype={"Customer ID": str})
    assert list(frame["Customer ID"]) == ["C", "B"]
    assert list(frame["Customer name"]) == ["'=cmd", "Customer B"]
    assert list(frame["AUM at 2026-08-31 (CNY)"]) == [6_000_000.0, 1_200_000.0]  # numbers stay numbers
    assert list(frame["AUM at 2026-09-30 (CNY)"]) == [0.0, 900_000.0]
    assert list(frame["Branch"]) == ["B2", "B1"]
    # The same list in Excel: the formula-like name kept as text, numbers as numbers
    data, name = download(at, "ex_mig_losses_xlsx", deferred)
    assert name == "high_tier_losses_2026-08-31_2026-09-30.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Customer ID", "Customer name")
    assert [r[:2] for r in rows[1:]] == [("C", "=cmd"), ("B", "Customer B")]
    assert sheet["B2"].quotePrefix and sheet["B2"].data_type == "s"  # text, never a formula
    assert [r[4] for r in rows[1:]] == [6_000_000, 1_200_000]


def test_no_losses_is_a_caption(db):
    at = _app(region="R2")
    assert (
        "No customer who was high net worth or private at the earlier snapshot is now lower or closed."
        in (_captions(at))
    )
    assert not [k for k in download_keys(at) if k.startswith(("mig_losses", "ex_mig_losses"))]


def test_safe_csv_neutralises_formula_text_only():
    assert [neutralise(v) for v in ("=1+1", "+86 138", "-x", "@SUM(A1)", "\tx", "\rx", "ok", "")] == [
        "'=1+1",
        "'+86 138",
        "'-x",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
        "",
    ]
    assert neutralise(-5.0) == -5.0 and neutralise(None) is None
    frame = pd.DataFrame({"name": ["=cmd", "Ann"], "aum": [-1.5, 2.0], "=hdr": ["a", "b"]})
    text = safe_csv(frame).decode("utf-8-sig")
    assert text.splitlines() == ["name,aum,'=hdr", "'=cmd,-1.5,a", "Ann,2.0,b"]


# -- over many months -------------------------------------------------------------------------


def test_the_average_matrix_over_the_window(db):
    at = _app()
    assert at.number_input(key="window").value == 12
    assert at.number_input(key="horizon").value == 3
    # the window holds D0, D1, D2: two monthly steps
    assert any(
        c.startswith("Average monthly matrix over 2 monthly steps (2026-07-31 → 2026-09-30)")
        for c in _captions(at)
    )
    cells = _table(at, "From").set_index(["From", "To"])
    # emerging: A at D0 and at D1 (2 customer-months); stayed once, moved up once
    assert cells.loc[("Emerging", "Affluent"), "Moves"] == 1
    assert cells.loc[("Emerging", "Affluent"), "customer-months"] == 2
    assert cells.loc[("Emerging", "Affluent"), "Monthly probability"] == pytest.approx(50.0)
    low, high = proportion_confint(1, 2, alpha=0.05, method="wilson")
    assert cells.loc[("Emerging", "Affluent"), "Lower limit"] == pytest.approx(low * 100)
    assert cells.loc[("Emerging", "Affluent"), "Upper limit"] == pytest.approx(high * 100)
    # mass: D, H, Z at D0 and D, H at D1 = 5 customer-months; D twice and H once stay, Z closes, H leaves
    assert cells.loc[("Mass", "Mass"), "Moves"] == 3 and cells.loc[("Mass", "Mass"), "customer-months"] == 5
    assert cells.loc[("Mass", "Closed"), "Monthly probability"] == pytest.approx(20.0)
    heat = _chart(at, "Average monthly transition probabilities")
    assert "95% Wilson score intervals per cell" in heat["layout"]["title"]["text"]
    assert "2 monthly steps 2026-07-31 → 2026-09-30" in heat["layout"]["title"]["text"]
    assert _chart(at, "Projected tier mix (Markov, with new customers)")
    stationary = _chart(at, "Tier mix now and where it tends")
    assert "Method:" in stationary["layout"]["title"]["text"]


def test_window_and_horizon_from_the_url(db):
    at = _app(window="1", horizon="1")
    assert at.number_input(key="window").value == 1 and at.number_input(key="horizon").value == 1
    assert any(
        c.startswith("Average monthly matrix over 1 monthly steps (2026-08-31 → 2026-09-30)")
        for c in _captions(at)
    )
    # backtest from D1 (estimated from D0 -> D1, where only Z moved), compared with D2
    bt = _chart(at, "Backtest: projected vs actual tier shares, 1 months ahead")
    assert (
        "Projected from 2026-08-31, compared with 2026-09-30: mean absolute error"
        in bt["layout"]["title"]["text"]
    )
    table = _table(at, "Tier").set_index("Tier")
    assert table.loc["High net worth", "Actual"] == 2  # G and K at D2
    assert table.loc["Below scale", "Actual"] == 1  # H
    assert dict(at.query_params) == {"window": "1", "horizon": "1"}
    # horizon 2: origin D0 has no earlier snapshot to estimate from
    at = _app(horizon="2")
    assert any(i.startswith("No snapshot 2 months before 2026-09-30") for i in _infos(at))
    at = _app(window="0", horizon="99")  # out of range: the defaults
    assert at.number_input(key="window").value == 12 and at.number_input(key="horizon").value == 3
    assert "window" not in at.query_params and "horizon" not in at.query_params


def test_default_horizon_without_history_is_a_message(db):
    at = _app()
    assert any(i.startswith("No snapshot 3 months before 2026-09-30") for i in _infos(at))


def test_window_helpers():
    snaps = [dt.date(2025, m, 28) for m in range(1, 13)] + [dt.date(2026, 1, 31)]
    assert window_dates(snaps, dt.date(2026, 1, 31), 12) == tuple(snaps)  # Jan 2025 .. Jan 2026
    assert window_dates(snaps, dt.date(2026, 1, 31), 2) == tuple(snaps[-3:])
    assert window_dates(snaps, dt.date(2025, 6, 28), 1) == (dt.date(2025, 5, 28), dt.date(2025, 6, 28))
    assert backtest_origin(snaps, dt.date(2026, 1, 31), 3) == dt.date(2025, 10, 28)
    assert backtest_origin(snaps, dt.date(2025, 3, 28), 2) is None  # January has nothing earlier
    assert backtest_origin(snaps, dt.date(2025, 3, 28), 12) is None  # not loaded


# -- languages, empty views ---------------------------------------------------------------------


def test_chinese(db):
    at = _app(lang="zh")
    assert at.title[0].value == "层级迁移"
    assert _metrics(at) == {
        "升级率": "25.0%",
        "保持率": "12.5%",
        "降级率": "37.5%",
        "重新归类": "12.5%",
        "流失率": "12.5%",
    }
    matrix = _table(at, "起始 \\ 去向").set_index("起始 \\ 去向")
    assert matrix.loc["私人银行客户", "流失"] == 1 and matrix.loc["新增", "潜力客户"] == 1
    heat = _chart(at, "层级迁移：客户数")["data"][0]
    assert heat["y"][0] == "新增" and heat["x"][-1] == "流失"
    listed = _table(at, "客户号") if any(d.value.columns[0] == "客户号" for d in at.dataframe) else None
    assert listed is not None and list(listed.iloc[:, 0]) == ["C", "B"]
    assert at.button(key="mig_yoy").label == "同比"
    assert [s.value for s in at.subheader][0] == "迁移矩阵"


def test_one_snapshot_only(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, [r for r in ROWS if r["snapshot_date"] == D2])
    at = _app()
    assert _infos(at) == [
        "Migration compares two snapshots, and only one is loaded (2026-09-30). Load another month on the "
        "Data page to see who moved between tiers."
    ]
    assert len(at.get("plotly_chart")) == 0
    at = _app(lang="zh")
    assert _infos(at)[0].startswith("层级迁移需要比较两个数据日期")


def test_empty_selection(db):
    at = _app(segment="institution")  # no institutions in this database
    assert _infos(at) == ["No customers match this selection. Widen the filters in the sidebar."]
    assert len(at.get("plotly_chart")) == 0
    at = _app(segment="institution", lang="zh")
    assert _infos(at) == ["当前筛选条件下没有客户，请在侧边栏放宽筛选。"]


def test_empty_database_offers_the_demo(tmp_path, monkeypatch):
    _database(tmp_path, monkeypatch, [], name="empty.duckdb")
    at = _app()
    assert "No portfolio data yet" in at.info[0].value
    assert at.button(key="build_demo").label == "Build the demo portfolio"


def test_page_url_leaves_defaults_out(db):
    from analytics.rules import load_rules
    from analytics.scope import Filters
    from ui.sidebar import ViewContext

    ctx = ViewContext(
        "en", "db", "v", D2, (D0, D1, D2), load_rules(REPO / "data" / "tier_rules.toml"), Filters()
    )
    assert page_url(ctx, (D1, D2), show="counts", window=12, horizon=3) == {
        "from": None,
        "to": None,
        "show": None,
        "window": None,
        "horizon": None,
    }
    assert page_url(ctx, (D0, D1), show="aum", window=6, horizon=1) == {
        "from": None,
        "to": "2026-08-31",
        "show": "aum",
        "window": "6",
        "horizon": "1",
    }
    assert page_url(ctx, (D0, D2))["from"] == "2026-07-31"


# -- the demo portfolio -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from analytics.demo import build_demo

    path = tmp_path_factory.mktemp("migration") / "demo.duckdb"
    s = Store(path)
    build_demo(s, customers=2000, months=13, seed=7, end=dt.date(2026, 10, 31))
    s.close()
    return path


def test_the_page_on_the_demo_portfolio(demo_db, monkeypatch):
    monkeypatch.setenv("TIERSCOPE_DB", str(demo_db))
    at = _app()
    assert at.selectbox(key="to").value == "2026-10-31" and at.selectbox(key="from").value == "2026-09-30"
    button = at.button(key="mig_yoy")
    assert not button.disabled  # 2025-10-31 is loaded
    assert button.help == "Compare with 2025-10-31, the same month a year earlier."
    assert (
        len(at.get("plotly_chart")) == 8
    )  # matrix, Sankey, two league charts, average, projection, stationary, backtest
    assert not _infos(at)
    started = time.perf_counter()
    at.run()  # a warm rerun: every result and figure cached
    warm = time.perf_counter() - started
    assert not at.exception
    print(f"warm rerun of the migration page on the demo: {warm:.2f} s")
    # what the year-on-year button sets, opened as a link; then a region and Chinese
    at = _app(**{"from": "2025-10-31"})
    assert at.selectbox(key="from").value == "2025-10-31"
    assert at.button(key="mig_yoy").disabled  # already year on year
    assert (
        "Snapshots 2025-10-31 → 2026-10-31"
        in _chart(at, "Tier migration: customers")["layout"]["title"]["text"]
    )
    assert dict(at.query_params) == {"from": "2025-10-31"}
    region = at.sidebar.selectbox[1].options[1]
    at = _app(region=region, lang="zh", show="aum", window="6", horizon="12")
    assert not at.exception


def test_a_tuner_scenario_from_the_sidebar_applies_to_both_snapshots(db, tmp_path, monkeypatch):
    """``?scenario=retail.affluent:250000``: affluent from 250,000 at both snapshots.

    D1 -> D2 then: A 100,000 emerging -> 250,000 affluent (upgrade, exactly on the new bar);
    F 200,000 -> 199,999.99 is emerging at both (stable, a downgrade under the file's rules);
    G affluent -> hnw (upgrade); B hnw -> affluent and K private -> hnw (downgrades); D stable;
    H reclassified; C closed. 8 at D1: 2 upgrades, 2 stable, 2 downgrades, 1 reclassified, 1 closed.
    """
    at = _app(scenario="retail.affluent:250000")
    assert at.selectbox(key="scenario").value == "retail.affluent:250000"
    assert _metrics(at) == {
        "Upgrade rate": "25.0%",
        "Stable rate": "25.0%",
        "Downgrade rate": "25.0%",
        "Reclassified": "12.5%",
        "Closure rate": "12.5%",
    }
    # a crafted scenario is refused whole: the file's rules, and a warning that says why
    at = AppTest.from_file(str(REPO / "dashboard.py"), default_timeout=90)
    at.query_params.update({"scenario": "standards.contacts_per_month:0"})
    at.switch_page("pages/migration.py")
    at.run()
    assert not at.exception
    assert any("cannot be tuned" in w.value for w in at.warning)
    assert _metrics(at)["Downgrade rate"] == "37.5%"
