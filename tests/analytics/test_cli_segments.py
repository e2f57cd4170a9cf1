"""The ``segments`` command: its JSON on a hand-made portfolio, and against an independent
computation in plain pandas/numpy on the demo portfolio and on a real file."""

from __future__ import annotations

import calendar
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from analytics.demo import build_demo
from analytics.rules import load_rules
from analytics.store import Store
from tests.analytics.test_cli import run
from tests.conftest import REALDATA, REPO, insert_rows

D = dt.date(2026, 9, 30)


def _customer(cid, profit, value, segment="retail", aum=1_000.0):
    return dict(
        snapshot_date=D,
        customer_id=cid,
        segment=segment,
        aum=aum,
        fee_income=profit,
        bank_value_score=value,
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "segments.duckdb"
    s = Store(path)
    insert_rows(
        s,
        "customers",
        [
            _customer("A", 100.0, 10.0),  # retail: exit
            _customer("B", 300.0, 30.0),  # retail: the median customer, important
            _customer("C", 500.0, 5.0),  # retail: quality
            _customer("K1", 50.0, 80.0, segment="corporate"),  # ordinary
            _customer("K2", 700.0, 60.0, segment="institution"),  # important
        ],
    )
    score = dict(industry_score=0.0, growth_score=0.0, influence_score=0.0)
    insert_rows(
        s,
        "prospects",
        [
            dict(snapshot_date=dt.date(2026, 8, 31), prospect_id="P1", **score, fit_score=10.0),
            dict(
                snapshot_date=dt.date(2026, 8, 31),
                prospect_id="P2",
                **dict(score, growth_score=100.0),
                fit_score=90.0,
            ),
            dict(
                snapshot_date=dt.date(2026, 8, 31),
                prospect_id="P3",
                segment="retail",
                **score,
                fit_score=50.0,
            ),
            dict(snapshot_date=dt.date(2026, 10, 31), prospect_id="P9", **score, fit_score=99.0),  # after D
        ],
    )
    s.close()
    return path


def test_segments_json_on_a_hand_made_portfolio(db):
    out = run("segments", "--json", db=db)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert json.loads(out.stdout) == {
        "snapshot_date": "2026-09-30",
        "segment": "all",
        "existing": {
            # profits 50, 100, 300, 500, 700 and values 5, 10, 30, 60, 80: medians 300 and 30
            "cut_points": {"profit_contribution": 300.0, "bank_value": 30.0},
            "counts": {"important": 2, "quality": 1, "ordinary": 1, "exit": 1},
            "value_source": "bank_value_score",
            "population": 5,
        },
        "target": {
            # the August prospects; potential values 0, 35 (0.35 x 100), 0 and fits 10, 90, 50
            "snapshot_date": "2026-08-31",
            "cut_points": {"potential_value": 0.0, "fit": 50.0},
            "counts": {"gold": 2, "potential": 1, "watch": 0, "general": 0},
            "population": 3,
        },
    }


def test_segments_corporate_means_every_non_retail_customer(db):
    payload = json.loads(run("segments", "--segment", "corporate", "--json", db=db).stdout)
    existing, target = payload["existing"], payload["target"]
    assert existing["population"] == 2  # K1 and K2
    assert existing["cut_points"] == {"profit_contribution": 375.0, "bank_value": 70.0}
    # K1 (profit 50, value 80) low profit, high value; K2 (700, 60) high profit, value below 70
    assert existing["counts"] == {"important": 0, "quality": 1, "ordinary": 1, "exit": 0}
    assert target["population"] == 2 and target["cut_points"] == {"potential_value": 17.5, "fit": 50.0}


def test_segments_text_and_errors(db):
    out = run("segments", db=db)
    assert out.returncode == 0
    assert "important" in out.stdout and "gold" in out.stdout and "300.00 (median)" in out.stdout
    out = run("segments", "--snapshot", "2019-01-31", "--json", db=db)
    assert out.returncode == 2 and out.stdout == ""
    assert "snapshot 2019-01-31 is not loaded" in out.stderr and "Traceback" not in out.stderr
    out = run("segments", "--segment", "vip", "--json", db=db)
    assert out.returncode == 2 and "invalid choice" in out.stderr


# -- an independent computation in plain pandas/numpy -------------------------------------


def _pct_rank(s: pd.Series) -> pd.Series:
    """(rank - 1) / (n - 1) among the present values, ties at the lowest rank; else 0.5."""
    n = s.notna().sum()
    if n <= 1:
        return pd.Series(0.5, index=s.index)
    return ((s.rank(method="min") - 1) / (n - 1)).fillna(0.5)


def _year_before(d: dt.date) -> dt.date:
    # month-end snapshots: the month end a year earlier (the demo's dates are all month ends)
    return dt.date(d.year - 1, d.month, calendar.monthrange(d.year - 1, d.month)[1])


def independent_existing(customers: pd.DataFrame, surveys: pd.DataFrame, date, rules) -> dict:
    """The existing-customer matrix of ``date``, straight from DESIGN.md and docs/segmentation.md."""
    cur = customers[customers["snapshot_date"] == date].copy()
    comps = ["ftp_loan_income", "ftp_deposit_income", "fee_income"]
    costs = ["capital_cost", "operating_cost", "credit_cost"]
    cur["profit"] = cur[comps].fillna(0).sum(axis=1) - cur[costs].fillna(0).sum(axis=1)
    if cur["bank_value_score"].notna().all():
        cur["value"] = cur["bank_value_score"]
        source = "bank_value_score"
    else:
        source = "composite"
        parts = {"product_coverage": cur["products_held"].astype(float)}
        parts["tenure"] = pd.Series(
            [np.nan if pd.isna(o) else (date - o).days for o in cur["open_date"]],
            index=cur.index,
            dtype=float,
        )
        activity = cur["contacts_month"].fillna(0) + cur["events_year"].fillna(0) / 12
        parts["activity"] = activity.where(cur["contacts_month"].notna() | cur["events_year"].notna())
        window = surveys[
            surveys["customer_id"].notna()
            & (surveys["survey_date"] > _year_before(date))
            & (surveys["survey_date"] <= date)
        ]
        sat = (window["score"] / window["scale_max"]).groupby(window["customer_id"]).mean()
        parts["satisfaction"] = cur["customer_id"].map(sat)
        earlier = sorted(d for d in customers["snapshot_date"].unique() if d < date)
        then = max((d for d in earlier if d <= _year_before(date)), default=earlier[0] if earlier else None)
        if then is None:
            parts["balance_growth"] = pd.Series(np.nan, index=cur.index)
        else:
            before = customers[customers["snapshot_date"] == then].set_index("customer_id")["aum"]
            aum_then = cur["customer_id"].map(before)
            parts["balance_growth"] = (cur["aum"] - aum_then) / np.maximum(aum_then, 1.0)
        total = 0.0
        for name, weight in rules.existing.bank_value_weights.items():
            total = total + weight * _pct_rank(parts[name])
        cur["value"] = np.round(total * 100, 6)
    p_cut, v_cut = float(np.median(cur["profit"])), float(np.median(cur["value"]))
    hp, hv = cur["profit"] >= p_cut, cur["value"] >= v_cut
    return {
        "cut_points": {"profit_contribution": p_cut, "bank_value": v_cut},
        "counts": {
            "important": int((hp & hv).sum()),
            "quality": int((hp & ~hv).sum()),
            "ordinary": int((~hp & hv).sum()),
            "exit": int((~hp & ~hv).sum()),
        },
        "value_source": source,
        "population": len(cur),
    }


def independent_target(prospects: pd.DataFrame, date, rules) -> dict:
    """The target matrix of the latest prospects snapshot on or before ``date``."""
    snap = max(d for d in prospects["snapshot_date"].unique() if d <= date)
    p = prospects[prospects["snapshot_date"] == snap]
    w = rules.target.potential_weights
    pv = np.round(
        w["industry"] * p["industry_score"]
        + w["growth"] * p["growth_score"]
        + w["influence"] * p["influence_score"],
        6,
    )
    pc, fc = float(np.median(pv)), float(np.median(p["fit_score"]))
    hp, hf = pv >= pc, p["fit_score"] >= fc
    return {
        "snapshot_date": snap.isoformat(),
        "cut_points": {"potential_value": pc, "fit": fc},
        "counts": {
            "gold": int((hp & hf).sum()),
            "potential": int((hp & ~hf).sum()),
            "watch": int((~hp & hf).sum()),
            "general": int((~hp & ~hf).sum()),
        },
        "population": len(p),
    }


def _read(path) -> dict[str, pd.DataFrame]:
    store = Store(path)  # read the rows, then close: DuckDB lets one process open the file
    frames = {
        t: store.raw().execute(f"SELECT * FROM {t}").df() for t in ("customers", "prospects", "surveys")
    }
    store.close()
    for frame in frames.values():
        for col in ("snapshot_date", "open_date", "survey_date"):
            if col in frame:
                frame[col] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[col]]
    return frames


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    store = Store(path)
    build_demo(store, customers=3000, months=13, seed=7, end=dt.date(2026, 10, 31))
    store.close()
    return path


