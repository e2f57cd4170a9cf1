"""Canonical tables, column types, header aliases and validation rules.

This module is the data contract of DESIGN.md in code. The loader maps every source
header onto a canonical column through :data:`ALIASES` (English and Chinese, matched
after NFKC normalisation, trimming and case folding) or a mapping file, then checks
each value against the column's :class:`Column` definition.

Kinds
-----
``id``        opaque text key; leading zeros survive, scientific notation is refused
``text``      free text
``category``  text restricted to ``allowed`` values (after value mapping)
``money``     CNY amount that cannot be negative (balances, costs)
``signed``    CNY amount that may be negative (net FTP income)
``number``    any real number (scores)
``int``       non-negative whole number (counts)
``bool``      true/false (1/0, yes/no, 是/否, Y/N)
``date``      calendar date, not in the future
``key``       integer surrogate key the store assigns (never read from a file)

Besides the canonical columns, which the loader reads from files, a table can have
*derived* columns that the store fills itself: ``customers.customer_key``, the integer
surrogate of ``customer_id`` kept in the ``customer_keys`` table (see
:data:`CUSTOMER_KEYS_SQL`). Files never supply them and the loader's mapping, validation
and preview do not know them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ID, TEXT, CATEGORY, MONEY, SIGNED, NUMBER, INT, BOOL, DATE, KEY = (
    "id",
    "text",
    "category",
    "money",
    "signed",
    "number",
    "int",
    "bool",
    "date",
    "key",
)

#: DuckDB type each kind is stored as.
SQL_TYPES = {
    ID: "VARCHAR",
    TEXT: "VARCHAR",
    CATEGORY: "VARCHAR",
    MONEY: "DOUBLE",
    SIGNED: "DOUBLE",
    NUMBER: "DOUBLE",
    INT: "INTEGER",
    BOOL: "BOOLEAN",
    DATE: "DATE",
    KEY: "BIGINT",
}


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : str
        Canonical name (the column in DuckDB).
    kind : str
        One of the kinds listed in the module docstring.
    required : bool
        A file without this column is refused.
    default : object
        Value used when an optional column is absent from the file (``None`` = NULL).
    allowed : tuple of str
        For ``category`` columns, the accepted canonical values.
    nullable : bool
        Whether an empty cell is accepted in a present column. Required columns are
        never nullable unless stated.
    """

    name: str
    kind: str
    required: bool = False
    default: object = None
    allowed: tuple[str, ...] = ()
    nullable: bool = True

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


SEGMENTS = ("retail", "corporate", "institution")
MARKETS = ("traditional", "emerging", "real_estate")

CUSTOMERS: tuple[Column, ...] = (
    Column("snapshot_date", DATE, required=True, nullable=False),
    Column("customer_id", ID, required=True, nullable=False),
    Column("customer_name", TEXT),
    Column("segment", CATEGORY, required=True, allowed=SEGMENTS, nullable=False),
    Column("region", TEXT, default="unassigned"),
    Column("branch", TEXT, default="unassigned"),
    Column("rm_id", TEXT, default="unassigned"),
    Column("aum", MONEY, required=True, nullable=False),
    Column("deposit_balance", MONEY, default=0.0),
    Column("deposit_avg_daily", MONEY, default=0.0),
    Column("loan_balance", MONEY, default=0.0),
    Column("annual_sales", MONEY),
    Column("total_assets", MONEY),
    Column("industry", TEXT),
    Column("market", CATEGORY, default="traditional", allowed=MARKETS),
    Column("strategic", BOOL, default=False),
    Column("products_held", INT, default=0),
    Column("has_wealth_card", BOOL, default=False),
    Column("has_credit_card", BOOL, default=False),
    Column("has_online_token", BOOL, default=False),
    Column("ftp_loan_income", SIGNED, default=0.0),
    Column("ftp_deposit_income", SIGNED, default=0.0),
    Column("fee_income", SIGNED, default=0.0),
    Column("capital_cost", MONEY, default=0.0),
    Column("operating_cost", MONEY, default=0.0),
    Column("credit_cost", MONEY, default=0.0),
    Column("bank_value_score", NUMBER),
    Column("has_profile", BOOL, default=False),
    Column("contacts_month", INT, default=0),
    Column("events_year", INT, default=0),
    Column("senior_visits_year", INT, default=0),
    Column("open_date", DATE),
    Column("age", INT),
)

