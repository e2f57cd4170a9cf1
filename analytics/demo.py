"""Deterministic synthetic demo portfolio (the embedded default data set).

:func:`build_demo` replaces the four canonical tables of a :class:`~analytics.store.Store`
with a made-up but realistic portfolio of a commercial bank: about 95 % retail customers
and 5 % companies and public institutions, spread over regions (分行), branches (支行) and
relationship managers, observed at consecutive month ends. Customers' balances drift month
to month, so they move between tiers; some close and new ones arrive. Prospects, surveys
and complaints are generated alongside, with the patterns an analyst should be able to
find (a Spring Festival complaint peak, one branch whose complaints surge at the end, a
satisfaction dip and recovery, branches that miss the service standards).

Everything is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed order, so
the same arguments give identical tables. The generating assumptions are documented in
``docs/demo.md``; nothing here is real customer data.

Profit components are **annual** figures in CNY (a run rate at the snapshot date), like
the balances they are derived from.
"""

from __future__ import annotations

import calendar
import contextlib
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pyarrow as pa

from analytics.errors import TierscopeError
from analytics.rules import RETAIL_TIERS, TierRules, load_rules
from analytics.schema import BOOL, CUSTOMER_KEY, DATE, INT, TABLES, TableSpec
from analytics.store import Store, assign_customer_keys

__all__ = ["DemoSummary", "build_demo", "default_end", "snapshot_dates"]

# -- geography ------------------------------------------------------------------------
#: City of each region (分行) and its sub-branch (支行) districts, biggest first. The
#: first ``n`` cities are used when the portfolio is scaled down.
_CITY_TEXT = """
上海 浦东 黄浦 徐汇 静安 长宁 普陀 虹口 杨浦 闵行 宝山 嘉定 松江 青浦 奉贤
北京 朝阳 海淀 西城 东城 丰台 石景山 通州 顺义 昌平 大兴 房山 门头沟 怀柔 密云
深圳 福田 南山 罗湖 宝安 龙岗 龙华 盐田 坪山 光明 前海 科技园 华强北 车公庙 蛇口
广州 天河 越秀 海珠 荔湾 白云 黄埔 番禺 花都 南沙 从化 增城 珠江新城 琶洲 体育中心
杭州 上城 拱墅 西湖 滨江 萧山 余杭 临平 钱塘 富阳 临安 桐庐 淳安 建德 武林
南京 鼓楼 玄武 秦淮 建邺 浦口 栖霞 雨花台 江宁 六合 溧水 高淳 新街口 河西 仙林
成都 锦江 青羊 金牛 武侯 成华 高新 天府新区 龙泉驿 青白江 新都 温江 双流 郫都 新津
武汉 江汉 江岸 武昌 汉阳 硚口 青山 洪山 光谷 东西湖 汉南 蔡甸 江夏 黄陂 新洲
天津 和平 河西 南开 河东 河北 红桥 滨海新区 东丽 西青 津南 北辰 武清 宝坻 静海
重庆 渝中 江北 南岸 沙坪坝 九龙坡 渝北 大渡口 巴南 北碚 两江新区 万州 涪陵 永川 合川
西安 碑林 新城 莲湖 雁塔 未央 灞桥 高新 曲江 经开 长安 临潼 阎良 高陵 鄠邑
沈阳 和平 沈河 大东 皇姑 铁西 浑南 于洪 苏家屯 沈北新区 北站 辽中 新民 康平 法库
"""
CITIES: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (words[0], tuple(words[1:])) for words in (line.split() for line in _CITY_TEXT.strip().splitlines())
)
MAX_BRANCHES_PER_REGION = 14

# -- industries -----------------------------------------------------------------------
#: Industry ids (snake_case, as in the rules file) and their Chinese word for names.
INDUSTRY_WORDS: dict[str, str] = {
    "manufacturing": "机械制造",
    "wholesale_retail": "商贸",
    "construction": "建设工程",
    "transport_logistics": "物流",
    "energy": "能源",
    "agriculture": "农业科技",
    "information_technology": "信息技术",
    "scientific_research": "科学研究",
    "culture_media": "文化传媒",
    "leasing_business_services": "商务服务",
    "accommodation_catering": "餐饮管理",
    "healthcare": "医疗器械",
    "education": "教育科技",
    "internet": "网络科技",
    "internet_of_things": "物联网科技",
    "mobile_payment": "支付科技",
    "real_estate": "房地产开发",
    "public_administration": "",
}
INDUSTRIES: tuple[str, ...] = tuple(INDUSTRY_WORDS)
_IND = {name: i for i, name in enumerate(INDUSTRIES)}

#: Industry mix of traditional-market companies (weights sum to 1).
TRADITIONAL_MIX: dict[str, float] = {
    "manufacturing": 0.24,
    "wholesale_retail": 0.17,
    "construction": 0.09,
    "transport_logistics": 0.07,
    "energy": 0.04,
    "agriculture": 0.04,
    "information_technology": 0.08,
    "scientific_research": 0.04,
    "culture_media": 0.04,
    "leasing_business_services": 0.09,
    "accommodation_catering": 0.04,
    "healthcare": 0.03,
    "education": 0.03,
}
#: Emerging market = internet, IoT and mobile payment companies (DESIGN.md).
EMERGING_MIX: dict[str, float] = {"internet": 0.45, "internet_of_things": 0.30, "mobile_payment": 0.25}
INSTITUTION_MIX: dict[str, float] = {
    "public_administration": 0.40,
    "education": 0.25,
    "healthcare": 0.20,
    "scientific_research": 0.08,
    "culture_media": 0.07,
}
#: Names of public institutions by industry (city prefix added).
INSTITUTION_NAMES: dict[str, tuple[str, ...]] = {
    "public_administration": (
        "财政局",
        "人力资源和社会保障局",
        "住房公积金管理中心",
        "税务局",
        "医疗保障局",
        "交通运输局",
    ),
    "education": ("第一中学", "实验小学", "职业技术学院", "师范大学", "外国语学校", "教育局"),
    "healthcare": ("第一人民医院", "中心医院", "妇幼保健院", "中医院", "疾病预防控制中心"),
    "scientific_research": ("科学研究院", "农业科学院", "计量测试研究所"),
    "culture_media": ("图书馆", "博物馆", "广播电视台", "大剧院"),
}
MARKETS = ("traditional", "emerging", "real_estate")

# -- names ----------------------------------------------------------------------------
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力鹏斌宇"
    "浩凯晨欣怡子涵梓轩雨嘉佳思源博俊婷雪琳宁晓云海峰"
)
BRAND = "华信达安泰恒盛鑫隆兴瑞源通宏远中天金博嘉创新汇景德诚永昌融晟启航正和合众立"
COMPANY_SUFFIX = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")

# -- complaints and surveys -----------------------------------------------------------
COMPLAINT_CATEGORIES = (
    "fees",
    "service_attitude",
    "wait_time",
    "wealth_mis_selling",
    "card",
    "online_banking",
    "loan_process",
    "other",
)
_CAT_BASE = np.array([0.18, 0.16, 0.14, 0.07, 0.14, 0.13, 0.08, 0.10])
COMPLAINT_CHANNELS = ("branch", "phone", "app", "wechat", "regulator_12378")
_CHAN_BASE = np.array([0.28, 0.32, 0.14, 0.19, 0.07])
SURVEY_CHANNELS = ("sms", "app", "wechat", "phone", "branch")
_SURVEY_CHAN = np.array([0.30, 0.25, 0.25, 0.12, 0.08])
#: Complaint intensity by calendar month: a Spring Festival peak in January and
#: February (queues, card limits, red-packet transfers), a smaller one in December.
SEASON = np.array([1.45, 1.70, 1.05, 0.90, 0.95, 0.95, 0.90, 0.90, 0.95, 1.00, 0.95, 1.10])

