"""Tests of the synthetic demo portfolio (analytics.demo).

Builds are small (a few thousand customers) so that the file runs in seconds; the
tier-leaf check uses a medium build (20,000 customers, two snapshots) because the rare
leaves (private, strategic, large) need a few thousand customers to appear.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from analytics.demo import DemoSummary, _scale, build_demo, default_end, snapshot_dates
from analytics.errors import TierscopeError
from analytics.rules import load_rules
from analytics.schema import MARKETS, MONEY, SEGMENTS, TABLES
from analytics.store import Store

END = date(2026, 10, 31)
LISTED = "('information_technology', 'scientific_research', 'culture_media', 'leasing_business_services')"
AFFLUENT_PLUS = "segment = 'retail' AND aum >= 200000"

#: The tier leaves of DESIGN.md as plain SQL conditions on the default rules.
LEAVES = {
    "mass": "segment = 'retail' AND aum < 50000",
    "emerging": "segment = 'retail' AND aum >= 50000 AND aum < 200000",
    "affluent": "segment = 'retail' AND aum >= 200000 AND aum < 1000000",
    "hnw": "segment = 'retail' AND aum >= 1000000 AND aum < 5000000",
    "private": "segment = 'retail' AND aum >= 5000000",
    "strategic": "segment = 'corporate' AND loan_balance > 0 AND market = 'traditional' AND strategic",
    "large": (
        "segment = 'corporate' AND loan_balance > 0 AND market = 'traditional' AND NOT strategic AND "
        f"annual_sales >= CASE WHEN industry IN {LISTED} THEN 150e6 ELSE 300e6 END"
    ),
    "medium": (
        "segment = 'corporate' AND loan_balance > 0 AND market = 'traditional' AND NOT strategic AND "
        f"annual_sales < CASE WHEN industry IN {LISTED} THEN 150e6 ELSE 300e6 END AND "
        "NOT (annual_sales < 20e6 AND coalesce(total_assets, 0) < 40e6)"
    ),
    "small": (
        "segment = 'corporate' AND loan_balance > 0 AND market = 'traditional' AND NOT strategic AND "
        "annual_sales < 20e6 AND coalesce(total_assets, 0) < 40e6"
    ),
    "emerging_market": "segment = 'corporate' AND loan_balance > 0 AND market = 'emerging'",
    "real_estate": "segment = 'corporate' AND loan_balance > 0 AND market = 'real_estate'",
    "institution": "segment = 'institution' AND loan_balance > 0",
    "above_scale": "segment = 'corporate' AND loan_balance = 0 AND deposit_avg_daily >= 500000",
    "below_scale": "segment = 'corporate' AND loan_balance = 0 AND deposit_avg_daily < 500000",
    "institution_no_loan": "segment = 'institution' AND loan_balance = 0",
}
RETAIL_TIER_SQL = "CASE WHEN aum >= 5e6 THEN 4 WHEN aum >= 1e6 THEN 3 WHEN aum >= 2e5 THEN 2 WHEN aum >= 5e4 THEN 1 ELSE 0 END"


def _build(path, **kwargs) -> tuple[Store, DemoSummary]:
    store = Store(path)
    kwargs.setdefault("end", END)
    return store, build_demo(store, **kwargs)


def _digests(store: Store) -> dict[str, str]:
    """An md5 of every table's rows in key order."""
    con = store.raw()
    out = {}
    for name, spec in TABLES.items():
        order = ", ".join(spec.key)
        out[name] = con.execute(
            f"SELECT md5(string_agg(CAST(t AS VARCHAR), '|' ORDER BY {order})) FROM {name} t"
        ).fetchone()[0]
    return out


def _q(store: Store, sql: str):
    return store.raw().execute(sql).fetchall()


