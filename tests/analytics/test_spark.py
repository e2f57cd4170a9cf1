"""Portability: the tier computation runs unchanged on PySpark and gives DuckDB's numbers."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from analytics.rules import load_rules
from analytics.tiers import tier_summary, with_tiers
from tests.analytics import tier_fixture
from tests.conftest import insert_rows

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.fail("Java is needed for the PySpark test; `make test` installs it")
    ibis = pytest.importorskip("ibis")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("tierscope-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield ibis.pyspark.connect(session)
    session.stop()


def _to_spark(spark, store, name: str):
    # The way a lake would hold it: DuckDB writes Parquet, Spark reads it.
    path = store.path.with_name(f"{name}.parquet")
    store.raw().execute(f"COPY customers TO '{path}' (FORMAT parquet)")
    return spark.read_parquet(str(path), table_name=name)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_exact=False, rtol=1e-9
    )


def test_fixture_tiers_equal_on_spark(spark, store):
    rules = load_rules()
    insert_rows(store, "customers", tier_fixture.rows())
    remote = _to_spark(spark, store, "fixture_customers")
    got = dict(with_tiers(remote, rules).select("customer_id", "tier").to_pandas().itertuples(index=False))
    assert got == tier_fixture.expected_tiers()
    _same(
        tier_summary(remote, rules=rules, snapshot_date=tier_fixture.SNAPSHOT),
        tier_summary(store.table("customers"), rules=rules, snapshot_date=tier_fixture.SNAPSHOT),
    )


def test_demo_portfolio_tiers_equal_on_spark(spark, store):
    from analytics.demo import build_demo

    rules = load_rules()
    build_demo(store, customers=3000, months=2, seed=7)
    remote = _to_spark(spark, store, "demo_customers")
    for snapshot in store.snapshots()["snapshot_date"]:
        local = tier_summary(store.table("customers"), rules=rules, snapshot_date=snapshot)
        assert local["customers"].sum() > 2500
        _same(tier_summary(remote, rules=rules, snapshot_date=snapshot), local)