# -- calibration (per month unless stated) ----------------------------------------------
RETAIL_SHARE = 0.952  # of customers per snapshot; the rest are companies and institutions
INSTITUTION_SHARE = 0.15  # of the non-retail customers
RETAIL_LOG_AUM_MEAN = 10.04  # median financial assets about 23k CNY
RETAIL_LOG_AUM_SD = 1.92  # with the stationary noise, ~0.3 % of retail at or above 5M
OU_PULL = 0.06  # monthly pull of balances back to the customer's own level
CHURN_BASE = 0.0055  # retail monthly closure hazard before balance and complaint factors
COMPLAINT_BASE = 0.0042  # monthly complaint probability of an average customer
SURVEY_RATE = 0.012  # share of customers surveyed each month
SURGE_MONTHS = 4  # the complaint surge covers the last four snapshots
SURGE_FACTOR = 6.0
#: Average daily deposit below which a company without loans is a small, cheap-to-serve,
#: more often closed account. Fixed in CNY (not read from the rules) so that the
#: portfolio itself does not change when a threshold is tuned.
SMALL_ACCOUNT_DEPOSIT = 500_000.0


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`build_demo` wrote.

    Attributes
    ----------
    snapshots : tuple of datetime.date
        The month ends of the customer and prospect snapshots, oldest first.
    customers, prospects, surveys, complaints : int
        Rows written to each table (customers and prospects over all snapshots).
    seconds : float
        Wall-clock time of the whole build, including the commit.
    seed : int
        The seed used.
    regions, branches, relationship_managers : int
        Size of the organisation the portfolio was spread over.
    surge_branch : str
        The branch whose complaints surge in the last snapshots.
    low_service_branches : tuple of str
        The branches generated to miss the service standards.
    """

    snapshots: tuple[date, ...]
    customers: int
    prospects: int
    surveys: int
    complaints: int
    seconds: float
    seed: int
    regions: int
    branches: int
    relationship_managers: int
    surge_branch: str
    low_service_branches: tuple[str, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Row count per canonical table."""
        return {
            "customers": self.customers,
            "prospects": self.prospects,
            "surveys": self.surveys,
            "complaints": self.complaints,
        }

    def to_dict(self) -> dict:
        """The summary as plain JSON-ready values (dates as ISO strings)."""
        return {
            "snapshots": [d.isoformat() for d in self.snapshots],
            "rows": self.counts,
            "seconds": round(self.seconds, 3),
            "seed": self.seed,
            "regions": self.regions,
            "branches": self.branches,
            "relationship_managers": self.relationship_managers,
            "surge_branch": self.surge_branch,
            "low_service_branches": list(self.low_service_branches),
        }


# -- dates ----------------------------------------------------------------------------
_EPOCH = date(1970, 1, 1)


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def default_end(today: date | None = None) -> date:
    """The last month end strictly before ``today``.

    >>> default_end(date(2026, 11, 25))
    datetime.date(2026, 10, 31)
    >>> default_end(date(2026, 10, 31))
    datetime.date(2026, 9, 30)
    """
    today = today or date.today()
    return today.replace(day=1) - timedelta(days=1)