#: The integer surrogate of ``customer_id`` on every customers row (a derived column: the
#: loader and the demo builder fill it from ``customer_keys``; NULL on rows written by
#: anything else, which the migration queries then do not join on).
CUSTOMER_KEY = Column("customer_key", KEY)

#: One row per customer id ever loaded into the database: its integer key. A new id gets
#: the next free key (in customer_id order within a load); a known id keeps its key for
#: good, through reloads and deletions of snapshots, so that the same customer has the same
#: key in every snapshot. Keys are never reused. Rebuilding the demo portfolio starts over.
CUSTOMER_KEYS_SQL = """
CREATE TABLE IF NOT EXISTS customer_keys (
  customer_id VARCHAR NOT NULL,
  customer_key BIGINT NOT NULL
)
"""

PROSPECTS: tuple[Column, ...] = (
    Column("snapshot_date", DATE, required=True, nullable=False),
    Column("prospect_id", ID, required=True, nullable=False),
    Column("prospect_name", TEXT),
    Column("segment", CATEGORY, default="corporate", allowed=SEGMENTS),
    Column("region", TEXT, default="unassigned"),
    Column("branch", TEXT, default="unassigned"),
    Column("rm_id", TEXT, default="unassigned"),
    Column("industry", TEXT),
    Column("industry_score", NUMBER, required=True, nullable=False),
    Column("growth_score", NUMBER, required=True, nullable=False),
    Column("influence_score", NUMBER, required=True, nullable=False),
    Column("fit_score", NUMBER, required=True, nullable=False),
    Column("estimated_aum", MONEY),
)

SURVEYS: tuple[Column, ...] = (
    Column("survey_id", ID, required=True, nullable=False),
    Column("survey_date", DATE, required=True, nullable=False),
    Column("customer_id", ID),
    Column("score", NUMBER, required=True, nullable=False),
    Column("scale_max", NUMBER, default=10.0),
    Column("channel", TEXT, default="unknown"),
    Column("region", TEXT),
    Column("branch", TEXT, default="unassigned"),
)