def _approx(payload_part: dict, expected: dict) -> None:
    assert payload_part["counts"] == expected["counts"]
    assert payload_part["population"] == expected["population"]
    for key, value in expected["cut_points"].items():
        assert payload_part["cut_points"][key] == pytest.approx(value, rel=1e-12, abs=1e-9), key


@pytest.mark.parametrize(
    "segment, snapshot",
    [
        ("all", None),  # the latest, 2026-10-31: balance growth against 2025-10-31
        ("corporate", "2026-04-30"),  # no snapshot a year earlier: against the first, 2025-10-31
        ("retail", "2025-10-31"),  # the first snapshot: balance growth neutral
    ],
)
def test_segments_equal_an_independent_median_split_on_the_demo(demo_db, segment, snapshot):
    rules = load_rules()
    frames = _read(demo_db)
    customers, prospects = frames["customers"], frames["prospects"]
    if segment == "corporate":
        customers, prospects = (
            customers[customers["segment"] != "retail"],
            prospects[prospects["segment"] != "retail"],
        )
    elif segment == "retail":
        customers, prospects = (
            customers[customers["segment"] == "retail"],
            prospects[prospects["segment"] == "retail"],
        )
    date = dt.date.fromisoformat(snapshot) if snapshot else max(customers["snapshot_date"])
    existing = independent_existing(customers, frames["surveys"], date, rules)
    target = independent_target(prospects, date, rules)
    assert existing["value_source"] == "composite"  # the demo has no bank_value_score
    assert existing["population"] > 100 and target["population"] > 10

    args = ["segments", "--segment", segment, "--json"] + (["--snapshot", snapshot] if snapshot else [])
    out = run(*args, db=demo_db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert payload["snapshot_date"] == date.isoformat() and payload["segment"] == segment
    _approx(payload["existing"], existing)
    assert payload["existing"]["value_source"] == "composite"
    _approx(payload["target"], target)
    assert payload["target"]["snapshot_date"] == target["snapshot_date"]


def test_segments_on_the_real_churn_file(tmp_path):
    from analytics.load import load_files

    source = REALDATA / "bank_churn_records.csv"
    if not source.exists():
        pytest.skip(f"{source} is not present (shared/realdata sits beside the checkout)")
    db = tmp_path / "churn.duckdb"
    store = Store(db)
    load_files(
        store,
        "customers",
        [source],
        snapshot_date=dt.date(2024, 12, 31),
        mapping=REPO / "data" / "mappings" / "bank_churn_records.toml",
    )
    store.close()
    out = run("segments", "--json", db=db)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    existing = payload["existing"]
    assert existing["population"] == 10_000 and existing["value_source"] == "composite"
    assert sum(existing["counts"].values()) == 10_000
    assert all(v is not None for v in existing["cut_points"].values())
    frames = _read(db)
    _approx(
        existing,
        independent_existing(frames["customers"], frames["surveys"], dt.date(2024, 12, 31), load_rules()),
    )
    # no prospects are loaded: an empty target matrix, not an error
    assert payload["target"] == {
        "snapshot_date": None,
        "cut_points": {"potential_value": None, "fit": None},
        "counts": {"gold": 0, "potential": 0, "watch": 0, "general": 0},
        "population": 0,
    }