def snapshot_dates(end: date, months: int) -> tuple[date, ...]:
    """The ``months`` consecutive month ends up to and including ``end``, oldest first.

    >>> snapshot_dates(date(2026, 2, 28), 3)
    (datetime.date(2025, 12, 31), datetime.date(2026, 1, 31), datetime.date(2026, 2, 28))
    """
    out = []
    for k in range(months - 1, -1, -1):
        idx = end.year * 12 + end.month - 1 - k
        out.append(_month_end(idx // 12, idx % 12 + 1))
    return tuple(out)


# -- small helpers ----------------------------------------------------------------------
def _pick(rng: np.random.Generator, mix: dict[str, float], n: int) -> np.ndarray:
    """Industry indices drawn from a mix."""
    names = list(mix)
    p = np.array([mix[k] for k in names])
    codes = np.array([_IND[k] for k in names], dtype=np.int16)
    return codes[rng.choice(len(names), size=n, p=p / p.sum())]


def _choose_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One category per row from an (n, k) array of unnormalised weights."""
    cum = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cum[:, -1]
    return np.minimum((u[:, None] >= cum).sum(axis=1), weights.shape[1] - 1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _money(x: np.ndarray) -> np.ndarray:
    """Round to the fen, as a bank extract would."""
    return np.round(x, 2)


def _filter(state: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[mask] for k, v in state.items()}


def _concat(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {k: np.concatenate([a[k], b[k]]) for k in a}


def _person_names(rng: np.random.Generator, n: int) -> list[str]:
    # Zipf-like surname frequencies: a few surnames (王, 李, 张) are very common.
    w = 1.0 / np.arange(1, len(SURNAMES) + 1) ** 0.9
    s = rng.choice(len(SURNAMES), size=n, p=w / w.sum())
    g1 = rng.integers(0, len(GIVEN), n)
    g2 = rng.integers(0, len(GIVEN), n)
    two = rng.random(n) < 0.7
    return [
        SURNAMES[a] + GIVEN[b] + (GIVEN[c] if t else "")
        for a, b, c, t in zip(s.tolist(), g1.tolist(), g2.tolist(), two.tolist(), strict=True)
    ]


def _company_names(
    rng: np.random.Generator, city: list[str], industry: np.ndarray, institution: np.ndarray
) -> list[str]:
    n = len(city)
    b1 = rng.integers(0, len(BRAND), n).tolist()
    b2 = rng.integers(0, len(BRAND), n).tolist()
    suffix = rng.integers(0, len(COMPANY_SUFFIX), n).tolist()
    inst_pick = rng.integers(0, 1_000, n).tolist()
    out = []
    for i in range(n):
        ind = INDUSTRIES[industry[i]]
        if institution[i]:
            names = INSTITUTION_NAMES[ind]
            out.append(f"{city[i]}市{names[inst_pick[i] % len(names)]}")
        else:
            out.append(
                f"{city[i]}{BRAND[b1[i]]}{BRAND[b2[i]]}{INDUSTRY_WORDS[ind]}{COMPANY_SUFFIX[suffix[i]]}"
            )
    return out


class _Pool:
    """Customer ids and names of every customer ever created, indexed by an int key."""

    def __init__(self) -> None:
        self._ids: list[pa.Array] = []
        self._names: list[pa.Array] = []
        self.size = 0
        self._joined: tuple[pa.Array, pa.Array] | None = None

    def add(self, ids: list[str], names: list[str]) -> np.ndarray:
        start = self.size
        self._ids.append(pa.array(ids, pa.string()))
        self._names.append(pa.array(names, pa.string()))
        self.size += len(ids)
        self._joined = None
        return np.arange(start, self.size, dtype=np.int64)

    def take(self, keys: np.ndarray) -> tuple[pa.Array, pa.Array]:
        if self._joined is None:
            self._joined = (pa.concat_arrays(self._ids), pa.concat_arrays(self._names))
            self._ids, self._names = [self._joined[0]], [self._joined[1]]
        idx = pa.array(keys, pa.int64())
        return self._joined[0].take(idx), self._joined[1].take(idx)


# -- organisation -----------------------------------------------------------------------
@dataclass
class _Org:
    regions: list[str]
    region_city: list[str]
    branches: list[str]
    branch_region: np.ndarray
    branch_weight: np.ndarray  # share of customers
    poor: np.ndarray  # bool: the branch misses the service standards
    surge: int  # index of the complaint-surge branch
    rm_ids: list[str]
    corp_rm_start: np.ndarray  # per branch: first corporate RM index, count
    corp_rm_count: np.ndarray
    retail_rm_start: np.ndarray
    retail_rm_count: np.ndarray

    def rm_for(self, rng: np.random.Generator, branch: np.ndarray, corporate: bool) -> np.ndarray:
        start = self.corp_rm_start if corporate else self.retail_rm_start
        count = self.corp_rm_count if corporate else self.retail_rm_count
        return (start[branch] + (rng.random(len(branch)) * count[branch]).astype(np.int32)).astype(np.int32)

    def draw_branches(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.choice(len(self.branches), size=n, p=self.branch_weight).astype(np.int32)


def _scale(customers: int) -> tuple[int, int, int]:
    """Regions, branches and RMs for a portfolio size (12, 120 and 600 at 105,000)."""
    f = customers / 105_000
    n_regions = int(np.clip(round(12 * f**0.5), 2, len(CITIES)))
    n_branches = int(np.clip(round(120 * f**0.75), 3, MAX_BRANCHES_PER_REGION * n_regions))
    n_branches = max(n_branches, n_regions)
    n_rms = max(2 * n_branches, round(600 * f))
    return n_regions, n_branches, n_rms


def _build_org(rng: np.random.Generator, customers: int) -> _Org:
    n_regions, n_branches, n_rms = _scale(customers)
    # Regions differ in size; every region gets at least one branch and at most the
    # districts we have names for.
    share = rng.lognormal(0.0, 0.35, n_regions)
    share /= share.sum()
    counts = np.ones(n_regions, dtype=np.int64)
    for _ in range(n_branches - n_regions):
        deficit = share * n_branches - counts
        deficit[counts >= MAX_BRANCHES_PER_REGION] = -np.inf
        counts[int(np.argmax(deficit))] += 1
    regions, region_city, branches, branch_region = [], [], [], []
    for r in range(n_regions):
        city, districts = CITIES[r]
        regions.append(f"{city}分行")
        region_city.append(city)
        for d in districts[: counts[r]]:
            branches.append(f"{city}{d}支行")
            branch_region.append(r)
    branch_region_arr = np.array(branch_region, dtype=np.int32)
    # Branch size: lognormal, larger for the first (downtown) districts of each city.
    rank = np.concatenate([np.arange(c) for c in counts])
    weight = rng.lognormal(0.0, 0.45, n_branches) * share[branch_region_arr] * (1.0 + 0.6 / (1.0 + rank))
    weight /= weight.sum()

    n_poor = min(max(1, round(n_branches / 3)), n_branches - 1)
    poor = np.zeros(n_branches, dtype=bool)
    poor[rng.permutation(n_branches)[:n_poor]] = True
    # The surge happens at one of the larger branches that otherwise serves well, so
    # that it shows in the charts and is not explained by poor service.
    order = np.argsort(-weight, kind="stable")
    big = order[~poor[order]][: max(1, (n_branches - n_poor) // 3)]
    surge = int(big[rng.integers(0, len(big))])

    # RMs in proportion to branch size, at least one corporate and one retail RM each.
    rms = np.full(n_branches, 2, dtype=np.int64)
    extra = n_rms - rms.sum()
    if extra > 0:
        rms += np.floor(weight * extra).astype(np.int64)
        rest = n_rms - rms.sum()
        rms[np.argsort(-(weight * extra - np.floor(weight * extra)), kind="stable")[:rest]] += 1
    corp = np.maximum(1, np.round(rms * 0.2)).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(rms)[:-1]])
    rm_ids = [f"RM{i + 1:04d}" for i in range(int(rms.sum()))]
    return _Org(
        regions=regions,
        region_city=region_city,
        branches=branches,
        branch_region=branch_region_arr,
        branch_weight=weight,
        poor=poor,
        surge=surge,
        rm_ids=rm_ids,
        corp_rm_start=starts.astype(np.int32),
        corp_rm_count=corp.astype(np.int32),
        retail_rm_start=(starts + corp).astype(np.int32),
        retail_rm_count=(rms - corp).astype(np.int32),
    )


# -- the generator ----------------------------------------------------------------------
class _Generator:
    """Month-by-month simulation of the portfolio (one instance per build)."""

    def __init__(self, customers: int, months: int, seed: int, end: date, rules: TierRules):
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.months = months
        self.snapshots = snapshot_dates(end, months)
        self.end_day = _day(end)
        self.rules = rules
        self.org = _build_org(self.rng, customers)
        self.pool = _Pool()
        self.retail_seq = 0
        self.corp_seq = 0
        self.inst_seq = 0
        self.thresholds = np.array([b for _, b in rules.retail.bounds()])
        std = rules.standards
        self.contact_tiers = np.array([RETAIL_TIERS.index(t) for t in std.contact_tiers], dtype=np.int8)
        self.event_tiers = np.array([RETAIL_TIERS.index(t) for t in std.event_tiers], dtype=np.int8)
        self.product_tiers = np.array([RETAIL_TIERS.index(t) for t in std.product_tiers], dtype=np.int8)
        self.key_tiers = np.array([RETAIL_TIERS.index(t) for t in std.key_product_tiers], dtype=np.int8)
        self.n_retail0 = round(customers * RETAIL_SHARE)
        self.n_corp0 = customers - self.n_retail0
        self.market_factor = self.rng.normal(0.002, 0.012, months)  # wealth-product returns
        self.complaints: list[dict[str, np.ndarray]] = []
        self.surveys: list[dict[str, np.ndarray]] = []
        self.prospects_state: dict[str, np.ndarray] | None = None
        self.prospect_seq = 0
        self.prospect_names: list[str] = []
        self.n_prospects = max(50, round(customers * 0.03))

    def complaint_history(self, n: int, initial: bool) -> np.ndarray:
        """Month index of each new customer's last complaint (-99 = none).

        The customers of the first snapshot get the complaints of the three months before
        it, so that churn and survey scores do not jump after the first month.
        """
        last = np.full(n, -99, dtype=np.int32)
        if initial:
            had = self.rng.random(n) < 3 * COMPLAINT_BASE
            last[had] = -self.rng.integers(1, 4, int(had.sum()))
        return last

    # -- retail ------------------------------------------------------------------------
    def new_retail(self, n: int, m: int, initial: bool) -> dict[str, np.ndarray]:
        """Create ``n`` retail customers: at the first snapshot, or arriving in month ``m``."""
        rng = self.rng
        snap = self.snapshots[m]
        shift = 0.0 if initial else -0.45  # newcomers bring less money than the stock
        target = rng.normal(RETAIL_LOG_AUM_MEAN + shift, RETAIL_LOG_AUM_SD, n)
        sigma = rng.lognormal(np.log(0.09), 0.3, n)
        start = rng.normal(0.0, 1.0, n) * sigma / np.sqrt(2 * OU_PULL) + (0.0 if initial else -0.35)
        log_aum = target + start
        base_age = 38.0 if initial else 31.0
        age = np.clip(base_age + 3.0 * (target - 10.0) + rng.normal(0.0, 12.0, n), 18, 88)
        ym = snap.year * 12 + snap.month - 1
        birth_ym = (ym - np.floor(age * 12)).astype(np.int32)
        if initial:
            tenure = np.minimum(rng.exponential(7.0, n), age - 18.0)
            open_day = _day(snap) - 1 - np.floor(tenure * 365.25).astype(np.int64)
        else:
            first = _day(snap.replace(day=1))
            open_day = first + rng.integers(0, snap.day - 1, n)  # strictly before the snapshot
        branch = self.org.draw_branches(rng, n)
        has_loan = rng.random(n) < 0.12 + 0.08 * (target > 12.2)
        log_loan = np.log(300_000.0) + 0.35 * (target - 10.0) + rng.normal(0.0, 0.9, n)
        order = np.argsort(open_day, kind="stable") if initial else np.arange(n)
        # Older relationships carry lower numbers, as in a core banking system.
        seq = np.empty(n, dtype=np.int64)
        seq[order] = np.arange(self.retail_seq + 1, self.retail_seq + n + 1)
        self.retail_seq += n
        keys = self.pool.add([f"R{s:08d}" for s in seq.tolist()], _person_names(rng, n))
        return {
            "key": keys,
            "branch": branch,
            "rm": self.org.rm_for(rng, branch, corporate=False),
            "target": target,
            "drift": rng.normal(0.001, 0.006, n),
            "sigma": sigma,
            "log_aum": log_aum,
            "wealth_pref": np.clip(rng.beta(2.0, 2.0, n) * 1.4, 0.0, 0.95),
            "dep_spread": rng.normal(0.012, 0.0045, n),
            "fee_rate": rng.lognormal(np.log(0.006), 0.35, n),
            "pd": rng.lognormal(np.log(0.008), 0.6, n),
            "has_loan": has_loan,
            "log_loan": log_loan,
            "u_prod": rng.normal(0.0, 0.9, n),
            "u_wc": rng.random(n),
            "u_cc": rng.random(n),
            "u_tok": rng.random(n),
            "u_prof": rng.random(n),
            "u_meet": rng.random(n),
            "u_low": rng.random(n),
            "x_extra": rng.poisson(0.8, n),
            "card_fee": rng.lognormal(np.log(150.0), 0.8, n),
            "birth_ym": birth_ym,
            "open_day": open_day.astype(np.int64),
            "last_complaint": self.complaint_history(n, initial),
        }

    def evolve_retail(self, st: dict[str, np.ndarray], m: int) -> None:
        rng = self.rng
        n = len(st["key"])
        st["target"] += st["drift"]
        # Rare life events move money in big steps: an inheritance or a property sale in,
        # a house purchase or a move to another bank out.
        jump = rng.random(n)
        step = np.where(jump < 0.003, rng.normal(1.2, 0.5, n), 0.0) - np.where(
            jump > 0.996, rng.normal(1.0, 0.5, n), 0.0
        )
        st["target"] += step
        wealth_share = st["wealth_pref"] * _sigmoid((st["log_aum"] - 12.0) / 1.1)
        st["log_aum"] += (
            OU_PULL * (st["target"] - st["log_aum"])
            + st["sigma"] * rng.standard_normal(n)
            + self.market_factor[m] * wealth_share
            + step
        )
        # Loans amortise; a few customers take a new loan or repay early.
        st["log_loan"] -= 0.006
        u = rng.random(n)
        new_loan = ~st["has_loan"] & (u < 0.003)
        st["log_loan"] = np.where(new_loan, np.log(250_000.0) + rng.normal(0.0, 0.9, n), st["log_loan"])
        st["has_loan"] = (st["has_loan"] & (u < 0.996)) | new_loan
        # Occasionally a customer is handed to another RM of the same branch.
        move = rng.random(n) < 0.003
        st["rm"] = np.where(move, self.org.rm_for(rng, st["branch"], corporate=False), st["rm"])

    def retail_hazard(self, st: dict[str, np.ndarray], m: int) -> np.ndarray:
        aum = np.exp(st["log_aum"])
        size = np.select([aum < 10_000, aum < 50_000, aum < 200_000], [1.8, 1.2, 0.8], 0.5)
        recent = (m - st["last_complaint"]) <= 3
        return CHURN_BASE * size * np.where(recent, 4.0, 1.0)

    def retail_frame(self, st: dict[str, np.ndarray], m: int) -> dict[str, object]:
        rng = self.rng
        snap = self.snapshots[m]
        n = len(st["key"])
        std = self.rules.standards
        aum = _money(np.exp(st["log_aum"]))
        tier = np.searchsorted(self.thresholds, aum, side="right").astype(np.int8)
        poor = self.org.poor[st["branch"]]
        wealth_share = np.clip(
            st["wealth_pref"] * _sigmoid((st["log_aum"] - 12.0) / 1.1) + rng.normal(0.0, 0.02, n), 0.0, 0.95
        )
        deposit = np.minimum(_money(aum * (1.0 - wealth_share)), aum)
        wealth = aum - deposit
        dep_avg = _money(deposit * np.exp(rng.normal(0.02, 0.12, n)))
        loan = _money(np.where(st["has_loan"], np.exp(st["log_loan"]), 0.0))

        # Service data: a branch either keeps the standards (every customer it owes a
        # service gets it) or clearly misses them (about half do).
        p_meet = np.where(poor, 0.45, 1.0)
        meets = st["u_meet"] < p_meet
        in_contact = np.isin(tier, self.contact_tiers)
        meet_month = rng.random(n) < p_meet
        contacts = np.where(
            in_contact,
            np.where(
                meet_month,
                std.contacts_per_month + rng.poisson(0.8, n),
                np.floor(rng.random(n) * std.contacts_per_month),
            ),
            rng.poisson(np.where(tier == 0, 0.1, 0.5)),
        )
        is_private = tier == 4
        ev_std = np.where(is_private, std.private_events_per_year, std.events_per_year)
        in_events = np.isin(tier, self.event_tiers)
        events = np.where(
            in_events,
            np.where(meets, ev_std + st["x_extra"], np.floor(st["u_low"] * ev_std)),
            (tier == 1) & (st["u_low"] < 0.15),
        )
        sv_std = std.private_senior_visits_per_year
        visits = np.where(
            is_private,
            np.where(meets, sv_std + np.minimum(st["x_extra"], 2), np.floor(st["u_low"] * sv_std)),
            (tier == 3) & (st["u_low"] < 0.2),
        )
        products = np.clip(
            np.round(1.0 + 0.75 * (st["log_aum"] - 9.5) + st["u_prod"] + 0.8 * st["has_loan"]), 1, 10
        )
        in_products = np.isin(tier, self.product_tiers)
        # Good branches cross-sell every high-net-worth customer up to the standard; the
        # customers a poor branch neglects hold one product fewer than their peers.
        products = np.where(in_products & meets, np.maximum(products, std.min_product_types), products)
        products = np.where(in_products & ~meets, products - 1, products)
        products = np.clip(products, 1, 10)
        # Key products: nearly everyone at a good branch's affluent+ tiers holds them all.
        key = np.isin(tier, self.key_tiers)
        p_key = np.where(key, np.where(poor, 0.75, 0.995), 0.0)
        has_wc = st["u_wc"] < np.where(key, p_key, np.where(tier == 1, 0.30, 0.05))
        has_cc = st["u_cc"] < np.where(key, p_key, np.where(tier == 1, 0.45, 0.25))
        has_tok = st["u_tok"] < np.where(key, p_key, np.where(tier == 1, 0.55, 0.35))
        has_profile = st["u_prof"] < self.profile_prob(tier, poor)

        # Profit components, annual CNY.
        ftp_loan = loan * 0.016 * np.exp(rng.normal(0.0, 0.1, n))
        spread = st["dep_spread"] - 0.0025 * (tier >= 3)  # big depositors get better rates
        ftp_dep = dep_avg * spread * np.exp(rng.normal(0.0, 0.1, n))
        fee = wealth * st["fee_rate"] * np.exp(rng.normal(0.0, 0.15, n)) + has_cc * st["card_fee"]
        capital = loan * 0.005
        operating = 60.0 + 30.0 * products + 12.0 * 15.0 * contacts + 200.0 * events + 1_000.0 * visits
        credit = loan * st["pd"] * 0.30

        ym = snap.year * 12 + snap.month - 1
        return {
            "key": st["key"],
            "segment": np.zeros(n, dtype=np.int8),
            "branch": st["branch"],
            "rm": st["rm"],
            "aum": aum,
            "deposit_balance": deposit,
            "deposit_avg_daily": dep_avg,
            "loan_balance": loan,
            "annual_sales": None,
            "total_assets": None,
            "industry": None,
            "market": None,
            "strategic": np.zeros(n, dtype=bool),
            "products_held": products,
            "has_wealth_card": has_wc,
            "has_credit_card": has_cc,
            "has_online_token": has_tok,
            "ftp_loan_income": _money(ftp_loan),
            "ftp_deposit_income": _money(ftp_dep),
            "fee_income": _money(fee),
            "capital_cost": _money(capital),
            "operating_cost": _money(operating),
            "credit_cost": _money(credit),
            "has_profile": has_profile,
            "contacts_month": contacts,
            "events_year": events,
            "senior_visits_year": visits,
            "open_date": st["open_day"],
            "age": (ym - st["birth_ym"]) // 12,
            "_tier": tier,
        }

    def profile_prob(self, tier: np.ndarray, poor: np.ndarray) -> np.ndarray:
        """Probability of a profile (建档) by tier: above the coverage target at good
        branches, well below it at poor ones."""
        req = np.zeros(len(RETAIL_TIERS))
        for t, share in self.rules.standards.profile_coverage.items():
            i = RETAIL_TIERS.index(t)
            req[i:] = np.maximum(req[i:], share)
        # Good branches profile every client from a 90 % target up, and comfortably
        # more than the target below that.
        good = np.where(req >= 0.9, 1.0, np.where(req > 0, np.minimum(1.0, req + 0.08), 0.35))
        bad = np.where(req > 0, req - 0.22, 0.25)
        return np.where(poor, bad[tier], good[tier])

    # -- corporate and institutions ------------------------------------------------------
    def new_corporate(self, n: int, m: int, initial: bool) -> dict[str, np.ndarray]:
        """Create ``n`` companies and institutions."""
        rng = self.rng
        snap = self.snapshots[m]
        inst = rng.random(n) < INSTITUTION_SHARE
        u = rng.random(n)
        market = np.where(inst, 0, np.where(u < 0.78, 0, np.where(u < 0.89, 1, 2))).astype(np.int8)
        industry = np.where(
            inst,
            _pick(rng, INSTITUTION_MIX, n),
            np.where(
                market == 0,
                _pick(rng, TRADITIONAL_MIX, n),
                np.where(market == 1, _pick(rng, EMERGING_MIX, n), _IND["real_estate"]),
            ),
        ).astype(np.int16)
        sales_mu = np.select(
            [inst, market == 1, market == 2], [np.log(30e6), np.log(15e6), np.log(80e6)], np.log(25e6)
        )
        sales_sd = np.select([inst, market == 1, market == 2], [1.2, 1.7, 1.3], 1.55)
        log_sales = rng.normal(sales_mu, sales_sd) - (0.0 if initial else 0.5)
        asset_ratio = np.where(market == 2, np.log(3.0), 0.3) + rng.normal(0.0, 0.6, n)
        dep_ratio = np.where(inst, np.log(0.05), np.log(0.02)) + rng.normal(0.0, 0.9, n)
        p_loan = np.select(
            [inst, market == 1, market == 2], [0.30, 0.35, 0.70], 0.35 + 0.25 * (log_sales > np.log(20e6))
        )
        has_loan = rng.random(n) < p_loan
        loan_ratio = np.log(0.22) + rng.normal(0.0, 0.6, n)
        branch = self.org.draw_branches(rng, n)
        if initial:
            open_day = _day(snap) - 1 - np.floor(rng.uniform(0.2, 20.0, n) * 365.25).astype(np.int64)
        else:
            open_day = _day(snap.replace(day=1)) + rng.integers(0, snap.day - 1, n)
        strategic = np.zeros(n, dtype=bool)
        if initial:
            # The strategic list: a few dozen traditional borrowers, mostly among the biggest.
            n_strategic = max(3, round(40 * self.n_corp0 / 5_040))
            cand = np.flatnonzero(~inst & (market == 0))
            top = cand[np.argsort(-log_sales[cand], kind="stable")[: max(n_strategic * 3, n_strategic)]]
            chosen = rng.choice(top, size=min(n_strategic, len(top)), replace=False)
            strategic[chosen] = True
            has_loan[chosen] = True
        ids = []
        for is_inst in inst.tolist():
            if is_inst:
                self.inst_seq += 1
                ids.append(f"12{self.inst_seq:016d}")  # 18 digits, like a unified credit code
            else:
                self.corp_seq += 1
                ids.append(f"{10_000 + self.corp_seq:010d}")  # numeric with leading zeros
        city = [self.org.region_city[r] for r in self.org.branch_region[branch].tolist()]
        keys = self.pool.add(ids, _company_names(rng, city, industry, inst))
        return {
            "key": keys,
            "inst": inst,
            "market": market,
            "industry": industry,
            "strategic": strategic,
            "branch": branch,
            "rm": self.org.rm_for(rng, branch, corporate=True),
            "log_sales": log_sales,
            "growth": rng.normal(0.05, 0.10, n),
            "asset_ratio": asset_ratio,
            "dep_ratio": dep_ratio,
            "log_dep": log_sales + dep_ratio + rng.normal(0.0, 0.25, n),
            "has_loan": has_loan,
            "loan_ratio": loan_ratio,
            "log_loan": log_sales + loan_ratio,
            "has_wealth": rng.random(n) < 0.25,
            "wealth_ratio": rng.uniform(0.1, 1.0, n),
            "loan_spread": rng.normal(0.022, 0.004, n),
            "pd": rng.lognormal(np.log(0.010), 0.6, n)
            * np.where(market == 2, 2.0, 1.0)
            * np.where(log_sales < np.log(20e6), 1.8, 1.0)
            * np.where(inst, 0.3, 1.0),
            "u_prod": rng.normal(0.0, 1.0, n),
            "u_cc": rng.random(n),
            "u_tok": rng.random(n),
            "u_prof": rng.random(n),
            "x_events": rng.poisson(1.0, n),
            "open_day": open_day.astype(np.int64),
            "last_complaint": self.complaint_history(n, initial),
        }

    def evolve_corporate(self, st: dict[str, np.ndarray], m: int) -> None:
        rng = self.rng
        n = len(st["key"])
        # Annual sales are a rolling twelve-month figure, so they move slowly.
        st["log_sales"] += st["growth"] / 12.0 + rng.normal(0.0, 0.02, n)
        target = st["log_sales"] + st["dep_ratio"]
        st["log_dep"] += 0.2 * (target - st["log_dep"]) + rng.normal(0.0, 0.10, n)
        st["log_loan"] += 0.15 * (st["log_sales"] + st["loan_ratio"] - st["log_loan"]) + rng.normal(
            0.0, 0.05, n
        )
        u = rng.random(n)
        p_new = np.where(st["inst"], 0.006, 0.012)
        new_loan = ~st["has_loan"] & (u < p_new)
        repaid = st["has_loan"] & ~st["strategic"] & (u > 0.99)
        st["log_loan"] = np.where(new_loan, st["log_sales"] + st["loan_ratio"] - 0.7, st["log_loan"])
        st["has_loan"] = (st["has_loan"] & ~repaid) | new_loan

    def corporate_hazard(self, st: dict[str, np.ndarray], m: int) -> np.ndarray:
        small = ~st["has_loan"] & (st["log_dep"] < np.log(SMALL_ACCOUNT_DEPOSIT))
        recent = (m - st["last_complaint"]) <= 3
        h = 0.004 * np.where(small, 2.0, 1.0) * np.where(recent, 2.5, 1.0)
        return np.where(st["strategic"], 0.0, h)

    def corporate_frame(self, st: dict[str, np.ndarray], m: int) -> dict[str, object]:
        rng = self.rng
        n = len(st["key"])
        poor = self.org.poor[st["branch"]]
        sales = _money(np.exp(st["log_sales"]))
        assets = _money(np.exp(st["log_sales"] + st["asset_ratio"]))
        dep_avg = _money(np.exp(st["log_dep"]))
        deposit = _money(dep_avg * np.exp(rng.normal(0.0, 0.3, n)))
        wealth = _money(np.where(st["has_wealth"], dep_avg * st["wealth_ratio"], 0.0))
        aum = deposit + wealth
        loan = _money(np.where(st["has_loan"], np.exp(st["log_loan"]), 0.0))
        big = st["strategic"] | (st["log_sales"] >= np.log(300e6))
        products = np.clip(
            np.round(
                2.0
                + 0.55 * (st["log_sales"] - 16.5)
                + 1.2 * st["has_loan"]
                + 0.8 * st["has_wealth"]
                + st["u_prod"]
            ),
            1,
            10,
        )
        contacts = rng.poisson(np.where(big, 4.0, np.where(st["has_loan"], 2.0, 1.0)))
        events = st["x_events"] + big
        visits = np.where(big, 2 + np.minimum(st["x_events"], 2), 0)
        has_profile = st["u_prof"] < np.where(poor, 0.85, 0.97)

        ftp_loan = loan * st["loan_spread"] * np.exp(rng.normal(0.0, 0.08, n))
        ftp_dep = dep_avg * 0.009 * np.exp(rng.normal(0.0, 0.1, n))
        fee = (aum * 0.0015 + loan * 0.0025 + 2_000.0) * np.exp(rng.normal(0.0, 0.3, n))
        capital = loan * 0.010
        small = ~st["has_loan"] & (dep_avg < SMALL_ACCOUNT_DEPOSIT)
        operating = (
            np.where(small, 2_500.0 + 1_000.0 * products, 5_000.0 + 1_500.0 * products) + 300.0 * contacts
        )
        credit = loan * st["pd"] * 0.45
        return {
            "key": st["key"],
            "segment": np.where(st["inst"], 2, 1).astype(np.int8),
            "branch": st["branch"],
            "rm": st["rm"],
            "aum": aum,
            "deposit_balance": deposit,
            "deposit_avg_daily": dep_avg,
            "loan_balance": loan,
            "annual_sales": sales,
            "total_assets": assets,
            "industry": st["industry"],
            "market": st["market"],
            "strategic": st["strategic"],
            "products_held": products,
            "has_wealth_card": np.zeros(n, dtype=bool),
            "has_credit_card": st["u_cc"] < 0.15,
            "has_online_token": st["u_tok"] < 0.92,
            "ftp_loan_income": _money(ftp_loan),
            "ftp_deposit_income": _money(ftp_dep),
            "fee_income": _money(fee),
            "capital_cost": _money(capital),
            "operating_cost": _money(operating),
            "credit_cost": _money(credit),
            "has_profile": has_profile,
            "contacts_month": contacts,
            "events_year": events,
            "senior_visits_year": visits,
            "open_date": st["open_day"],
            "age": None,
            "_tier": np.full(n, -1, dtype=np.int8),
        }

    # -- events -------------------------------------------------------------------------
    def draw_complaints(self, retail: dict, corp: dict, tiers: np.ndarray, m: int) -> None:
        """Complaints received during month ``m`` (before that month's closures)."""
        rng = self.rng
        snap = self.snapshots[m]
        branch = np.concatenate([retail["branch"], corp["branch"]])
        n = len(branch)
        n_retail = len(retail["branch"])
        surge_on = m >= self.months - SURGE_MONTHS
        in_surge = (branch == self.org.surge) & surge_on
        rate = (
            COMPLAINT_BASE
            * SEASON[snap.month - 1]
            * (1.0 - 0.006 * m)  # service improves slowly over the years
            * np.where(self.org.poor[branch], 1.45, 0.8)
            * np.concatenate([np.where(tiers >= 2, 1.2, 1.0), np.full(n - n_retail, 0.6)])
            * np.where(in_surge, SURGE_FACTOR, 1.0)
        )
        who = np.flatnonzero(rng.random(n) < rate)
        k = len(who)
        is_retail = who < n_retail
        retail_who = who[is_retail]
        corp_who = who[~is_retail] - n_retail
        retail["last_complaint"][retail_who] = m
        corp["last_complaint"][corp_who] = m
        keys = np.concatenate([retail["key"], corp["key"]])[who]
        cat_w = np.tile(_CAT_BASE, (k, 1))
        if snap.month in (1, 2):  # Spring Festival: queues and online-banking peaks
            cat_w[:, 2] *= 2.0
            cat_w[:, 5] *= 1.3
        cat_w[~is_retail, 6] *= 3.0
        cat_w[~is_retail, 4] *= 0.3
        cat_w[~is_retail, 3] *= 0.5
        cat_w[is_retail & (np.concatenate([tiers, np.zeros(n - n_retail, np.int8)])[who] >= 2), 3] *= 2.5
        surge_rows = in_surge[who]
        cat_w[surge_rows, 3] *= 15.0  # the surge: a wealth product that went wrong
        chan_w = np.tile(_CHAN_BASE, (k, 1))
        chan_w[surge_rows, 4] *= 3.0
        category = _choose_rows(rng, cat_w)
        channel = _choose_rows(rng, chan_w)
        received = _day(snap.replace(day=1)) + rng.integers(0, snap.day, k)
        days = np.ceil(rng.lognormal(np.log(4.0), 0.75, k) * np.where(channel == 4, 2.2, 1.0))
        days = days * np.where(self.org.poor[branch[who]], 1.3, 1.0)
        resolved = received + np.maximum(1, np.round(days)).astype(np.int64)
        is_open = resolved > self.end_day
        # Some complaints come from people who are not (or no longer) identifiable customers.
        anonymous = rng.random(k) < 0.02
        self.complaints.append(
            {
                "month": np.full(k, m, dtype=np.int32),
                "key": np.where(anonymous, -1, keys),
                "received": received,
                "category": category,
                "channel": channel,
                "branch": branch[who],
                "resolved": np.where(is_open, -1, resolved),
            }
        )

    def draw_surveys(self, frame: dict, m: int) -> None:
        """Satisfaction surveys of month ``m`` among the customers of its snapshot."""
        rng = self.rng
        snap = self.snapshots[m]
        n = len(frame["key"])
        last = frame["last_complaint"]
        # A random sample, plus follow-up surveys of last month's complainants.
        chosen = np.flatnonzero((rng.random(n) < SURVEY_RATE) | ((last == m - 1) & (rng.random(n) < 0.4)))
        k = len(chosen)
        branch = frame["branch"][chosen]
        tier = frame["_tier"][chosen]
        complained = (m - last[chosen]) <= 3
        centre = (self.months - 1) / 2.0
        dip = 1.4 * np.exp(-(((m - centre) / 1.3) ** 2))  # a dip mid-series, then recovery
        surge = (branch == self.org.surge) & (m >= self.months - SURGE_MONTHS)
        latent = (
            8.0
            + 0.01 * m
            + 0.25 * np.maximum(tier, 0)
            - 0.9 * self.org.poor[branch]
            - 2.8 * complained
            - 1.0 * surge
            - dip
            + rng.normal(0.0, 1.5, k)
        )
        score = np.clip(np.round(latent), 0, 10)
        # Anonymous surveys on the branch tablet (no customer id).
        n_anon = int(rng.poisson(0.0006 * n))
        anon_branch = self.org.draw_branches(rng, n_anon)
        anon_score = np.clip(
            np.round(7.6 - 0.9 * self.org.poor[anon_branch] - dip + rng.normal(0, 1.8, n_anon)), 0, 10
        )
        channel = _choose_rows(rng, np.tile(_SURVEY_CHAN, (k, 1)))
        first = _day(snap.replace(day=1))
        self.surveys.append(
            {
                "month": np.full(k + n_anon, m, dtype=np.int32),
                "key": np.concatenate([frame["key"][chosen], np.full(n_anon, -1)]),
                "date": first + rng.integers(0, snap.day, k + n_anon),
                "score": np.concatenate([score, anon_score]),
                "channel": np.concatenate([channel, np.full(n_anon, 4)]),
                "branch": np.concatenate([branch, anon_branch]),
            }
        )

    # -- prospects ----------------------------------------------------------------------
    def new_prospects(self, n: int) -> dict[str, np.ndarray]:
        rng = self.rng
        u = rng.random(n)
        segment = np.where(u < 0.75, 1, np.where(u < 0.85, 2, 0)).astype(np.int8)
        u2 = rng.random(n)
        market = np.where(segment == 1, np.where(u2 < 0.7, 0, np.where(u2 < 0.88, 1, 2)), 0)
        industry = np.select(
            [segment == 0, segment == 2, market == 1, market == 2],
            [-1, _pick(rng, INSTITUTION_MIX, n), _pick(rng, EMERGING_MIX, n), _IND["real_estate"]],
            _pick(rng, TRADITIONAL_MIX, n),
        ).astype(np.int16)
        # Industry attractiveness: new economy high, traditional heavy industry lower.
        # (the extra last slot, index -1, is the neutral score of individuals)
        attract = np.full(len(INDUSTRIES) + 1, 55.0)
        for name, value in {
            "internet": 78,
            "internet_of_things": 80,
            "mobile_payment": 74,
            "information_technology": 75,
            "scientific_research": 70,
            "healthcare": 68,
            "energy": 62,
            "real_estate": 38,
            "construction": 45,
            "wholesale_retail": 50,
            "agriculture": 52,
        }.items():
            attract[_IND[name]] = value
        branch = self.org.draw_branches(rng, n)
        start = self.prospect_seq
        self.prospect_seq += n
        city = [self.org.region_city[r] for r in self.org.branch_region[branch].tolist()]
        inst = segment == 2
        names = _company_names(rng, city, np.maximum(industry, 0), inst)
        person = _person_names(rng, n)
        self.prospect_names.extend(person[i] if segment[i] == 0 else names[i] for i in range(n))
        size = rng.normal(0.0, 1.0, n)
        return {
            "id": np.arange(start, start + n, dtype=np.int64),
            "segment": segment,
            "industry": industry,
            "branch": branch,
            "rm": self.org.rm_for(rng, branch, corporate=True),
            "retail_rm": self.org.rm_for(rng, branch, corporate=False),
            "industry_score": attract[industry] + rng.normal(0.0, 9.0, n),
            "growth_score": rng.normal(55.0, 17.0, n) + 6.0 * (market == 1),
            "influence_score": rng.normal(48.0, 16.0, n) + 10.0 * size,
            "fit_score": rng.normal(55.0, 18.0, n),
            "log_aum": np.where(segment == 0, np.log(1.5e6), np.log(3e6))
            + 0.9 * size
            + rng.normal(0.0, 0.5, n),
        }

    def prospects_frame(self, m: int) -> pa.Table:
        rng = self.rng
        if self.prospects_state is None:
            self.prospects_state = self.new_prospects(self.n_prospects)
        else:
            st = self.prospects_state
            n = len(st["id"])
            # Each month some prospects convert or are dropped; new ones are identified.
            st = _filter(st, rng.random(n) >= 0.06)
            for col in ("industry_score", "growth_score", "influence_score", "fit_score"):
                st[col] = st[col] + rng.normal(0.0, 2.0, len(st["id"]))
            st["log_aum"] = st["log_aum"] + rng.normal(0.0, 0.05, len(st["id"]))
            self.prospects_state = _concat(st, self.new_prospects(self.n_prospects - len(st["id"])))
        st = self.prospects_state
        n = len(st["id"])
        ids = [f"P{i + 1:08d}" for i in st["id"].tolist()]
        names = [self.prospect_names[i] for i in st["id"].tolist()]
        rm = np.where(st["segment"] == 0, st["retail_rm"], st["rm"])
        cols = {
            "snapshot_date": _date_array(np.full(n, _day(self.snapshots[m]))),
            "prospect_id": pa.array(ids, pa.string()),
            "prospect_name": pa.array(names, pa.string()),
            "segment": _labels(("retail", "corporate", "institution"), st["segment"]),
            "region": _labels(self.org.regions, self.org.branch_region[st["branch"]]),
            "branch": _labels(self.org.branches, st["branch"]),
            "rm_id": _labels(self.org.rm_ids, rm),
            "industry": _labels(INDUSTRIES, st["industry"]),
        }
        for col in ("industry_score", "growth_score", "influence_score", "fit_score"):
            cols[col] = pa.array(np.round(np.clip(st[col], 0.0, 100.0), 1), pa.float64())
        cols["estimated_aum"] = pa.array(_money(np.round(np.exp(st["log_aum"]), -3)), pa.float64())
        return _table(TABLES["prospects"], cols)

    # -- the run ------------------------------------------------------------------------
    def run(self, sink) -> None:
        """Simulate every month and hand each snapshot's tables to ``sink(table, pa.Table)``."""
        rng = self.rng
        retail = self.new_retail(self.n_retail0, 0, initial=True)
        corp = self.new_corporate(self.n_corp0, 0, initial=True)
        for m in range(self.months):
            if m > 0:
                self.evolve_retail(retail, m)
                self.evolve_corporate(corp, m)
            tiers = np.searchsorted(self.thresholds, np.exp(retail["log_aum"]), side="right").astype(np.int8)
            self.draw_complaints(retail, corp, tiers, m)
            if m > 0:
                # Closures during the month (complainants and small balances leave more
                # often), then new customers; arrivals slightly outnumber closures.
                h_r = self.retail_hazard(retail, m)
                h_c = self.corporate_hazard(corp, m)
                retail = _filter(retail, rng.random(len(h_r)) >= h_r)
                corp = _filter(corp, rng.random(len(h_c)) >= h_c)
                retail = _concat(
                    retail, self.new_retail(int(rng.poisson(h_r.sum() * 1.08)), m, initial=False)
                )
                corp = _concat(corp, self.new_corporate(int(rng.poisson(h_c.sum() * 1.08)), m, initial=False))
            r_frame = self.retail_frame(retail, m)
            c_frame = self.corporate_frame(corp, m)
            sink("customers", self.customer_table(r_frame, c_frame, m))
            self.draw_surveys(
                {
                    "key": np.concatenate([retail["key"], corp["key"]]),
                    "branch": np.concatenate([retail["branch"], corp["branch"]]),
                    "last_complaint": np.concatenate([retail["last_complaint"], corp["last_complaint"]]),
                    "_tier": np.concatenate([r_frame["_tier"], c_frame["_tier"]]),
                },
                m,
            )
            sink("prospects", self.prospects_frame(m))
        sink("surveys", self.survey_table())
        sink("complaints", self.complaint_table())

    def customer_table(self, r: dict, c: dict, m: int) -> pa.Table:
        n_r, n_c = len(r["key"]), len(c["key"])
        n = n_r + n_c

        def cat(name: str) -> np.ndarray:
            return np.concatenate([r[name], c[name]])

        ids, names = self.pool.take(cat("key"))
        branch = cat("branch")
        cols: dict[str, pa.Array] = {
            "snapshot_date": _date_array(np.full(n, _day(self.snapshots[m]))),
            "customer_id": ids,
            "customer_name": names,
            "segment": _labels(("retail", "corporate", "institution"), cat("segment")),
            "region": _labels(self.org.regions, self.org.branch_region[branch]),
            "branch": _labels(self.org.branches, branch),
            "rm_id": _labels(self.org.rm_ids, cat("rm")),
            "industry": _labels(INDUSTRIES, np.concatenate([np.full(n_r, -1), c["industry"]])),
            "market": _labels(MARKETS, np.concatenate([np.full(n_r, -1), c["market"]])),
            "bank_value_score": pa.nulls(n, pa.float64()),
            "open_date": _date_array(cat("open_date")),
        }
        for name in ("annual_sales", "total_assets"):
            values = np.concatenate([np.zeros(n_r), c[name]])
            cols[name] = pa.array(values, pa.float64(), mask=np.arange(n) < n_r)
        cols["age"] = pa.array(
            np.concatenate([r["age"], np.zeros(n_c)]).astype(np.int32), mask=np.arange(n) >= n_r
        )
        for column in TABLES["customers"].columns:
            if column.name not in cols:
                cols[column.name] = _typed(cat(column.name), column.kind)
        return _table(TABLES["customers"], cols)

    def survey_table(self) -> pa.Table:
        s = {k: np.concatenate([part[k] for part in self.surveys]) for k in self.surveys[0]}
        keys = s["key"]
        ids, _ = self.pool.take(np.maximum(keys, 0))
        customer_id = pa.array(ids.to_pylist(), pa.string(), mask=keys < 0)
        cols = {
            "survey_id": pa.array(_event_ids("SV", s["month"], s["date"], self.snapshots), pa.string()),
            "survey_date": _date_array(s["date"]),
            "customer_id": customer_id,
            "score": pa.array(s["score"].astype(np.float64)),
            "scale_max": pa.array(np.full(len(keys), 10.0)),
            "channel": _labels(SURVEY_CHANNELS, s["channel"]),
            "region": _labels(self.org.regions, self.org.branch_region[s["branch"]]),
            "branch": _labels(self.org.branches, s["branch"]),
        }
        return _table(TABLES["surveys"], cols)

    def complaint_table(self) -> pa.Table:
        c = {k: np.concatenate([part[k] for part in self.complaints]) for k in self.complaints[0]}
        keys = c["key"]
        ids, _ = self.pool.take(np.maximum(keys, 0))
        is_open = c["resolved"] < 0
        cols = {
            "complaint_id": pa.array(
                _event_ids("CP", c["month"], c["received"], self.snapshots), pa.string()
            ),
            "customer_id": pa.array(ids.to_pylist(), pa.string(), mask=keys < 0),
            "received_date": _date_array(c["received"]),
            "category": _labels(COMPLAINT_CATEGORIES, c["category"]),
            "channel": _labels(COMPLAINT_CHANNELS, c["channel"]),
            "region": _labels(self.org.regions, self.org.branch_region[c["branch"]]),
            "branch": _labels(self.org.branches, c["branch"]),
            "resolved_date": pa.array(
                np.maximum(c["resolved"], 0).astype(np.int32), pa.date32(), mask=is_open
            ),
            "status": pa.array(np.where(is_open, "open", "resolved"), pa.string()),
        }
        return _table(TABLES["complaints"], cols)


# -- arrow helpers ----------------------------------------------------------------------
_ARROW = {DATE: pa.date32(), BOOL: pa.bool_(), INT: pa.int32()}


def _date_array(days: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(days, dtype=np.int32), pa.date32())


def _labels(values, codes: np.ndarray) -> pa.Array:
    """Text column from integer codes into ``values``; a negative code is NULL."""
    codes = np.asarray(codes)
    dictionary = pa.array(list(values), pa.string())
    idx = pa.array(np.maximum(codes, 0).astype(np.int32), mask=codes < 0)
    return dictionary.take(idx)


def _typed(values: np.ndarray, kind: str) -> pa.Array:
    typ = _ARROW.get(kind, pa.float64())
    if kind == BOOL:
        return pa.array(np.asarray(values, dtype=bool), typ)
    if kind == INT:
        return pa.array(np.asarray(values, dtype=np.int32), typ)
    return pa.array(np.asarray(values, dtype=np.float64), typ)


def _table(spec: TableSpec, cols: dict[str, pa.Array]) -> pa.Table:
    """Arrow table in the canonical column order (KeyError if a column is missing)."""
    return pa.table([cols[name] for name in spec.names], names=list(spec.names))


def _event_ids(prefix: str, month: np.ndarray, day: np.ndarray, snapshots: tuple[date, ...]) -> list[str]:
    """Readable unique ids: prefix, year-month of the snapshot month, sequence by date."""
    out = [""] * len(month)
    order = np.lexsort((np.arange(len(month)), day, month))
    seq = 0
    prev = -1
    for i in order.tolist():
        mo = int(month[i])
        if mo != prev:
            seq, prev = 0, mo
        seq += 1
        snap = snapshots[mo]
        out[i] = f"{prefix}{snap.year:04d}{snap.month:02d}{seq:06d}"
    return out


class _Writer:
    """Insert Arrow tables into the canonical tables of an open transaction.

    Tables are buffered up to :attr:`BATCH_ROWS` rows per insert, because DuckDB
    inserts a few big batches faster than many month-sized ones. Every value is cast
    to the column's schema type, so a type drift between generator and schema fails.
    Customers rows get their ``customer_key`` as a load gives it (see
    :func:`analytics.store.assign_customer_keys`).
    """

    BATCH_ROWS = 400_000

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.pending: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)

    def __call__(self, name: str, table: pa.Table) -> None:
        self.pending[name].append(table)
        self.counts[name] += table.num_rows
        if sum(t.num_rows for t in self.pending[name]) >= self.BATCH_ROWS:
            self._insert(name)

    def flush(self) -> None:
        for name in TABLES:
            self._insert(name)

    def _insert(self, name: str) -> None:
        parts, self.pending[name] = self.pending[name], []
        if not parts:
            return
        frame = pa.concat_tables(parts)
        spec = TABLES[name]
        select = ", ".join(f'CAST(f."{c.name}" AS {c.sql_type})' for c in spec.columns)
        keyed = CUSTOMER_KEY in spec.derived
        if keyed:  # rows keep their order: _pos is the row's place in the batch
            frame = frame.append_column("_pos", pa.array(np.arange(frame.num_rows, dtype=np.int64)))
        self.con.register("_demo_frame", frame)
        try:
            if keyed:
                # the customer keys, as a load gives them (new ids the next keys, in id order)
                assign_customer_keys(self.con, "_demo_frame")
                self.con.execute(
                    f'INSERT INTO "{name}" SELECT {select}, k.customer_key FROM _demo_frame f '
                    "LEFT JOIN customer_keys k ON k.customer_id = f.customer_id ORDER BY f._pos"
                )
            else:
                self.con.execute(f'INSERT INTO "{name}" SELECT {select} FROM _demo_frame f')
        finally:
            self.con.unregister("_demo_frame")


# -- public API ---------------------------------------------------------------------------
def build_demo(
    store: Store,
    *,
    customers: int = 105_000,
    months: int = 24,
    seed: int = 20261125,
    end: date | None = None,
    rules: TierRules | None = None,
) -> DemoSummary:
    """Replace the store's data with the deterministic synthetic demo portfolio.

    All four canonical tables (customers, prospects, surveys, complaints), the customer
    keys and the load log are emptied and refilled in one transaction, under the store's
    load lock; the load log gets one row per table with source ``'demo'``. Customer keys
    start again at 1 and are given as a load gives them.

    Parameters
    ----------
    store : Store
        The database to fill.
    customers : int, default 105,000
        Approximate number of customers per snapshot: about 95.2 % retail, the rest
        companies (85 %) and public institutions (15 %). The organisation scales with
        it (12 regions, 120 branches and 600 RMs at the default).
    months : int, default 24
        Number of monthly snapshots.
    seed : int, default 20261125
        Seed of the ``numpy`` PCG64 generator; the same arguments give identical tables.
    end : datetime.date, optional
        The last snapshot, a month end. Defaults to the last month end before today
        (so the default build changes with the calendar; pass ``end`` to pin it).
    rules : TierRules, optional
        Tier thresholds and service standards the service data is generated against;
        defaults to :func:`analytics.rules.load_rules`. Balances do not depend on them.

    Returns
    -------
    DemoSummary
        Row counts, snapshot dates and the build time.

    Raises
    ------
    TierscopeError
        For a non-month-end ``end``, fewer than 100 customers or fewer than one month.
    LoadBusyError
        When another load holds the store's load lock.
    """
    t0 = time.perf_counter()
    if customers < 100:
        raise TierscopeError(f"customers = {customers} is too small for a demo portfolio (at least 100)")
    if months < 1:
        raise TierscopeError(f"months = {months} must be at least 1")
    end = end or default_end()
    if end != _month_end(end.year, end.month):
        raise TierscopeError(f"end = {end.isoformat()} is not a month end")
    rules = rules or load_rules()
    gen = _Generator(customers, months, seed, end, rules)
    with store.load_lock():
        con = store.raw()
        con.execute("BEGIN TRANSACTION")
        try:
            for name in TABLES:
                con.execute(f'DELETE FROM "{name}"')
            con.execute("DELETE FROM load_log")
            con.execute("DELETE FROM customer_keys")  # the demo's customers are keyed afresh
            writer = _Writer(con)
            gen.run(writer)
            writer.flush()
            counts = writer.counts
            seconds = time.perf_counter() - t0
            loaded_at = datetime.now().replace(microsecond=0)
            for i, name in enumerate(TABLES, start=1):
                con.execute(
                    "INSERT INTO load_log VALUES (?, ?, NULL, ?, 'demo', ?, ?)",
                    [i, name, counts[name], loaded_at, round(seconds, 3)],
                )
            con.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
            raise
    org = gen.org
    return DemoSummary(
        snapshots=gen.snapshots,
        customers=counts["customers"],
        prospects=counts["prospects"],
        surveys=counts["surveys"],
        complaints=counts["complaints"],
        seconds=time.perf_counter() - t0,
        seed=seed,
        regions=len(org.regions),
        branches=len(org.branches),
        relationship_managers=len(org.rm_ids),
        surge_branch=org.branches[org.surge],
        low_service_branches=tuple(b for b, p in zip(org.branches, org.poor.tolist(), strict=True) if p),
    )