COMPLAINTS: tuple[Column, ...] = (
    Column("complaint_id", ID, required=True, nullable=False),
    Column("customer_id", ID),
    Column("received_date", DATE, required=True, nullable=False),
    Column("category", TEXT, default="other"),
    Column("channel", TEXT, default="unknown"),
    Column("region", TEXT),
    Column("branch", TEXT, default="unassigned"),
    Column("resolved_date", DATE),
    Column("status", CATEGORY, default="open", allowed=("open", "resolved")),
)


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its columns, key and how a load replaces earlier rows.

    Attributes
    ----------
    name : str
        Table name in DuckDB.
    columns : tuple of Column
        Canonical columns, in storage order.
    key : tuple of str
        Columns that identify a row; a file with duplicate keys is refused.
    snapshot_column : str or None
        For snapshot tables, the month-end date column: loading a snapshot that
        exists replaces all its rows. For event tables (``None``), rows whose key
        exists are replaced.
    derived : tuple of Column
        Columns the store fills itself, stored after :attr:`columns` (see the module
        docstring); not in :attr:`names`.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    snapshot_column: str | None
    derived: tuple[Column, ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


TABLES: dict[str, TableSpec] = {
    "customers": TableSpec(
        "customers", CUSTOMERS, ("snapshot_date", "customer_id"), "snapshot_date", (CUSTOMER_KEY,)
    ),
    "prospects": TableSpec("prospects", PROSPECTS, ("snapshot_date", "prospect_id"), "snapshot_date"),
    "surveys": TableSpec("surveys", SURVEYS, ("survey_id",), None),
    "complaints": TableSpec("complaints", COMPLAINTS, ("complaint_id",), None),
}

#: Header aliases, canonical name -> source headers (English and Chinese). Matching is
#: done on :func:`normalise_header` of both sides, so case, width and spacing don't matter.
ALIASES: dict[str, tuple[str, ...]] = {
    "snapshot_date": (
        "snapshot_date",
        "snapshot",
        "as_of_date",
        "data_date",
        "统计日期",
        "数据日期",
        "快照日期",
        "报表日期",
        "统计日",
        "数据日",
    ),
    "customer_id": (
        "customer_id",
        "customerid",
        "cust_id",
        "client_id",
        "客户号",
        "客户编号",
        "客户代码",
        "客户id",
        "cust_no",
        "customer_no",
        "customer_number",
        "cif",
        "cif_no",
        "客户号码",
        "客户内码",
        "核心客户号",
    ),
    "customer_name": ("customer_name", "name", "客户名称", "客户姓名", "姓名", "户名", "客户名"),
    "segment": (
        "segment",
        "customer_type",
        "客户类型",
        "客户类别",
        "客户性质",
        "customer_segment",
        "客户分类",
        "客户细分",
    ),
    "region": ("region", "区域", "地区", "分行", "所属分行", "所属区域", "片区", "所属地区"),
    "branch": (
        "branch",
        "branch_id",
        "网点",
        "支行",
        "所属网点",
        "所属支行",
        "网点名称",
        "branch_name",
        "机构",
        "所属机构",
        "机构名称",
        "网点号",
        "机构号",
        "经营机构",
    ),
    "rm_id": (
        "rm_id",
        "rm",
        "relationship_manager",
        "客户经理",
        "客户经理号",
        "客户经理编号",
        "管户客户经理",
        "rm_code",
        "manager_id",
        "account_manager",
        "客户经理工号",
        "管户经理",
    ),
    "aum": (
        "aum",
        "financial_assets",
        "金融资产",
        "金融资产余额",
        "资产余额",
        "管理资产",
        "aum_balance",
        "金融资产总额",
        "客户金融资产",
        "资产管理规模",
        "aum余额",
    ),
    "deposit_balance": ("deposit_balance", "deposits", "存款余额", "存款", "存款时点余额", "deposit"),
    "deposit_avg_daily": (
        "deposit_avg_daily",
        "average_daily_deposit",
        "日均存款",
        "存款日均",
        "日均存款余额",
        "avg_daily_deposit",
        "存款日均余额",
    ),
    "loan_balance": ("loan_balance", "loans", "贷款余额", "贷款", "贷款时点余额", "loan_outstanding"),
    "annual_sales": (
        "annual_sales",
        "revenue",
        "年销售收入",
        "销售收入",
        "年营业收入",
        "营业收入",
        "annual_revenue",
        "sales",
        "年销售额",
        "销售额",
    ),
    "total_assets": ("total_assets", "资产总额", "总资产", "资产总计"),
    "industry": ("industry", "行业", "所属行业", "行业分类", "行业类别", "行业门类"),
    "market": ("market", "market_type", "市场类型", "市场"),
    "strategic": ("strategic", "is_strategic", "战略客户", "是否战略客户"),
    "products_held": (
        "products_held",
        "product_count",
        "num_of_products",
        "持有产品数",
        "产品数",
        "持有产品种类数",
        "products",
        "持有产品数量",
    ),
    "has_wealth_card": ("has_wealth_card", "wealth_card", "财富卡", "是否持有财富卡"),
    "has_credit_card": ("has_credit_card", "credit_card", "信用卡", "是否持有信用卡"),
    "has_online_token": (
        "has_online_token",
        "online_banking_token",
        "网银盾",
        "网银u盾",
        "u盾",
        "是否持有网银盾",
    ),
    "ftp_loan_income": ("ftp_loan_income", "贷款内部转移净收入", "贷款ftp净收入", "贷款ftp收入"),
    "ftp_deposit_income": ("ftp_deposit_income", "存款内部转移净收入", "存款ftp净收入", "存款ftp收入"),
    "fee_income": ("fee_income", "中间业务净收入", "中间业务收入", "手续费收入"),
    "capital_cost": ("capital_cost", "资本成本分摊", "资本成本"),
    "operating_cost": ("operating_cost", "运营成本分摊", "运营成本"),
    "credit_cost": ("credit_cost", "信贷成本分摊", "信贷成本"),
    "bank_value_score": ("bank_value_score", "bank_value", "银行对客户价值", "客户价值评分"),
    "has_profile": ("has_profile", "profiled", "是否建档", "建档", "已建档", "建档标识"),
    "contacts_month": ("contacts_month", "contacts_per_month", "月联系次数", "本月联系次数"),
    "events_year": ("events_year", "events_per_year", "年活动次数", "年度活动次数", "活动邀约次数"),
    "senior_visits_year": ("senior_visits_year", "高管拜访次数", "年高管拜访次数"),
    "open_date": (
        "open_date",
        "开户日期",
        "建立关系日期",
        "account_open_date",
        "customer_since",
        "开户日",
        "建立客户关系日期",
    ),
    "age": ("age", "年龄", "客户年龄"),
    "prospect_id": ("prospect_id", "target_id", "目标客户号", "目标客户编号"),
    "prospect_name": ("prospect_name", "目标客户名称"),
    "industry_score": ("industry_score", "行业评分", "行业得分"),
    "growth_score": ("growth_score", "成长性评分", "成长评分", "成长性得分"),
    "influence_score": ("influence_score", "影响力评分", "影响力得分"),
    "fit_score": ("fit_score", "匹配度评分", "匹配度", "适配度"),
    "estimated_aum": ("estimated_aum", "预计金融资产", "潜在资产"),
    "survey_id": ("survey_id", "问卷编号", "调查编号"),
    "survey_date": ("survey_date", "调查日期", "问卷日期", "评价日期", "满意度调查日期"),
    "score": ("score", "satisfaction_score", "满意度", "满意度评分", "评分", "满意度得分"),
    "scale_max": ("scale_max", "满分"),
    "channel": ("channel", "渠道", "调查渠道", "投诉渠道", "submitted_via"),
    "complaint_id": ("complaint_id", "投诉编号", "投诉单号", "complaint_no", "投诉工单号", "工单号"),
    "received_date": ("received_date", "date_received", "投诉日期", "受理日期", "投诉受理日期", "受理时间"),
    "category": ("category", "投诉类别", "投诉类型", "投诉分类", "complaint_category"),
    "resolved_date": (
        "resolved_date",
        "办结日期",
        "解决日期",
        "date_closed",
        "closed_date",
        "结案日期",
        "办结时间",
    ),
    "status": ("status", "状态", "处理状态", "complaint_status", "投诉状态", "办理状态"),
}

#: Source header units and the exact factor to CNY. A header such as ``金融资产(万元)``
#: or ``aum (10k CNY)`` is matched without the unit and its values are multiplied.
UNITS: dict[str, int] = {
    "元": 1,
    "人民币元": 1,
    "千元": 1_000,
    "百万元": 1_000_000,
    "cny": 1,
    "rmb": 1,
    "yuan": 1,
    "万元": 10_000,
    "万": 10_000,
    "10k cny": 10_000,
    "亿元": 100_000_000,
    "亿": 100_000_000,
    "100m cny": 100_000_000,
}

#: Text values accepted for booleans (after NFKC and case folding).
TRUE_VALUES = ("1", "true", "t", "yes", "y", "是", "有", "√")
FALSE_VALUES = ("0", "false", "f", "no", "n", "否", "无", "")


def normalise_header(header: str) -> str:
    """Return the form of a header used for matching.

    NFKC folds full-width letters, digits and brackets to their ASCII forms; then the
    text is trimmed, case-folded, and runs of spaces, hyphens and dots become ``_``.

    >>> normalise_header("  Customer ID ")
    'customer_id'
    >>> normalise_header("金融资产（万元）")
    '金融资产(万元)'
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().casefold()
    out = []
    for ch in text:
        if ch in " \t-.":
            if out and out[-1] != "_":
                out.append("_")
        else:
            out.append(ch)
    return "".join(out).strip("_")


def _build_alias_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for canonical, aliases in ALIASES.items():
        for alias in (canonical, *aliases):
            index[normalise_header(alias)] = canonical
            index[normalise_header(alias).replace("_", "")] = canonical
    return index


ALIAS_INDEX: dict[str, str] = _build_alias_index()


def create_table_sql(spec: TableSpec) -> str:
    """DDL for a canonical table (``CREATE TABLE IF NOT EXISTS``), derived columns last."""
    cols = []
    for c in (*spec.columns, *spec.derived):
        null = "" if c.nullable else " NOT NULL"
        cols.append(f'"{c.name}" {c.sql_type}{null}')
    # No PRIMARY KEY constraint: the loader checks keys itself (with row numbers in the
    # message), and DuckDB's over-eager constraint checking refuses a delete and a
    # re-insert of the same key in one transaction, which is exactly a snapshot reload.
    return f'CREATE TABLE IF NOT EXISTS "{spec.name}" (\n  ' + ",\n  ".join(cols) + "\n)"