def _one(store: Store, sql: str):
    return store.raw().execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    store, summary = _build(tmp_path_factory.mktemp("small") / "d.duckdb", customers=2000, months=6, seed=7)
    yield store, summary
    store.close()


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Thirteen snapshots (Oct 2025 - Oct 2026): a Spring Festival and a surge at the end."""
    store, summary = _build(tmp_path_factory.mktemp("year") / "d.duckdb", customers=20_000, months=13)
    yield store, summary
    store.close()


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    store, summary = _build(tmp_path_factory.mktemp("medium") / "d.duckdb", customers=20_000, months=2)
    yield store, summary
    store.close()


# -- determinism ----------------------------------------------------------------------------
def test_same_seed_gives_identical_tables_and_another_seed_does_not(small, tmp_path):
    store, summary = small
    again, summary2 = _build(tmp_path / "again.duckdb", customers=2000, months=6, seed=7)
    other, _ = _build(tmp_path / "other.duckdb", customers=2000, months=6, seed=8)
    try:
        first = _digests(store)
        assert _digests(again) == first
        assert summary2.counts == summary.counts
        assert summary2.surge_branch == summary.surge_branch
        assert summary2.low_service_branches == summary.low_service_branches
        different = _digests(other)
        assert all(different[name] != first[name] for name in TABLES)
    finally:
        again.close()
        other.close()


def test_rebuild_replaces_contents(tmp_path):
    store, _ = _build(tmp_path / "d.duckdb", customers=1000, months=2, seed=1)
    try:
        summary = build_demo(store, customers=500, months=3, seed=2, end=END)
        assert store.row_counts() == summary.counts
        assert len(store.snapshots()) == 3
        log = store.load_history()
        assert sorted(log["table_name"]) == sorted(TABLES)
        assert set(log["source"]) == {"demo"}
        assert dict(zip(log["table_name"], log["row_count"], strict=True)) == summary.counts
    finally:
        store.close()


def test_arguments_are_checked(tmp_path):
    store = Store(tmp_path / "d.duckdb")
    try:
        with pytest.raises(TierscopeError, match="month end"):
            build_demo(store, customers=500, months=2, end=date(2026, 10, 30))
        with pytest.raises(TierscopeError, match="customers"):
            build_demo(store, customers=10, months=2, end=END)
        with pytest.raises(TierscopeError, match="months"):
            build_demo(store, customers=500, months=0, end=END)
        assert store.is_empty()
    finally:
        store.close()


# -- dates, keys, types -----------------------------------------------------------------------
def test_snapshot_dates_are_month_ends(small):
    store, summary = small
    assert default_end(date(2026, 11, 25)) == date(2026, 10, 31)
    assert default_end(date(2026, 3, 1)) == date(2026, 2, 28)
    assert snapshot_dates(date(2026, 2, 28), 3) == (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28))
    assert summary.snapshots == (
        date(2026, 5, 31),
        date(2026, 6, 30),
        date(2026, 7, 31),
        date(2026, 8, 31),
        date(2026, 9, 30),
        date(2026, 10, 31),
    )
    for table in ("customers", "prospects"):
        dates = [r[0] for r in _q(store, f"SELECT DISTINCT snapshot_date FROM {table} ORDER BY 1")]
        assert tuple(dates) == summary.snapshots
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE open_date >= snapshot_date OR open_date IS NULL")
        == 0
    )
    for table, col in (("surveys", "survey_date"), ("complaints", "received_date")):
        lo, hi = _q(store, f"SELECT min({col}), max({col}) FROM {table}")[0]
        assert date(2026, 5, 1) <= lo and hi <= END


def test_keys_are_unique(small):
    store, _ = small
    for name, spec in TABLES.items():
        key = ", ".join(spec.key)
        total, distinct = _q(store, f"SELECT count(*), count(DISTINCT ({key})) FROM {name}")[0]
        assert total == distinct > 0, name


def test_values_fit_the_schema(small):
    store, _ = small
    for name, spec in TABLES.items():
        for col in spec.columns:
            if not col.nullable:
                assert _one(store, f'SELECT count(*) FROM {name} WHERE "{col.name}" IS NULL') == 0
            if col.kind == MONEY:
                assert _one(store, f'SELECT count(*) FROM {name} WHERE "{col.name}" < 0') == 0, col.name
                assert _one(store, f'SELECT count(*) FROM {name} WHERE isnan("{col.name}")') == 0, col.name
    assert {r[0] for r in _q(store, "SELECT DISTINCT segment FROM customers")} == set(SEGMENTS)
    markets = {r[0] for r in _q(store, "SELECT DISTINCT market FROM customers WHERE segment <> 'retail'")}
    assert markets == set(MARKETS)
    assert _one(store, "SELECT count(*) FROM customers WHERE segment = 'retail' AND market IS NOT NULL") == 0
    assert _one(store, "SELECT count(*) FROM customers WHERE bank_value_score IS NOT NULL") == 0


def test_customer_ids_are_text_with_leading_zeros(small):
    store, _ = small
    rows = dict(
        _q(
            store,
            "SELECT segment, list(DISTINCT length(customer_id)) FROM customers GROUP BY segment",
        )
    )
    assert rows == {"retail": [9], "corporate": [10], "institution": [18]}
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE segment = 'retail' AND customer_id NOT LIKE 'R%'")
        == 0
    )
    assert _one(store, "SELECT count(*) FROM customers WHERE customer_id LIKE '00%'") > 0
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE customer_name IS NULL OR customer_name = ''") == 0
    )


# -- organisation ---------------------------------------------------------------------------
def test_organisation_scales_with_size(small, medium):
    assert _scale(105_000) == (12, 120, 600)
    for store, summary in (small, medium):
        regions, branches, rms = _q(
            store,
            "SELECT count(DISTINCT region), count(DISTINCT branch), count(DISTINCT rm_id) FROM customers",
        )[0]
        assert (regions, branches, rms) == (summary.regions, summary.branches, summary.relationship_managers)
        assert regions >= 2 and branches >= 3 and rms >= 2 * branches
        # Every RM works in one branch, every branch in one region.
        assert (
            _one(store, "SELECT max(n) FROM (SELECT count(DISTINCT branch) n FROM customers GROUP BY rm_id)")
            == 1
        )
        assert (
            _one(store, "SELECT max(n) FROM (SELECT count(DISTINCT region) n FROM customers GROUP BY branch)")
            == 1
        )
    assert medium[1].branches > small[1].branches


# -- tiers and movement -----------------------------------------------------------------------
def test_every_tier_leaf_occurs(medium):
    store, summary = medium
    last = summary.snapshots[-1]
    counts = {
        leaf: _one(store, f"SELECT count(*) FROM customers WHERE snapshot_date = '{last}' AND {cond}")
        for leaf, cond in LEAVES.items()
    }
    assert all(n > 0 for n in counts.values()), counts
    total = _one(store, f"SELECT count(*) FROM customers WHERE snapshot_date = '{last}'")
    assert sum(counts.values()) == total  # the leaves partition the portfolio
    assert 19_000 <= total <= 21_000
    retail = sum(counts[t] for t in ("mass", "emerging", "affluent", "hnw", "private"))
    assert 0.94 <= retail / total <= 0.96
    assert counts["mass"] > counts["emerging"] > counts["affluent"] > counts["hnw"] > counts["private"]
    assert 0.001 <= counts["private"] / retail <= 0.01
    assert 3 <= counts["strategic"] <= 20


def test_customers_upgrade_downgrade_close_and_arrive(year):
    store, summary = year
    rows = _q(
        store,
        f"""
        WITH r AS (SELECT snapshot_date d, customer_id, {RETAIL_TIER_SQL} tier FROM customers
                   WHERE segment = 'retail')
        SELECT a.d,
               count(a.customer_id) FILTER (WHERE b.customer_id IS NULL) closed,
               count(*) FILTER (WHERE b.tier > a.tier) up,
               count(*) FILTER (WHERE b.tier < a.tier) down,
               (SELECT count(*) FROM r n WHERE n.d = last_day(a.d + INTERVAL 1 MONTH)
                  AND n.customer_id NOT IN (SELECT customer_id FROM r o WHERE o.d = a.d)) new,
               count(*) n
        FROM r a LEFT JOIN r b ON b.customer_id = a.customer_id AND b.d = last_day(a.d + INTERVAL 1 MONTH)
        WHERE a.d < '{summary.snapshots[-1]}'
        GROUP BY a.d ORDER BY a.d
        """,
    )
    assert len(rows) == len(summary.snapshots) - 1
    for _, closed, up, down, new, n in rows:
        assert closed > 0 and up > 0 and down > 0 and new > 0
        assert 0.002 <= closed / n <= 0.015  # churn about 0.5-1 % a month
        assert 0.005 <= (up + down) / n <= 0.08
    # Corporate customers move too: between with and without loans, and across the scale line.
    moves = _one(
        store,
        """
        WITH c AS (SELECT snapshot_date d, customer_id, loan_balance > 0 loan, deposit_avg_daily >= 500000 big
                   FROM customers WHERE segment <> 'retail')
        SELECT count(*) FROM c a JOIN c b ON a.customer_id = b.customer_id
          AND b.d = last_day(a.d + INTERVAL 1 MONTH) AND (a.loan <> b.loan OR a.big <> b.big)
        """,
    )
    assert moves > 0


# -- money -------------------------------------------------------------------------------------
def test_profit_components_are_consistent(year):
    store, _ = year
    stats = _q(
        store,
        """
        SELECT count(*) FILTER (WHERE isnan(ftp_loan_income + ftp_deposit_income + fee_income
                                           - capital_cost - operating_cost - credit_cost)),
               min(least(capital_cost, operating_cost, credit_cost)),
               count(*) FILTER (WHERE loan_balance = 0 AND (ftp_loan_income <> 0 OR capital_cost <> 0
                                                             OR credit_cost <> 0)),
               avg(ftp_loan_income / loan_balance) FILTER (WHERE loan_balance > 0),
               avg(capital_cost / loan_balance) FILTER (WHERE loan_balance > 0),
               avg((ftp_loan_income + ftp_deposit_income + fee_income - capital_cost - operating_cost
                    - credit_cost < 0)::INT),
               min(operating_cost)
        FROM customers
        """,
    )[0]
    nan, min_cost, loan_free_income, loan_yield, capital_rate, loss_share, min_operating = stats
    assert nan == 0 and min_cost >= 0 and loan_free_income == 0
    assert 0.01 <= loan_yield <= 0.03  # annual FTP spread on loans
    assert 0.004 <= capital_rate <= 0.012
    assert 0.05 <= loss_share <= 0.5  # some customers are loss-making, most are not
    assert min_operating > 0
    # Richer tiers earn more.
    profit = _q(
        store,
        f"""SELECT {RETAIL_TIER_SQL} t, avg(ftp_loan_income + ftp_deposit_income + fee_income - capital_cost
                 - operating_cost - credit_cost), avg(products_held)
            FROM customers WHERE segment = 'retail' GROUP BY t ORDER BY t""",
    )
    assert [r[0] for r in profit] == [0, 1, 2, 3, 4]
    assert all(a[1] < b[1] and a[2] < b[2] for a, b in zip(profit, profit[1:], strict=False))


def test_balances_are_plausible(year):
    store, _ = year
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE segment = 'retail' AND deposit_balance > aum") == 0
    )
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE segment <> 'retail' AND deposit_balance > aum") == 0
    )
    lo, hi, null_corp = _q(
        store,
        "SELECT min(age) FILTER (WHERE segment = 'retail'), max(age) FILTER (WHERE segment = 'retail'),"
        " count(age) FILTER (WHERE segment <> 'retail') FROM customers",
    )[0]
    assert lo >= 18 and hi <= 100 and null_corp == 0
    lo, hi = _q(store, "SELECT min(products_held), max(products_held) FROM customers")[0]
    assert lo == 1 and 7 <= hi <= 10
    # Corporate deposits straddle the 500k above-scale line.
    above = _one(
        store, "SELECT avg((deposit_avg_daily >= 500000)::INT) FROM customers WHERE segment = 'corporate'"
    )
    assert 0.25 <= above <= 0.75
    assert (
        _one(store, "SELECT count(*) FROM customers WHERE segment <> 'retail' AND annual_sales IS NULL") == 0
    )


# -- complaints --------------------------------------------------------------------------------
def test_complaints_peak_at_spring_festival(year):
    store, summary = year
    # Monthly counts outside the surge branch, so that only the season shows.
    monthly = dict(
        _q(
            store,
            f"""SELECT strftime(received_date, '%m'), count(*) FROM complaints
                WHERE branch <> '{summary.surge_branch}' AND received_date > '{summary.snapshots[0]}'
                GROUP BY ALL""",
        )
    )
    assert len(monthly) == 12
    mean = sum(monthly.values()) / 12
    assert monthly["01"] > mean and monthly["02"] > mean
    assert (monthly["01"] + monthly["02"]) / 2 > 1.15 * mean
    per_customer = _one(store, "SELECT (SELECT count(*) FROM complaints) / (SELECT count(*) FROM customers)")
    assert 0.003 <= per_customer <= 0.006


def test_one_branch_has_a_complaint_surge_at_the_end(year):
    store, summary = year
    cut = summary.snapshots[-4].replace(day=1)
    # Complaints a month in the last four months against the nine months before.
    rows = _q(
        store,
        f"""
        SELECT branch, count(*) FILTER (WHERE received_date >= '{cut}') / 4.0 after,
               count(*) FILTER (WHERE received_date < '{cut}') / 9.0 before
        FROM complaints GROUP BY branch ORDER BY after - before DESC
        """,
    )
    (top, after, before), (_, after2, before2) = rows[0], rows[1]
    assert top == summary.surge_branch
    assert after > 2.5 * before and after - before > 2 * (after2 - before2)


def test_complaints_are_resolved_mostly_within_15_days(year):
    store, summary = year
    within, bad_order, open_bad, open_count, first_open = _q(
        store,
        """
        SELECT avg((resolved_date - received_date <= 15)::INT) FILTER (WHERE status = 'resolved'),
               count(*) FILTER (WHERE resolved_date <= received_date),
               count(*) FILTER (WHERE (status = 'open') <> (resolved_date IS NULL)),
               count(*) FILTER (WHERE status = 'open'),
               min(received_date) FILTER (WHERE status = 'open')
        FROM complaints
        """,
    )[0]
    assert within >= 0.8 and bad_order == 0 and open_bad == 0
    assert open_count > 0 and first_open >= summary.snapshots[-4]
    assert _one(store, "SELECT max(resolved_date) FROM complaints") <= summary.snapshots[-1]
    categories = {r[0] for r in _q(store, "SELECT DISTINCT category FROM complaints")}
    assert {"fees", "wait_time", "wealth_mis_selling", "loan_process"} <= categories
    channels = {r[0] for r in _q(store, "SELECT DISTINCT channel FROM complaints")}
    assert "regulator_12378" in channels


# -- service standards ---------------------------------------------------------------------------
def test_service_standards_met_in_some_branches_and_missed_in_others(year):
    store, summary = year
    last = summary.snapshots[-1]
    # Per branch with enough affluent+ customers to judge, the share of them that get each
    # service of the standards.
    rows = _q(
        store,
        f"""
        SELECT branch, avg((contacts_month >= 2)::INT), avg((events_year >= 2)::INT),
               avg((has_wealth_card AND has_credit_card AND has_online_token)::INT),
               avg(has_profile::INT)
        FROM customers WHERE snapshot_date = '{last}' AND {AFFLUENT_PLUS}
        GROUP BY branch HAVING count(*) >= 20
        """,
    )
    met = {
        b
        for b, contacts, events, keys, profile in rows
        if contacts == events == 1 and keys >= 0.8 and profile >= 0.9
    }
    missed = {b for b, *shares in rows if sum(shares) / 4 < 0.75 and min(shares) < 0.6}
    assert met and missed and not met & missed
    assert met | missed == {r[0] for r in rows}
    assert missed == set(summary.low_service_branches) & {r[0] for r in rows}
    assert 0.2 <= len(missed) / len(rows) <= 0.45


def test_service_data_follows_the_rules(tmp_path):
    rules = load_rules().with_values({"standards.contacts_per_month": 4})
    store, summary = _build(tmp_path / "d.duckdb", customers=3000, months=1, rules=rules)
    try:
        low = "', '".join(summary.low_service_branches)
        assert (
            _one(
                store,
                f"SELECT min(contacts_month) FROM customers WHERE {AFFLUENT_PLUS} AND branch NOT IN ('{low}')",
            )
            == 4
        )
    finally:
        store.close()


# -- surveys and prospects ------------------------------------------------------------------------
def test_satisfaction_dips_and_recovers(year):
    store, summary = year
    scores = [
        r[1]
        for r in _q(
            store, "SELECT date_trunc('month', survey_date) m, avg(score) FROM surveys GROUP BY m ORDER BY m"
        )
    ]
    assert len(scores) == len(summary.snapshots)
    middle = sum(scores[5:8]) / 3
    edges = (scores[0] + scores[1] + scores[-2] + scores[-1]) / 4
    assert middle < edges - 0.5
    lo, hi, scale = _q(store, "SELECT min(score), max(score), min(scale_max) FROM surveys")[0]
    assert lo >= 0 and hi <= 10 and scale == 10


def test_complainants_score_lower(year):
    store, _ = year
    complainants, others = _q(
        store,
        """
        SELECT avg(score) FILTER (WHERE c.customer_id IS NOT NULL), avg(score) FILTER (WHERE c.customer_id IS NULL)
        FROM surveys s LEFT JOIN (SELECT DISTINCT customer_id, received_date FROM complaints) c
          ON c.customer_id = s.customer_id AND s.survey_date - c.received_date BETWEEN 0 AND 90
        WHERE s.customer_id IS NOT NULL
        """,
    )[0]
    assert complainants < others - 1.0


def test_prospects(year):
    store, summary = year
    per_snapshot = _q(store, "SELECT snapshot_date, count(*) FROM prospects GROUP BY ALL ORDER BY 1")
    assert [r[0] for r in per_snapshot] == list(summary.snapshots)
    assert all(540 <= n <= 680 for _, n in per_snapshot)  # about 3 % of 20,000 customers
    for col in ("industry_score", "growth_score", "influence_score", "fit_score"):
        lo, hi, sd = _q(store, f"SELECT min({col}), max({col}), stddev({col}) FROM prospects")[0]
        assert lo >= 0 and hi <= 100 and sd > 5, col
    assert _one(store, "SELECT min(estimated_aum) FROM prospects") > 0
    # Prospects persist from month to month; a few are replaced.
    kept = _one(
        store,
        f"""SELECT count(*) FROM prospects a JOIN prospects b USING (prospect_id)
            WHERE a.snapshot_date = '{summary.snapshots[0]}' AND b.snapshot_date = '{summary.snapshots[1]}'""",
    )
    assert 0.85 <= kept / per_snapshot[0][1] < 1.0


def test_summary_is_json_ready(small):
    _, summary = small
    data = summary.to_dict()
    assert data["rows"] == summary.counts
    assert data["snapshots"][-1] == "2026-10-31"
    assert math.isfinite(data["seconds"]) and data["seconds"] >= 0
