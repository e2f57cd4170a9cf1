"""Labels and number formats in English and Simplified Chinese.

Chinese money is shown in 万 (10^4) and 亿 (10^8) as bank staff read it; English in
K / M / B. Tier and segment names come in both languages.
"""

from __future__ import annotations

LANGUAGES = {"en": "English", "zh": "简体中文"}

TIER_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "mass": "Mass",
        "emerging": "Emerging",
        "affluent": "Affluent",
        "hnw": "High net worth",
        "private": "Private banking",
        "strategic": "Strategic",
        "large": "Large",
        "medium": "Medium",
        "small": "Small",
        "emerging_market": "Emerging market",
        "real_estate": "Real estate",
        "institution": "Institution (loans)",
        "above_scale": "Above scale",
        "below_scale": "Below scale",
        "institution_no_loan": "Institution (no loans)",
    },
    "zh": {
        "mass": "大众客户",
        "emerging": "潜力客户",
        "affluent": "富裕客户",
        "hnw": "高净值客户",
        "private": "私人银行客户",
        "strategic": "战略客户",
        "large": "大型企业",
        "medium": "中型企业",
        "small": "小型企业",
        "emerging_market": "新兴市场企业",
        "real_estate": "房地产企业",
        "institution": "机构客户（有贷）",
        "above_scale": "规模以上",
        "below_scale": "规模以下",
        "institution_no_loan": "机构客户（无贷）",
    },
}

SEGMENT_LABELS: dict[str, dict[str, str]] = {
    "en": {"retail": "Retail", "corporate": "Corporate", "institution": "Institution", "all": "All"},
    "zh": {"retail": "个人客户", "corporate": "公司客户", "institution": "机构客户", "all": "全部"},
}

# Labels are kept in one dict per area of the app, merged into TEXT below, so that the
# pages of different areas can grow their labels without touching each other's.
_COMMON: dict[str, dict[str, str]] = {
    "en": {
        "app_title": "Tierscope",
        "overview": "Overview",
        "snapshot": "Snapshot",
        "customers": "Customers",
        "aum": "AUM",
        "deposits": "Deposits",
        "loans": "Loans",
        "profit_contribution": "Profit contribution",
        "tier": "Tier",
        "segment": "Segment",
        "vs_previous": "vs {date}",
        "tiers_title": "Customers and AUM by tier",
        "tier_table": "Tier summary",
        "empty_title": "No portfolio data yet",
        "empty_body": (
            "The database {db} has no customer snapshots. Build the demo portfolio to explore the "
            "dashboard, or load your own monthly exports with `python -m analytics load`."
        ),
        "build_demo": "Build the demo portfolio",
        "building_demo": "Building the demo portfolio (about half a minute)...",
        "rules": "Rules",
        "cny": "CNY",
        "language": "Language",
        "region": "Region",
        "branch": "Branch",
        "rm": "Relationship manager",
        "rm_id": "Relationship manager",
        "all_regions": "All regions",
        "all_branches": "All branches",
        "all_rms": "All relationship managers",
        "head_office": "Head office",
        "section_portfolio": "Portfolio",
        "section_planning": "Planning",
        "section_data": "Data",
        "page_data": "Data",
        "empty_selection": "No customers match this selection. Widen the filters in the sidebar.",
    },
    "zh": {
        "app_title": "客户分层洞察",
        "overview": "总览",
        "snapshot": "数据日期",
        "customers": "客户数",
        "aum": "金融资产",
        "deposits": "存款余额",
        "loans": "贷款余额",
        "profit_contribution": "利润贡献",
        "tier": "层级",
        "segment": "客户类型",
        "vs_previous": "较 {date}",
        "tiers_title": "各层级客户数与金融资产",
        "tier_table": "层级汇总",
        "empty_title": "尚无客户数据",
        "empty_body": (
            "数据库 {db} 中没有客户快照。可生成演示数据体验看板，或用 `python -m analytics load` 导入每月数据。"
        ),
        "build_demo": "生成演示数据",
        "building_demo": "正在生成演示数据（约半分钟）……",
        "rules": "规则",
        "cny": "元",
        "language": "语言",
        "region": "分行",
        "branch": "支行",
        "rm": "客户经理",
        "rm_id": "客户经理",
        "all_regions": "全部分行",
        "all_branches": "全部支行",
        "all_rms": "全部客户经理",
        "head_office": "总行",
        "section_portfolio": "客户经营",
        "section_planning": "规划",
        "section_data": "数据",
        "page_data": "数据管理",
        "empty_selection": "当前筛选条件下没有客户，请在侧边栏放宽筛选。",
    },
}


# Overview page labels.
_OVERVIEW: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {},
}

# Data page labels (upload, validation report, snapshots).
_DATA: dict[str, dict[str, str]] = {
    "en": {},
    "zh": {},
}

TEXT: dict[str, dict[str, str]] = {
    lang: {**_COMMON[lang], **_OVERVIEW[lang], **_DATA[lang]} for lang in ("en", "zh")
}


def t(key: str, lang: str = "en", **fmt: object) -> str:
    """The label ``key`` in ``lang`` (English when missing), formatted with ``fmt``."""
    text = TEXT.get(lang, TEXT["en"]).get(key) or TEXT["en"].get(key, key)
    return text.format(**fmt) if fmt else text


def tier_label(tier: str, lang: str = "en") -> str:
    """The display name of a tier id."""
    return TIER_LABELS.get(lang, TIER_LABELS["en"]).get(tier, tier)


def segment_label(segment: str, lang: str = "en") -> str:
    """The display name of a segment."""
    return SEGMENT_LABELS.get(lang, SEGMENT_LABELS["en"]).get(segment, segment)


def format_money(value: float | None, lang: str = "en", *, digits: int = 1) -> str:
    """Compact money: ``1.2B`` in English, ``12.3亿`` in Chinese.

    >>> format_money(123_456_789, "zh")
    '1.2亿'
    >>> format_money(56_000, "zh")
    '5.6万'
    >>> format_money(1_234_567, "en")
    '1.2M'
    """
    if value is None:
        return "–"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if lang == "zh":
        steps = ((1e8, "亿"), (1e4, "万"))
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for size, unit in steps:
        if v >= size:
            return f"{sign}{v / size:,.{digits}f}{unit}"
    return f"{sign}{v:,.0f}"


def format_count(value: int | None, lang: str = "en") -> str:
    """A whole number with separators (Chinese uses 万 from 100,000 up)."""
    if value is None:
        return "–"
    if lang == "zh" and abs(value) >= 100_000:
        return f"{value / 1e4:,.1f}万"
    return f"{value:,}"


def format_change(change: float | None) -> str | None:
    """A relative change as a signed percentage, e.g. ``+1.2%``."""
    if change is None:
        return None
    return f"{change * 100:+.1f}%"
