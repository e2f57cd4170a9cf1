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
        "page_error": (
            "This view could not be drawn. The error has been written to the server log; "
            "try another snapshot or filter, or tell the Tierscope team what you did."
        ),
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
        "page_error": "该视图暂时无法显示，错误已记录到服务器日志。请尝试其他数据日期或筛选条件，或联系 Tierscope 团队。",
    },
}


# Overview page labels.
_OVERVIEW: dict[str, dict[str, str]] = {
    "en": {
        "ov_year_ago": "vs {date} (a year ago): {change}",
        "ov_year_ago_na": "vs a year ago: n/a (no {month} snapshot loaded)",
        "ov_previous_na": "vs previous snapshot: n/a (no earlier snapshot)",
        "ov_card_help": "Change vs the previous snapshot ({previous}) and vs a year ago ({year_ago}).",
        "ov_money_help": "Money in CNY.",
        "ov_na": "n/a",
        "ov_scope_head_office": "Head office",
        "ov_tiers_section": "Tier pyramid",
        "ov_pyramid_title": "Tier pyramid: share of customers and of AUM",
        "ov_panel_retail": "Retail",
        "ov_panel_corporate": "Corporate and institutions",
        "ov_customers_pct": "Customers %",
        "ov_aum_pct": "AUM %",
        "ov_pyramid_axis": "◀ share of customers (%)  |  share of AUM (%) ▶",
        "ov_history_section": "Tiers over time",
        "ov_history_aum_title": "AUM by tier, every snapshot",
        "ov_history_profit_title": "Profit contribution by tier, every snapshot",
        "ov_axis_unit": "{measure} ({unit})",
        "ov_unit_1": "CNY",
        "ov_unit_1e3": "CNY K",
        "ov_unit_1e6": "CNY M",
        "ov_unit_1e9": "CNY B",
        "ov_league_section": "League table by {level}",
        "ov_league_title": "{level} ranked by AUM",
        "ov_league_hint": "Click a bar or a table row to drill down to it; click a column header to sort.",
        "ov_aum_growth": "AUM growth %",
        "ov_aum_growth_help": "AUM now against AUM at {date} (the previous snapshot).",
        "ov_aum_growth_na": "No earlier snapshot is loaded: no growth to show.",
        "ov_affluent_plus_share": "Affluent+ %",
        "ov_affluent_plus_help": (
            "Affluent, high-net-worth and private banking customers as a share of the unit's retail customers."
        ),
        "ov_hnw_plus_aum_share": "HNW+ AUM %",
        "ov_hnw_plus_aum_help": (
            "Share of the unit's retail AUM held by high-net-worth and private banking customers."
        ),
        "ov_concentration_section": "Concentration of profit contribution",
        "ov_lorenz_title": "Lorenz curve of profit contribution",
        "ov_lorenz_x": "Customers, lowest to highest contribution (cumulative %)",
        "ov_lorenz_y": "Net profit contribution (cumulative %)",
        "ov_lorenz": "Lorenz curve",
        "ov_equality": "Equal contribution",
        "ov_gini": "Gini coefficient",
        "ov_top_share": "Top {pct}% of customers: share of net profit",
        "ov_top_marker": "Top {pct}%: {share} of net profit",
        "ov_loss_making": "Loss-making customers",
        "ov_loss_making_value": "{count} ({share})",
        "ov_loss_making_delta": "{loss} in total",
        "ov_concentration_note": (
            "Contributions are taken as they are, losses included, and every share is of the net "
            "profit (profits minus losses). With loss-making customers the curve first dips below "
            "zero, the top share can exceed 100% and the Gini coefficient can exceed 1."
        ),
        "ov_concentration_na": (
            "The net profit contribution is zero or negative: the shares and the Gini coefficient are "
            "not defined."
        ),
        "ov_top_customers": "Top {n} customers by profit contribution",
        "ov_col_customer_id": "Customer ID",
        "ov_col_customer_name": "Customer name",
        "ov_col_name": "Name",
        "ov_col_money": "{label} ({unit})",
    },
    "zh": {
        "ov_year_ago": "同比（较 {date}）：{change}",
        "ov_year_ago_na": "同比：无（未加载 {month} 数据）",
        "ov_previous_na": "环比：无（无更早数据）",
        "ov_card_help": "较上期（{previous}）及上年同期（{year_ago}）的变化。",
        "ov_money_help": "金额单位：元。",
        "ov_na": "无",
        "ov_scope_head_office": "总行",
        "ov_tiers_section": "客户分层金字塔",
        "ov_pyramid_title": "客户分层金字塔：客户数与金融资产占比",
        "ov_panel_retail": "个人客户",
        "ov_panel_corporate": "公司及机构客户",
        "ov_customers_pct": "客户数占比 %",
        "ov_aum_pct": "金融资产占比 %",
        "ov_pyramid_axis": "◀ 客户数占比（%）  |  金融资产占比（%）▶",
        "ov_history_section": "各层级走势",
        "ov_history_aum_title": "各层级金融资产（各期）",
        "ov_history_profit_title": "各层级利润贡献（各期）",
        "ov_axis_unit": "{measure}（{unit}）",
        "ov_unit_1": "元",
        "ov_unit_1e4": "万元",
        "ov_unit_1e8": "亿元",
        "ov_league_section": "{level}排名",
        "ov_league_title": "{level}金融资产排名",
        "ov_league_hint": "点击柱形或表格中的一行即可下钻；点击列标题可排序。",
        "ov_aum_growth": "金融资产增长 %",
        "ov_aum_growth_help": "当期金融资产较上期（{date}）的增长。",
        "ov_aum_growth_na": "未加载更早的数据，无法计算增长。",
        "ov_affluent_plus_share": "富裕及以上占比 %",
        "ov_affluent_plus_help": "富裕、高净值及私人银行客户占该单位个人客户数的比例。",
        "ov_hnw_plus_aum_share": "高净值及以上资产占比 %",
        "ov_hnw_plus_aum_help": "高净值及私人银行客户持有的金融资产占该单位个人客户金融资产的比例。",
        "ov_concentration_section": "利润贡献集中度",
        "ov_lorenz_title": "利润贡献洛伦兹曲线",
        "ov_lorenz_x": "客户（按利润贡献从低到高排序，累计 %）",
        "ov_lorenz_y": "净利润贡献（累计 %）",
        "ov_lorenz": "洛伦兹曲线",
        "ov_equality": "均等分布线",
        "ov_gini": "基尼系数",
        "ov_top_share": "前 {pct}% 客户贡献的净利润占比",
        "ov_top_marker": "前 {pct}% 客户：占净利润 {share}",
        "ov_loss_making": "亏损客户",
        "ov_loss_making_value": "{count}（{share}）",
        "ov_loss_making_delta": "合计 {loss}",
        "ov_concentration_note": (
            "利润贡献按实际值计算（含亏损），各占比均以净利润（盈利减亏损）为基数。存在亏损客户时，"
            "曲线会先降至零以下，头部客户占比可超过 100%，基尼系数也可能大于 1。"
        ),
        "ov_concentration_na": "净利润贡献为零或负数，无法计算占比和基尼系数。",
        "ov_top_customers": "利润贡献前 {n} 名客户",
        "ov_col_customer_id": "客户号",
        "ov_col_customer_name": "客户名称",
        "ov_col_name": "名称",
        "ov_col_money": "{label}（{unit}）",
    },
}

# Data page labels (upload, validation report, snapshots).
_DATA: dict[str, dict[str, str]] = {
    "en": {
        "data_empty_body": (
            "The database {db} has no customer snapshots. Build the demo portfolio to explore the "
            "dashboard, or load your own monthly exports below."
        ),
        "data_tab_load": "Load files",
        "data_tab_loaded": "Loaded data",
        "data_table_customers": "Customers (monthly snapshot)",
        "data_table_prospects": "Prospects (monthly snapshot)",
        "data_table_surveys": "Satisfaction surveys",
        "data_table_complaints": "Complaints",
        "data_upload_table": "Table",
        "data_upload_files": "Files (CSV, Excel .xlsx, Parquet)",
        "data_upload_help": (
            "Several files at once form one load: all of them are loaded, or none. Up to {limit} MB "
            "per file; load bigger files from the command line: "
            "`python -m analytics load --table {table} FILE...`"
        ),
        "data_mapping": "Mapping",
        "data_mapping_none": "None (built-in header aliases only)",
        "data_mapping_upload": "Upload a mapping file (TOML)...",
        "data_mapping_file": "Mapping file (TOML)",
        "data_mapping_help": (
            "A mapping file adapts an export whose headers or values the built-in aliases do not "
            "cover (see docs/loading.md)."
        ),
        "data_snapshot_input": "Snapshot date",
        "data_snapshot_input_help": (
            "Needed when the file has no snapshot date column; when it has one, every row must "
            "carry this date. By convention a month end."
        ),
        "data_sheet": "Excel sheet (optional)",
        "data_sheet_help": "Leave empty to read the first sheet.",
        "data_inspecting": "Reading and checking the files...",
        "data_check_title": "Check before loading",
        "data_nothing_written": "Nothing has been written yet: check what the files hold, then confirm.",
        "data_rows": "Rows",
        "data_files": "Files",
        "data_snapshot_dates": "Snapshot date",
        "data_replaces": "Existing rows replaced",
        "data_encodings": "Encoding per file",
        "data_col_file": "File",
        "data_col_encoding": "Encoding",
        "data_no_encoding": "– (Excel / Parquet: no text encoding)",
        "data_recognised": "Recognised columns",
        "data_col_header": "Header in the file",
        "data_col_column": "Column",
        "data_col_how": "Matched by",
        "data_col_unit": "Unit",
        "data_how_alias": "built-in alias",
        "data_how_mapping": "mapping file",
        "data_how_ignored": "ignored (mapping)",
        "data_how_unrecognised": "not recognised",
        "data_how_duplicate": "duplicate",
        "data_unused": "Headers not used",
        "data_unused_none": "Every header is used.",
        "data_absent": "Columns not in the file and what they get",
        "data_col_gets": "Value",
        "data_absent_empty": "empty",
        "data_absent_default": "default: {value}",
        "data_absent_mapping_default": "mapping default: {value}",
        "data_absent_snapshot": "the snapshot date given: {value}",
        "data_absent_derived": "derived: <file name>-<row number>",
        "data_preview": "Preview: the first {n} rows as they would be stored",
        "data_report_title": "Validation report",
        "data_report_problems": (
            "{n} problem(s) found: nothing can be loaded. Fix the file(s) and upload them again."
        ),
        "data_report_truncated": "Only the first {n} problems are listed; the files hold more.",
        "data_col_row": "Row",
        "data_col_reason": "Reason",
        "data_ready": "All {rows} rows pass the checks.",
        "data_replace_warning": "Loading replaces {rows} rows now in the database ({what}).",
        "data_confirm_load": "Confirm load",
        "data_loading": "Loading...",
        "data_loaded": (
            "Loaded {rows} rows into {table} in {seconds} s ({replaced} existing rows replaced). "
            "Every page now shows the new data."
        ),
        "data_busy": "A load is already running on this database. Try again when it has finished.",
        "data_error_nothing_changed": "{message}\n\nNothing was changed.",
        "data_duplicate_name": "Two of the files are named {name}: rename one and upload them again.",
        "data_catalogue_title": "Loaded snapshots and tables",
        "data_catalogue_empty": "Nothing is loaded yet.",
        "data_col_table": "Table",
        "data_col_snapshot": "Snapshot date / period",
        "data_col_rows": "Rows",
        "data_col_loaded_at": "Last loaded",
        "data_col_source": "Source",
        "data_source_demo": "demo portfolio",
        "data_source_deleted": "deleted",
        "data_delete_title": "Delete a snapshot",
        "data_delete_select": "Snapshot to delete",
        "data_delete_placeholder": "Choose a snapshot to delete",
        "data_delete_button": "Delete...",
        "data_delete_confirm_text": (
            "Delete the {table} snapshot of {date} ({rows} rows)? This cannot be undone; the "
            "deletion is recorded in the load log."
        ),
        "data_delete_confirm": "Yes, delete it",
        "data_cancel": "Cancel",
        "data_deleted": "Deleted the {table} snapshot of {date}: {rows} rows removed.",
        "data_history": "Load log",
        "data_history_help": "Every load, demo build and deletion; a deletion has negative rows.",
        "data_col_load_id": "Load",
        "data_col_seconds": "Seconds",
    },
    "zh": {
        "data_empty_body": "数据库 {db} 中没有客户快照。可生成演示数据体验看板，或在下方导入每月数据。",
        "data_tab_load": "导入文件",
        "data_tab_loaded": "已导入数据",
        "data_table_customers": "客户（月度快照）",
        "data_table_prospects": "目标客户（月度快照）",
        "data_table_surveys": "满意度调查",
        "data_table_complaints": "投诉",
        "data_upload_table": "数据表",
        "data_upload_files": "文件（CSV、Excel .xlsx、Parquet）",
        "data_upload_help": (
            "一次上传的多个文件作为一次导入：要么全部导入，要么都不导入。单个文件不超过 {limit} MB；"
            "更大的文件请用命令行导入：`python -m analytics load --table {table} 文件...`"
        ),
        "data_mapping": "字段映射",
        "data_mapping_none": "不使用（仅按内置表头别名识别）",
        "data_mapping_upload": "上传映射文件（TOML）……",
        "data_mapping_file": "映射文件（TOML）",
        "data_mapping_help": "内置别名无法识别的表头或取值，可用映射文件对应（见 docs/loading.md）。",
        "data_snapshot_input": "数据日期",
        "data_snapshot_input_help": "文件中没有数据日期列时必填；若文件有该列，则每行都须等于此日期。按惯例为月末。",
        "data_sheet": "Excel 工作表（可选）",
        "data_sheet_help": "留空则读取第一个工作表。",
        "data_inspecting": "正在读取并校验文件……",
        "data_check_title": "导入前检查",
        "data_nothing_written": "尚未写入任何数据：请先核对文件内容，再确认导入。",
        "data_rows": "行数",
        "data_files": "文件数",
        "data_snapshot_dates": "数据日期",
        "data_replaces": "将被替换的现有行",
        "data_encodings": "各文件编码",
        "data_col_file": "文件",
        "data_col_encoding": "编码",
        "data_no_encoding": "–（Excel / Parquet：无文本编码）",
        "data_recognised": "已识别的列",
        "data_col_header": "文件表头",
        "data_col_column": "标准字段",
        "data_col_how": "识别方式",
        "data_col_unit": "单位",
        "data_how_alias": "内置别名",
        "data_how_mapping": "映射文件",
        "data_how_ignored": "已忽略（映射）",
        "data_how_unrecognised": "未识别",
        "data_how_duplicate": "重复",
        "data_unused": "未使用的表头",
        "data_unused_none": "所有表头均已使用。",
        "data_absent": "文件中缺少的字段及其取值",
        "data_col_gets": "取值",
        "data_absent_empty": "空值",
        "data_absent_default": "默认值：{value}",
        "data_absent_mapping_default": "映射文件默认值：{value}",
        "data_absent_snapshot": "所填数据日期：{value}",
        "data_absent_derived": "派生：<文件名>-<行号>",
        "data_preview": "预览：前 {n} 行（按入库后的格式）",
        "data_report_title": "校验报告",
        "data_report_problems": "发现 {n} 个问题，无法导入。请修改文件后重新上传。",
        "data_report_truncated": "仅列出前 {n} 个问题，文件中还有更多问题。",
        "data_col_row": "行",
        "data_col_reason": "原因",
        "data_ready": "全部 {rows} 行均通过校验。",
        "data_replace_warning": "本次导入将替换数据库中现有的 {rows} 行（{what}）。",
        "data_confirm_load": "确认导入",
        "data_loading": "正在导入……",
        "data_loaded": "已向 {table} 导入 {rows} 行，用时 {seconds} 秒（替换现有 {replaced} 行）。各页面已显示新数据。",
        "data_busy": "已有导入任务正在运行，请待其完成后再试。",
        "data_error_nothing_changed": "{message}\n\n数据未作任何更改。",
        "data_duplicate_name": "有两个文件同名（{name}）：请重命名其中一个后重新上传。",
        "data_catalogue_title": "已导入的快照与数据表",
        "data_catalogue_empty": "尚未导入任何数据。",
        "data_col_table": "数据表",
        "data_col_snapshot": "数据日期 / 期间",
        "data_col_rows": "行数",
        "data_col_loaded_at": "最近导入时间",
        "data_col_source": "来源",
        "data_source_demo": "演示数据",
        "data_source_deleted": "已删除",
        "data_delete_title": "删除快照",
        "data_delete_select": "要删除的快照",
        "data_delete_placeholder": "选择要删除的快照",
        "data_delete_button": "删除……",
        "data_delete_confirm_text": "确定删除 {table} {date} 的快照（{rows} 行）吗？删除后无法恢复，删除操作会记入导入日志。",
        "data_delete_confirm": "确认删除",
        "data_cancel": "取消",
        "data_deleted": "已删除 {table} {date} 的快照：共删除 {rows} 行。",
        "data_history": "导入日志",
        "data_history_help": "每次导入、生成演示数据和删除操作；删除记为负行数。",
        "data_col_load_id": "批次",
        "data_col_seconds": "用时（秒）",
    },
}

# Segmentation page labels (classification tree, value matrices, heatmaps).
_SEGMENTATION: dict[str, dict[str, str]] = {
    "en": {
        "page_segmentation": "Segmentation",
        "seg_intro": (
            "Classify, then tier, then place each group on two value dimensions to find the most "
            "attractive groups."
        ),
        "seg_no_data": "Nothing to show for this selection.",
        # classification tree
        "seg_tree_section": "Classification tree of corporate and institutional customers",
        "seg_tree_title": "Corporate and institutional customers by class (area: {measure})",
        "seg_tree_size": "Area shows",
        "seg_tree_hint": (
            "Click a ring of the chart, or choose a node, to narrow the matrix and the heatmaps below to "
            "that node's tiers; the centre (all corporate and institutional customers) removes the filter."
        ),
        "seg_tree_retail": (
            "The classification tree covers corporate and institutional customers only, and the sidebar "
            "shows retail customers: the tree is hidden. Choose All or Corporate in the sidebar to see it."
        ),
        "seg_tree_empty": "No corporate or institutional customers in this view.",
        "seg_tree_table": "The tree as a table",
        "seg_node": "Filter the page to",
        "seg_node_corporate": "Corporate and institutions",
        "seg_node_loan": "With loans",
        "seg_node_loan.company": "Companies with loans",
        "seg_node_loan.company.traditional": "Traditional companies",
        "seg_node_no_loan": "Without loans",
        "seg_node_no_loan.company": "Companies without loans",
        "seg_col_node": "Node",
        "seg_col_tiers": "Tiers",
        "seg_scope_all": "The matrix and the heatmaps below cover every customer of this view.",
        "seg_scope_node": "The matrix and the heatmaps below cover {node} only: {tiers}.",
        "seg_node_empty": "No customers in {node} in this view: choose another node.",
        # value matrices
        "seg_existing_section": "Existing customers: profit contribution × bank-to-customer value",
        "seg_existing_title": "Existing customers: profit contribution × bank-to-customer value",
        "seg_target_section": "Target customers (prospects): potential value × fit",
        "seg_target_title": "Prospects: potential value × fit",
        "seg_axis_bank_value": "Bank-to-customer value (score)",
        "seg_axis_potential_value": "Potential value (score)",
        "seg_axis_fit": "Fit (score)",
        "seg_bank_value": "Bank value",
        "seg_potential_value": "Potential value",
        "seg_fit": "Fit",
        "seg_estimated_aum": "Estimated AUM",
        "seg_industry": "Industry",
        "seg_quadrant": "Quadrant",
        "seg_target_class": "Class",
        "seg_class_important": "Important",
        "seg_class_quality": "Quality",
        "seg_class_ordinary": "Ordinary",
        "seg_class_exit": "Exit",
        "seg_class_gold": "Gold",
        "seg_class_potential": "Potential",
        "seg_class_watch": "Watch",
        "seg_class_general": "General",
        "seg_class_help_important": "high profit, high value",
        "seg_class_help_quality": "high profit, low value",
        "seg_class_help_ordinary": "low profit, high value",
        "seg_class_help_exit": "low profit, low value",
        "seg_class_help_gold": "high potential, high fit",
        "seg_class_help_potential": "high potential, low fit",
        "seg_class_help_watch": "low potential, high fit",
        "seg_class_help_general": "low potential, low fit",
        "seg_sample_existing": "{n} of {total} customers shown, a sample",
        "seg_sample_target": "{n} of {total} prospects shown, a sample",
        "seg_cut_profit_contribution": "Profit contribution cut (CNY)",
        "seg_cut_bank_value": "Bank-value cut (score)",
        "seg_cut_potential_value": "Potential-value cut (score)",
        "seg_cut_fit": "Fit cut (score)",
        "seg_cut_help": "A value equal to the cut point counts as high. The default is {source}.",
        "seg_reset_cuts": "Reset to medians",
        "seg_reset_defaults": "Reset to defaults",
        "seg_source_median": "the median of the customers shown: {value}",
        "seg_source_rules": "the number in the tier rules: {value}",
        "seg_source_prospects_median": "the median of the prospects shown: {value}",
        "seg_cuts_in_use": "Cut points in use: {x} {x_cut} ({x_source}), {y} {y_cut} ({y_source}).",
        "seg_in_use_median": "median",
        "seg_in_use_rules": "tier rules",
        "seg_in_use_chosen": "chosen",
        "seg_value_score": "Bank-to-customer value: the bank_value_score column of the data.",
        "seg_value_composite": (
            "Bank-to-customer value: composite score (0-100) of percentile ranks within the customers "
            "shown, weights from the tier rules: {weights}."
        ),
        "seg_weight_product_coverage": "product coverage",
        "seg_weight_tenure": "tenure",
        "seg_weight_activity": "activity",
        "seg_weight_satisfaction": "satisfaction",
        "seg_weight_balance_growth": "balance growth",
        "seg_potential_source": (
            "Potential value = weighted prospect scores, weights from the tier rules: {weights}; fit = the "
            "fit_score column. Prospects of the snapshot {date}."
        ),
        "seg_weight_industry": "industry",
        "seg_weight_growth": "growth",
        "seg_weight_influence": "influence",
        "seg_col_customers_share": "Share of customers %",
        "seg_col_aum_share": "Share of AUM %",
        "seg_col_profit_share": "Share of profit %",
        "seg_col_prospects": "Prospects",
        "seg_col_prospects_share": "Share of prospects %",
        "seg_col_estimated_aum_share": "Share of estimated AUM %",
        "seg_profit_share_help": (
            "Share of the net profit contribution: with loss-making customers a quadrant can hold more "
            "than 100% or a negative share."
        ),
        "seg_choose_quadrant": "Customers of the quadrant",
        "seg_choose_class": "Prospects of the class",
        "seg_list_count": "{n} listed, largest profit contribution first.",
        "seg_list_count_prospects": "{n} listed, highest potential value first.",
        "seg_list_truncated": "The first {n} are listed, largest profit contribution first.",
        "seg_list_truncated_prospects": "The first {n} are listed, highest potential value first.",
        "seg_list_empty": "None in this class.",
        "seg_col_prospect_id": "Prospect ID",
        "seg_col_prospect_name": "Prospect name",
        "seg_no_prospects": (
            "No prospects are loaded for this view (on or before the snapshot {date}). Load a prospects "
            "file on the Data page to see the target-customer matrix."
        ),
        # heatmaps
        "seg_heatmaps_section": "Heatmaps: tiers by {level} and by quadrant",
        "seg_heatmap_unit": "Rows",
        "seg_heatmap_measure": "Cells show",
        "seg_heatmap_unit_title": "{measure} by tier and {level}",
        "seg_heatmap_quadrant_title": "{measure} by tier and quadrant",
        "seg_row_share": "Share of the tier",
        "seg_axis_clipped": (
            "Axes end at the 1st and 99th percentiles: autoscale (chart toolbar) shows every point."
        ),
    },
    "zh": {
        "page_segmentation": "客户细分",
        "seg_intro": "先分类、再分层，然后把各客户群放到两个价值维度上，找出最有吸引力的客户群。",
        "seg_no_data": "当前筛选条件下没有可显示的数据。",
        "seg_tree_section": "公司及机构客户分类树",
        "seg_tree_title": "公司及机构客户分类（面积：{measure}）",
        "seg_tree_size": "面积表示",
        "seg_tree_hint": "点击图中的扇区或在下方选择节点，即可将下方的矩阵和热力图限定在该节点的层级；选择中心（全部公司及机构客户）则取消限定。",
        "seg_tree_retail": "分类树仅包含公司及机构客户，而侧边栏当前只显示个人客户，因此不显示分类树。请在侧边栏选择“全部”或“公司客户”。",
        "seg_tree_empty": "当前视图中没有公司或机构客户。",
        "seg_tree_table": "分类树明细表",
        "seg_node": "页面限定为",
        "seg_node_corporate": "公司及机构客户",
        "seg_node_loan": "有贷款",
        "seg_node_loan.company": "有贷企业",
        "seg_node_loan.company.traditional": "传统企业",
        "seg_node_no_loan": "无贷款",
        "seg_node_no_loan.company": "无贷企业",
        "seg_col_node": "节点",
        "seg_col_tiers": "层级",
        "seg_scope_all": "下方的矩阵和热力图包含当前视图的全部客户。",
        "seg_scope_node": "下方的矩阵和热力图仅包含{node}：{tiers}。",
        "seg_node_empty": "当前视图中{node}没有客户，请选择其他节点。",
        "seg_existing_section": "存量客户：利润贡献 × 银行对客户价值",
        "seg_existing_title": "存量客户矩阵：利润贡献 × 银行对客户价值",
        "seg_target_section": "目标客户：潜在价值 × 匹配度",
        "seg_target_title": "目标客户矩阵：潜在价值 × 匹配度",
        "seg_axis_bank_value": "银行对客户价值（评分）",
        "seg_axis_potential_value": "潜在价值（评分）",
        "seg_axis_fit": "匹配度（评分）",
        "seg_bank_value": "客户价值",
        "seg_potential_value": "潜在价值",
        "seg_fit": "匹配度",
        "seg_estimated_aum": "预计金融资产",
        "seg_industry": "行业",
        "seg_quadrant": "象限",
        "seg_target_class": "类别",
        "seg_class_important": "重要客户",
        "seg_class_quality": "优质客户",
        "seg_class_ordinary": "普通客户",
        "seg_class_exit": "退出客户",
        "seg_class_gold": "金牌目标",
        "seg_class_potential": "潜力目标",
        "seg_class_watch": "观察目标",
        "seg_class_general": "一般目标",
        "seg_class_help_important": "高利润、高价值",
        "seg_class_help_quality": "高利润、低价值",
        "seg_class_help_ordinary": "低利润、高价值",
        "seg_class_help_exit": "低利润、低价值",
        "seg_class_help_gold": "高潜在价值、高匹配度",
        "seg_class_help_potential": "高潜在价值、低匹配度",
        "seg_class_help_watch": "低潜在价值、高匹配度",
        "seg_class_help_general": "低潜在价值、低匹配度",
        "seg_sample_existing": "图中显示 {total} 名客户中的 {n} 名（抽样）",
        "seg_sample_target": "图中显示 {total} 个目标客户中的 {n} 个（抽样）",
        "seg_cut_profit_contribution": "利润贡献分界点（元）",
        "seg_cut_bank_value": "客户价值分界点（评分）",
        "seg_cut_potential_value": "潜在价值分界点（评分）",
        "seg_cut_fit": "匹配度分界点（评分）",
        "seg_cut_help": "等于分界点的值计为“高”。默认值为{source}。",
        "seg_reset_cuts": "恢复为中位数",
        "seg_reset_defaults": "恢复默认值",
        "seg_source_median": "所示客户的中位数：{value}",
        "seg_source_rules": "分层规则中设定的数值：{value}",
        "seg_source_prospects_median": "所示目标客户的中位数：{value}",
        "seg_cuts_in_use": "当前分界点：{x} {x_cut}（{x_source}），{y} {y_cut}（{y_source}）。",
        "seg_in_use_median": "中位数",
        "seg_in_use_rules": "分层规则",
        "seg_in_use_chosen": "自定义",
        "seg_value_score": "银行对客户价值：取自数据中的 bank_value_score 列。",
        "seg_value_composite": "银行对客户价值：综合评分（0-100），按所示客户内的百分位排名加权，权重取自分层规则：{weights}。",
        "seg_weight_product_coverage": "产品覆盖",
        "seg_weight_tenure": "合作年限",
        "seg_weight_activity": "活跃度",
        "seg_weight_satisfaction": "满意度",
        "seg_weight_balance_growth": "资产增长",
        "seg_potential_source": "潜在价值 = 目标客户各项评分的加权和，权重取自分层规则：{weights}；匹配度 = fit_score 列。目标客户数据日期：{date}。",
        "seg_weight_industry": "行业",
        "seg_weight_growth": "成长性",
        "seg_weight_influence": "影响力",
        "seg_col_customers_share": "客户数占比 %",
        "seg_col_aum_share": "金融资产占比 %",
        "seg_col_profit_share": "利润贡献占比 %",
        "seg_col_prospects": "目标客户数",
        "seg_col_prospects_share": "目标客户数占比 %",
        "seg_col_estimated_aum_share": "预计金融资产占比 %",
        "seg_profit_share_help": "占净利润贡献的比例：存在亏损客户时，某一象限的占比可能超过 100% 或为负。",
        "seg_choose_quadrant": "查看象限客户",
        "seg_choose_class": "查看类别目标客户",
        "seg_list_count": "共 {n} 名，按利润贡献从高到低排列。",
        "seg_list_count_prospects": "共 {n} 个，按潜在价值从高到低排列。",
        "seg_list_truncated": "仅列出前 {n} 名，按利润贡献从高到低排列。",
        "seg_list_truncated_prospects": "仅列出前 {n} 个，按潜在价值从高到低排列。",
        "seg_list_empty": "该类别中没有客户。",
        "seg_col_prospect_id": "目标客户号",
        "seg_col_prospect_name": "目标客户名称",
        "seg_no_prospects": "当前视图中没有目标客户数据（数据日期 {date} 或更早）。请在“数据管理”页导入目标客户文件后查看目标客户矩阵。",
        "seg_heatmaps_section": "热力图：各层级 × {level}、各层级 × 象限",
        "seg_heatmap_unit": "行",
        "seg_heatmap_measure": "单元格显示",
        "seg_heatmap_unit_title": "各层级、各{level}的{measure}",
        "seg_heatmap_quadrant_title": "各层级、各象限的{measure}",
        "seg_row_share": "占该层级比例",
        "seg_axis_clipped": "坐标轴截至第 1 和第 99 百分位；点击图表工具栏的“自动缩放”可显示全部点。",
    },
}


# Satisfaction & complaints page labels.
_TRENDS: dict[str, dict[str, str]] = {
    "en": {
        "page_trends": "Satisfaction & complaints",
        "tr_intro": (
            "Monthly satisfaction and complaints with the statistics behind them: every figure names its "
            "method and sample size (n), and a series too short for a method says so instead of drawing it."
        ),
        "tr_tab_satisfaction": "Satisfaction",
        "tr_tab_complaints": "Complaints",
        "tr_tab_links": "Links",
        "tr_no_data": "Nothing to show for this selection.",
        "tr_no_customers": (
            "No customer snapshots are loaded: complaint rates, tiers and the links to customers need them. "
            "Scores and complaint counts are shown."
        ),
        "tr_no_surveys_loaded": (
            "No satisfaction surveys are loaded. Load a surveys file on the Data page, or with "
            "`python -m analytics load --table surveys FILE`."
        ),
        "tr_no_complaints_loaded": (
            "No complaints are loaded. Load a complaints file on the Data page, or with "
            "`python -m analytics load --table complaints FILE`."
        ),
        "tr_no_surveys_view": "No surveys in this selection. Widen the filters in the sidebar.",
        "tr_no_complaints_view": "No complaints in this selection. Widen the filters in the sidebar.",
        "tr_links_need": "The links need {what} loaded.",
        "tr_need_surveys_complaints": "surveys and complaints",
        "tr_need_customers_complaints": "customer snapshots and complaints",
        "tr_need_all": "customer snapshots, surveys and complaints",
        # breakdowns and groups
        "tr_by": "Break down by",
        "tr_by_none": "None",
        "tr_by_channel": "Channel",
        "tr_by_category": "Category",
        "tr_all": "All",
        "tr_group_unknown": "Unknown (anonymous or not a customer)",
        "tr_group_unassigned": "Unassigned",
        "tr_largest_groups": "Showing the {shown} largest of {total} groups by {what}.",
        "tr_largest_by_surveys": "surveys",
        "tr_largest_by_complaints": "complaints",
        "tr_channel_phone": "Phone",
        "tr_channel_wechat": "WeChat",
        "tr_channel_sms": "SMS",
        "tr_channel_app": "Mobile app",
        "tr_channel_branch": "Branch",
        "tr_channel_regulator_12378": "Regulator (12378)",
        "tr_channel_unknown": "Unknown",
        "tr_cat_fees": "Fees",
        "tr_cat_wait_time": "Waiting time",
        "tr_cat_service_attitude": "Service attitude",
        "tr_cat_online_banking": "Online banking",
        "tr_cat_card": "Cards",
        "tr_cat_other": "Other",
        "tr_cat_loan_process": "Loan process",
        "tr_cat_wealth_mis_selling": "Wealth product mis-selling",
        # axes and legends
        "tr_axis_month": "Month",
        "tr_axis_score": "Mean score (0–{scale})",
        "tr_axis_score_plain": "Mean score",
        "tr_axis_complaints": "Complaints",
        "tr_axis_rate": "Complaints per 10,000 customers",
        "tr_axis_open": "Open complaints",
        "tr_measure_score": "mean satisfaction score",
        "tr_measure_complaints": "monthly complaints",
        "tr_measure_rate": "complaints per 10,000 customers",
        "tr_band": "95% confidence band",
        "tr_mean": "Mean score",
        "tr_observed": "Observed",
        "tr_forecast": "Forecast",
        "tr_interval": "95% prediction interval",
        "tr_centre": "Centre line",
        "tr_limits": "Control limits",
        "tr_flagged": "Flagged month",
        "tr_surveys": "Surveys",
        "tr_complaints": "Complaints",
        "tr_rate": "Per 10,000 customers",
        "tr_customers": "Customers",
        # satisfaction
        "tr_sat_section": "Monthly mean score",
        "tr_sat_title": "Mean satisfaction score by month, with 95% confidence band",
        "tr_sat_title_by": "Mean satisfaction score by month and {by}, with 95% confidence bands",
        "tr_sat_caption": (
            "Mean of the month's survey scores; the band is the 95% t interval of the mean "
            "(mean ± t·s/√n; none for a month with one survey). n = {n} surveys over {months} months."
        ),
        "tr_sat_table": "The monthly figures",
        "tr_col_month": "Month",
        "tr_col_group": "Group",
        "tr_col_n": "Surveys (n)",
        "tr_col_mean": "Mean score",
        "tr_col_ci_low": "95% CI low",
        "tr_col_ci_high": "95% CI high",
        "tr_col_complaints": "Complaints",
        "tr_col_customers": "Customers",
        "tr_col_rate": "Per 10,000 customers",
        "tr_col_months": "Months (n)",
        "tr_col_slope": "Slope per month",
        "tr_col_p": "p-value",
        "tr_col_verdict": "Verdict",
        "tr_dist_section": "Score distribution",
        "tr_dist_title": "Surveys by score",
        "tr_axis_score_value": "Score",
        "tr_axis_share": "Share of surveys",
        "tr_dist_caption": "n = {n} surveys, {first} to {last}.",
        "tr_nps_detractors": "Detractors (0–6)",
        "tr_nps_passives": "Passives (7–8)",
        "tr_nps_promoters": "Promoters (9–10)",
        "tr_nps_section": "Net Promoter Score",
        "tr_nps": "NPS",
        "tr_nps_caption": (
            "{method}: {promoters} promoters, {passives} passives and {detractors} detractors of n = {n} "
            "surveys, {first} to {last}."
        ),
        "tr_nps_na": "NPS is not applicable: {reason}.",
        # trend, STL, forecast, anomalies
        "tr_trend_section": "Is it getting better? The trend verdict",
        "tr_verdict": "Verdict",
        "tr_verdict_improving": "Improving",
        "tr_verdict_declining": "Declining",
        "tr_verdict_none": "No significant trend",
        "tr_verdict_short": "Too short",
        "tr_slope": "Slope per month",
        "tr_p_value": "p-value",
        "tr_trend_caption": (
            "Slope {slope} per month (95% CI {low} to {high}), {p}, n = {months} months; significant "
            "below p = {alpha}. Method: {method}."
        ),
        "tr_trend_constant": "The series is constant: no trend. n = {months} months. Method: {method}.",
        "tr_group_trends": "Trend verdict of each group shown",
        "tr_too_short": "{what} needs at least {minimum} months; this series has {n}.",
        "tr_what_trend": "A trend test",
        "tr_what_stl": "A seasonal decomposition (STL)",
        "tr_what_forecast": "A forecast",
        "tr_what_chart": "A control chart",
        "tr_stl_section": "Season and trend (STL)",
        "tr_stl_title": "Seasonal-trend decomposition (STL) of the {measure}",
        "tr_stl_observed": "Observed",
        "tr_stl_trend": "Trend",
        "tr_stl_seasonal": "Seasonal",
        "tr_stl_resid": "Remainder",
        "tr_stl_caption": "Method: {method}. n = {n} months{filled}.",
        "tr_filled": " ({k} missing month(s) interpolated)",
        "tr_fc_section": "Forecast: the next {months} months",
        "tr_fc_title": "Forecast of the {measure}, with 95% prediction interval",
        "tr_fc_caption": "Model: {method}. Fitted on n = {n} months{filled}.",
        "tr_fc_na": "No forecast: {message}",
        "tr_anom_section": "Months out of the ordinary",
        "tr_anom_title": "Control chart of the {measure}",
        "tr_rule_u-chart": "u-chart, 3-sigma limits",
        "tr_rule_laney-u-chart": "Laney u′-chart, 3-sigma limits",
        "tr_rule_stl-residual": "STL residuals beyond 3 robust SD",
        "tr_rule_c-chart": "c-chart, 3-sigma limits",
        "tr_rule_xbar-chart": "x̄-chart, 3-sigma limits",
        "tr_rule_laney-xbar-chart": "Laney x̄′-chart, 3-sigma limits",
        "tr_rule_note": "{rule} · centre {centre} · {k} month(s) flagged",
        "tr_anom_caption": "Method: {method}. n = {n} months charted. Flagged: {months}.",
        "tr_anom_none": "none",
        "tr_anom_fallback": "Note: {message}.",
        # complaints
        "tr_comp_section": "Monthly complaints",
        "tr_comp_count_title": "Complaints received by month",
        "tr_comp_count_title_by": "Complaints received by month and {by}",
        "tr_comp_rate_title": "Complaints per 10,000 customers by month",
        "tr_comp_rate_title_by": "Complaints per 10,000 customers by month and {by}",
        "tr_comp_caption": "n = {n} complaints over {months} months (months without complaints count 0).",
        "tr_comp_rate_caption": "Rate = complaints / customers in the month's snapshot × 10,000{per}.",
        "tr_comp_per_all": "; by category or channel it is per 10,000 of all the view's customers",
        "tr_comp_no_rate": "No customer snapshot for these months: counts only, no rate.",
        "tr_comp_table": "The monthly figures",
        "tr_pareto_section": "What customers complain about (Pareto)",
        "tr_pareto_title": "Complaints by category, largest first",
        "tr_cumulative": "Cumulative share",
        "tr_axis_cumulative": "Cumulative share of complaints",
        "tr_pareto_caption": "n = {n} complaints, all months; an empty category counts as Other.",
        "tr_res_section": "Resolution and backlog",
        "tr_within": "Resolved within (days)",
        "tr_median_days": "Median days to resolve",
        "tr_share_within": "Resolved within {days} days",
        "tr_open_backlog": "Open backlog",
        "tr_days": "{days:g} days",
        "tr_res_caption": (
            "As of {as_of}: n = {n} complaints received; {resolved} resolved with a date (the timings are "
            "of these), {within} of them within {days} days. Method: {method}."
        ),
        "tr_res_without_date": "{k} marked resolved without a date: closed, but not timed.",
        "tr_res_invalid": "{k} with a resolution date before the received date (a data error): left out.",
        "tr_res_method": (
            "days = resolved date − received date; median of the resolved complaints with a date; open = "
            "marked open without a resolution date, or resolved after the as-of day"
        ),
        "tr_backlog_title": "Open complaints at each month end",
        "tr_comp_on_rate": (
            "Trend, forecast and control chart on the rate per 10,000 customers ({months} months with a "
            "customer snapshot): fair when the customer base grows or shrinks."
        ),
        "tr_comp_on_count": (
            "Trend, forecast and control chart on the monthly counts: too few months have a customer "
            "snapshot for a rate."
        ),
        # links
        "tr_link_sat_section": "Satisfaction of complainants against other customers",
        "tr_link_complainants": "Complainants' mean score",
        "tr_link_others": "Others' mean score",
        "tr_link_difference": "Difference",
        "tr_link_sat_caption": (
            "n = {n1} and {n0} identified surveys (anonymous surveys take no part); {p}. Method: {method}. "
            "An association, not a cause."
        ),
        "tr_link_sat_short": (
            "A t test needs at least 2 identified surveys in each group; complainants {n1}, others {n0}."
        ),
        "tr_link_churn_section": "Closures within 3 months: complainants against others",
        "tr_link_churn_complainants": "Complainants who closed",
        "tr_link_churn_others": "Others who closed",
        "tr_link_churn_caption": (
            "n = {n1} and {n0} customer-snapshots over {starts} starting snapshots; {p}. Method: {method}."
        ),
        "tr_link_churn_none": "No customer closed, or all did, in both groups: no test possible.",
        "tr_link_churn_short": "Needs two customer snapshots 3 months apart, with customers in both groups.",
        "tr_link_churn_button": "Compare closures",
        "tr_link_churn_slow": (
            "This compares every customer with the snapshot three months later: it takes a few seconds on a "
            "large portfolio ({n} customer-snapshots), so it runs when asked."
        ),
        "tr_link_branch_section": "Complaints against satisfaction across branches",
        "tr_link_branch_title": "Branch complaint rate against mean satisfaction",
        "tr_axis_branch_rate": "Complaints per 10,000 customers per month",
        "tr_axis_branch_score": "Mean satisfaction score",
        "tr_branch_used": "Branch",
        "tr_branch_unused": "Branch with fewer than 10 surveys (not in the line)",
        "tr_fitted_line": "Fitted line (OLS)",
        "tr_branch_note": "r = {r} · {p} · n = {n} branches",
        "tr_link_branch_caption": "Method: {method}. n = {n} branches in the line; {shown} shown.",
        "tr_link_branch_short": (
            "Needs at least 5 branches with customers and 10 or more surveys; this view has {n}."
        ),
        # Short method names; the page shows the analytics' own method texts in English and these
        # facts rendered in Chinese (see ui/trends.py).
        "tr_method_trend": "OLS on time with HAC (Newey-West) standard errors, lag {lags}, t test",
        "tr_method_nps": "NPS = % promoters (9-10) - % detractors (0-6), 0-10 scale",
        "tr_model_ETS(A,N,N)": "simple exponential smoothing (no trend, no season)",
        "tr_model_ETS(A,Ad,N)": "exponential smoothing with a damped additive trend, no season",
        "tr_model_ETS(A,Ad,A)": "exponential smoothing with a damped additive trend and a 12-month season",
        "tr_model_constant": "a constant series: the forecast repeats it",
        "tr_amethod_u-chart": "u-chart on complaints per 10,000 customers, centre {centre}, limits u ± 3·√(u/n_i)",
        "tr_amethod_laney-u-chart": (
            "Laney u′-chart on complaints per 10,000 customers, centre {centre}, limits u ± 3·σz·√(u/n_i)"
        ),
        "tr_amethod_stl-residual": "robust STL residuals of the monthly counts beyond 3 robust SD",
        "tr_amethod_c-chart": "c-chart on monthly counts, centre {centre}, limits c ± 3·√c",
        "tr_amethod_xbar-chart": "x̄-chart of monthly mean scores, centre {centre}, limits ± 3·s/√n_i",
        "tr_amethod_laney-xbar-chart": "Laney x̄′-chart of monthly mean scores, centre {centre}, limits ± 3·σz·s/√n_i",
        "tr_anom_counts": "too few customer counts: charted on the monthly counts",
        "tr_method_churn": "two-proportion z test",
    },
    "zh": {
        "page_trends": "满意度与投诉",
        "tr_intro": "按月查看满意度与投诉及其统计依据：每个数字都注明方法和样本量（n）；序列过短时不作图，而是说明原因。",
        "tr_tab_satisfaction": "满意度",
        "tr_tab_complaints": "投诉",
        "tr_tab_links": "关联分析",
        "tr_no_data": "当前筛选条件下没有可显示的数据。",
        "tr_no_customers": "尚未导入客户快照：投诉率、客户层级以及与客户的关联分析需要客户数据。下面显示满意度得分和投诉量。",
        "tr_no_surveys_loaded": (
            "尚未导入满意度调查数据。请在“数据管理”页导入，或使用 `python -m analytics load --table surveys FILE`。"
        ),
        "tr_no_complaints_loaded": (
            "尚未导入投诉数据。请在“数据管理”页导入，或使用 `python -m analytics load --table complaints FILE`。"
        ),
        "tr_no_surveys_view": "当前筛选条件下没有满意度调查，请在侧边栏放宽筛选。",
        "tr_no_complaints_view": "当前筛选条件下没有投诉，请在侧边栏放宽筛选。",
        "tr_links_need": "关联分析需要先导入{what}。",
        "tr_need_surveys_complaints": "满意度调查和投诉数据",
        "tr_need_customers_complaints": "客户快照和投诉数据",
        "tr_need_all": "客户快照、满意度调查和投诉数据",
        "tr_by": "分组维度",
        "tr_by_none": "不分组",
        "tr_by_channel": "渠道",
        "tr_by_category": "投诉类别",
        "tr_all": "全部",
        "tr_group_unknown": "未知（匿名或非本行客户）",
        "tr_group_unassigned": "未分配",
        "tr_largest_groups": "仅显示{what}最多的 {shown} 组（共 {total} 组）。",
        "tr_largest_by_surveys": "调查数",
        "tr_largest_by_complaints": "投诉量",
        "tr_channel_phone": "电话",
        "tr_channel_wechat": "微信",
        "tr_channel_sms": "短信",
        "tr_channel_app": "手机银行",
        "tr_channel_branch": "网点",
        "tr_channel_regulator_12378": "监管转办（12378）",
        "tr_channel_unknown": "未知",
        "tr_cat_fees": "收费",
        "tr_cat_wait_time": "排队等候",
        "tr_cat_service_attitude": "服务态度",
        "tr_cat_online_banking": "网上银行",
        "tr_cat_card": "银行卡",
        "tr_cat_other": "其他",
        "tr_cat_loan_process": "贷款办理",
        "tr_cat_wealth_mis_selling": "理财销售误导",
        "tr_axis_month": "月份",
        "tr_axis_score": "平均分（0–{scale}）",
        "tr_axis_score_plain": "平均分",
        "tr_axis_complaints": "投诉量",
        "tr_axis_rate": "每万名客户投诉量",
        "tr_axis_open": "未结投诉",
        "tr_measure_score": "平均满意度",
        "tr_measure_complaints": "月度投诉量",
        "tr_measure_rate": "每万名客户投诉量",
        "tr_band": "95% 置信区间",
        "tr_mean": "平均分",
        "tr_observed": "实际值",
        "tr_forecast": "预测值",
        "tr_interval": "95% 预测区间",
        "tr_centre": "中心线",
        "tr_limits": "控制限",
        "tr_flagged": "异常月份",
        "tr_surveys": "调查数",
        "tr_complaints": "投诉量",
        "tr_rate": "每万名客户",
        "tr_customers": "客户数",
        "tr_sat_section": "月度平均满意度",
        "tr_sat_title": "月度平均满意度（含 95% 置信区间）",
        "tr_sat_title_by": "按{by}的月度平均满意度（含 95% 置信区间）",
        "tr_sat_caption": (
            "当月全部调查得分的平均值；阴影为均值的 95% t 置信区间（均值 ± t·s/√n；当月仅一份调查时不显示）。"
            "n = {n} 份调查，共 {months} 个月。"
        ),
        "tr_sat_table": "月度明细",
        "tr_col_month": "月份",
        "tr_col_group": "分组",
        "tr_col_n": "调查数（n）",
        "tr_col_mean": "平均分",
        "tr_col_ci_low": "95% 置信下限",
        "tr_col_ci_high": "95% 置信上限",
        "tr_col_complaints": "投诉量",
        "tr_col_customers": "客户数",
        "tr_col_rate": "每万名客户投诉量",
        "tr_col_months": "月数（n）",
        "tr_col_slope": "每月变化",
        "tr_col_p": "p 值",
        "tr_col_verdict": "结论",
        "tr_dist_section": "得分分布",
        "tr_dist_title": "各分数的调查数",
        "tr_axis_score_value": "分数",
        "tr_axis_share": "占调查比例",
        "tr_dist_caption": "n = {n} 份调查，{first} 至 {last}。",
        "tr_nps_detractors": "贬损者（0–6 分）",
        "tr_nps_passives": "被动者（7–8 分）",
        "tr_nps_promoters": "推荐者（9–10 分）",
        "tr_nps_section": "净推荐值（NPS）",
        "tr_nps": "净推荐值",
        "tr_nps_caption": (
            "NPS = 推荐者占比 − 贬损者占比（0–10 分量表）：n = {n} 份调查中推荐者 {promoters}、被动者 {passives}、"
            "贬损者 {detractors}，{first} 至 {last}。"
        ),
        "tr_nps_na": "不适用 NPS：NPS 仅适用于 0–10 分的推荐意愿量表，当前调查不是该量表（n = {n}）。",
        "tr_trend_section": "是否在改善？趋势判断",
        "tr_verdict": "结论",
        "tr_verdict_improving": "改善",
        "tr_verdict_declining": "恶化",
        "tr_verdict_none": "无显著趋势",
        "tr_verdict_short": "序列过短",
        "tr_slope": "每月变化",
        "tr_p_value": "p 值",
        "tr_trend_caption": (
            "斜率 {slope}/月（95% 置信区间 {low} 至 {high}），{p}，n = {months} 个月；p < {alpha} 为显著。"
            "方法：{method}。"
        ),
        "tr_trend_constant": "序列恒定，无趋势。n = {months} 个月。方法：{method}。",
        "tr_group_trends": "各分组的趋势判断",
        "tr_too_short": "{what}至少需要 {minimum} 个月数据，当前序列只有 {n} 个月。",
        "tr_what_trend": "趋势检验",
        "tr_what_stl": "季节分解（STL）",
        "tr_what_forecast": "预测",
        "tr_what_chart": "控制图",
        "tr_stl_section": "季节与趋势（STL 分解）",
        "tr_stl_title": "{measure}的季节-趋势分解（STL）",
        "tr_stl_observed": "实际值",
        "tr_stl_trend": "趋势",
        "tr_stl_seasonal": "季节",
        "tr_stl_resid": "残差",
        "tr_stl_caption": "方法：稳健 STL 分解（LOESS），周期 {period} 个月。n = {n} 个月{filled}。",
        "tr_filled": "（{k} 个缺失月份按线性插值补齐）",
        "tr_fc_section": "预测：未来 {months} 个月",
        "tr_fc_title": "{measure}预测（含 95% 预测区间）",
        "tr_fc_caption": "模型：{method}。基于 n = {n} 个月数据拟合{filled}。",
        "tr_fc_na": "无法预测：没有可拟合的指数平滑模型。",
        "tr_anom_section": "异常月份",
        "tr_anom_title": "{measure}控制图",
        "tr_rule_u-chart": "u 控制图，3σ 控制限",
        "tr_rule_laney-u-chart": "Laney u′ 控制图，3σ 控制限",
        "tr_rule_stl-residual": "STL 残差超出 3 倍稳健标准差",
        "tr_rule_c-chart": "c 控制图，3σ 控制限",
        "tr_rule_xbar-chart": "x̄ 控制图，3σ 控制限",
        "tr_rule_laney-xbar-chart": "Laney x̄′ 控制图，3σ 控制限",
        "tr_rule_note": "{rule} · 中心线 {centre} · 异常 {k} 个月",
        "tr_anom_caption": "方法：{method}。n = {n} 个月。异常月份：{months}。",
        "tr_anom_none": "无",
        "tr_anom_fallback": "说明：{message}。",
        "tr_comp_section": "月度投诉",
        "tr_comp_count_title": "月度投诉量",
        "tr_comp_count_title_by": "按{by}的月度投诉量",
        "tr_comp_rate_title": "月度每万名客户投诉量",
        "tr_comp_rate_title_by": "按{by}的月度每万名客户投诉量",
        "tr_comp_caption": "n = {n} 件投诉，共 {months} 个月（无投诉的月份计为 0）。",
        "tr_comp_rate_caption": "投诉率 = 投诉量 ÷ 当月快照客户数 × 10,000{per}。",
        "tr_comp_per_all": "；按类别或渠道分组时，分母为当前视图全部客户",
        "tr_comp_no_rate": "这些月份没有客户快照：只显示投诉量，不计算投诉率。",
        "tr_comp_table": "月度明细",
        "tr_pareto_section": "投诉内容分布（帕累托图）",
        "tr_pareto_title": "各类别投诉量（从多到少）",
        "tr_cumulative": "累计占比",
        "tr_axis_cumulative": "累计占投诉比例",
        "tr_pareto_caption": "n = {n} 件投诉，全部月份；类别为空的计入“其他”。",
        "tr_res_section": "处理时效与积压",
        "tr_within": "处理时限（天）",
        "tr_median_days": "处理天数中位数",
        "tr_share_within": "{days} 天内解决",
        "tr_open_backlog": "未结投诉",
        "tr_days": "{days:g} 天",
        "tr_res_caption": (
            "截至 {as_of}：共受理 n = {n} 件投诉；其中 {resolved} 件有办结日期（时效按这些计算），"
            "{within} 件在 {days} 天内办结。方法：{method}。"
        ),
        "tr_res_without_date": "{k} 件标记为已办结但没有办结日期：计为已办结，但不计时效。",
        "tr_res_invalid": "{k} 件的办结日期早于受理日期（数据错误），未计入。",
        "tr_res_method": "天数 = 办结日期 − 受理日期；取有办结日期的投诉的中位数；未结 = 标记为未结且无办结日期，或办结日期晚于统计日",
        "tr_backlog_title": "各月末未结投诉",
        "tr_comp_on_rate": (
            "趋势、预测和控制图基于每万名客户投诉量（{months} 个月有客户快照）：客户规模变化时更公平。"
        ),
        "tr_comp_on_count": "趋势、预测和控制图基于月度投诉量：有客户快照的月份太少，无法计算投诉率。",
        "tr_link_sat_section": "投诉客户与其他客户的满意度对比",
        "tr_link_complainants": "投诉客户平均分",
        "tr_link_others": "其他客户平均分",
        "tr_link_difference": "差值",
        "tr_link_sat_caption": (
            "投诉客户 = 调查前 3 个月内有投诉。n = {n1} 和 {n0} 份可识别客户的调查（匿名调查不参与）；{p}。"
            "方法：Welch t 检验（不假设方差相等）。二者相关，不代表因果。"
        ),
        "tr_link_sat_short": "t 检验要求每组至少 2 份可识别客户的调查；投诉客户 {n1} 份，其他客户 {n0} 份。",
        "tr_link_churn_section": "3 个月内流失：投诉客户与其他客户对比",
        "tr_link_churn_complainants": "投诉客户流失率",
        "tr_link_churn_others": "其他客户流失率",
        "tr_link_churn_caption": (
            "流失 = 未出现在 3 个月后的快照中。n = {n1} 和 {n0} 个客户-快照，共 {starts} 个起始快照；{p}。"
            "方法：两比例 z 检验。"
        ),
        "tr_link_churn_none": "两组客户均无流失（或全部流失）：无法检验。",
        "tr_link_churn_short": "需要相隔 3 个月的两个客户快照，且两组都有客户。",
        "tr_link_churn_button": "计算流失对比",
        "tr_link_churn_slow": (
            "该对比需将每位客户与 3 个月后的快照逐一比对，在大型客户群（{n} 个客户-快照）上需要几秒钟，因此按需计算。"
        ),
        "tr_link_branch_section": "各支行投诉与满意度",
        "tr_link_branch_title": "支行投诉率与平均满意度",
        "tr_axis_branch_rate": "每月每万名客户投诉量",
        "tr_axis_branch_score": "平均满意度",
        "tr_branch_used": "支行",
        "tr_branch_unused": "调查少于 10 份的支行（不参与拟合）",
        "tr_fitted_line": "拟合线（OLS）",
        "tr_branch_note": "r = {r} · {p} · n = {n} 个支行",
        "tr_link_branch_caption": "方法：支行平均满意度对投诉率的 OLS 回归（每个支行一个点；Pearson r）。n = {n} 个支行参与拟合；共显示 {shown} 个。",
        "tr_link_branch_short": "需要至少 5 个有客户且调查不少于 10 份的支行；当前视图有 {n} 个。",
        # Chinese renderings of the analytics' method texts (English shows those texts as they are).
        "tr_method_trend": "对时间做 OLS 回归，HAC（Newey-West）稳健标准误，滞后 {lags} 期，t 分布检验",
        "tr_method_nps": "NPS = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比，0–10 分量表",
        "tr_model_ETS(A,N,N)": "简单指数平滑（加法误差，无趋势、无季节；不足 24 个月不拟合趋势）",
        "tr_model_ETS(A,Ad,N)": "阻尼加法趋势的指数平滑（加法误差，无季节；不足 36 个月不拟合季节）",
        "tr_model_ETS(A,Ad,A)": "阻尼加法趋势加 12 个月加法季节的指数平滑（与无季节模型按 AICc 择优）",
        "tr_model_constant": "序列恒定：预测值即该常数，无法估计不确定性",
        "tr_amethod_u-chart": "每万名客户投诉量的 u 控制图：中心线 u = 总投诉量 ÷ 总客户暴露量 = {centre}，控制限 u ± 3·√(u/n_i)",
        "tr_amethod_laney-u-chart": (
            "每万名客户投诉量的 Laney u′ 控制图：中心线 u = 总投诉量 ÷ 总客户暴露量 = {centre}，"
            "控制限 u ± 3·σz·√(u/n_i)，σz = 标准化投诉率的平均移动极差 ÷ 1.128"
        ),
        "tr_amethod_stl-residual": (
            "月度投诉量的稳健 STL 分解（12 个月周期）；残差偏离残差中位数超过 3 倍稳健标准差"
            "（1.4826 × MAD，且不小于泊松标准差）即标记为异常"
        ),
        "tr_amethod_c-chart": "月度投诉量的 c 控制图：中心线 c = 平均月投诉量 = {centre}，控制限 c ± 3·√c",
        "tr_amethod_xbar-chart": "月度平均分的 x̄ 控制图：中心线 = 总平均分 = {centre}，控制限 = 中心线 ± 3·s/√n_i（s 为月内合并标准差）",
        "tr_amethod_laney-xbar-chart": (
            "月度平均分的 Laney x̄′ 控制图：中心线 = 总平均分 = {centre}，控制限 = 中心线 ± 3·σz·s/√n_i"
            "（s 为月内合并标准差，σz = 标准化均值的平均移动极差 ÷ 1.128）"
        ),
        "tr_anom_counts": "客户数不足，改为按月度投诉量作图",
        "tr_method_churn": "两比例 z 检验",
    },
}


# Migration page labels.
_MIGRATION: dict[str, dict[str, str]] = {
    "en": {
        "page_migration": "Migration",
        "mig_intro": (
            "How customers move between tiers: from one snapshot to another, where it happens, which "
            "high-tier customers were lost, and where the tier mix is heading."
        ),
        "mig_one_snapshot": (
            "Migration compares two snapshots, and only one is loaded ({date}). Load another month on the "
            "Data page to see who moved between tiers."
        ),
        "mig_from": "From snapshot",
        "mig_to": "To snapshot",
        "mig_yoy": "Year on year",
        "mig_yoy_help": "Compare with {date}, the same month a year earlier.",
        "mig_yoy_na": "The snapshot of {month} (a year earlier) is not loaded.",
        "mig_sub_pair": "Snapshots {span}",
        "mig_sub_window": "{n} monthly steps {span}",
        "mig_state_new": "New",
        "mig_state_closed": "Closed",
        "mig_kind_upgrade": "Upgrades",
        "mig_kind_stable": "Stable",
        "mig_kind_downgrade": "Downgrades",
        "mig_kind_reclassified": "Reclassified",
        "mig_kind_closed": "Closed",
        "mig_kind_new": "New",
        # two snapshots
        "mig_matrix_section": "Transition matrix",
        "mig_rate_upgrade": "Upgrade rate",
        "mig_rate_stable": "Stable rate",
        "mig_rate_downgrade": "Downgrade rate",
        "mig_rate_reclassified": "Reclassified",
        "mig_rate_closed": "Closure rate",
        "mig_rate_help": (
            "Share of the {n} customers present at the earlier snapshot. Reclassified: a move between "
            "tiers that share no ladder (retail ↔ corporate, a company changing market or repaying its "
            "loans). New customers are counted apart."
        ),
        "mig_rate_caption": "{n} customers · AUM {aum}",
        "mig_net_upgrades": "Net upgrades",
        "mig_rates_summary": (
            "Net upgrades (upgrades - downgrades): **{net}** · new customers (not in this view before, counted "
            "apart from the rates): **{new}** · customers {before} → {after}"
        ),
        "mig_show": "Cells show",
        "mig_show_counts": "Customers",
        "mig_show_share": "Row %",
        "mig_show_aum": "AUM",
        "mig_matrix_title_counts": "Tier migration: customers",
        "mig_matrix_title_share": "Tier migration: share of each origin row",
        "mig_matrix_title_aum": "Tier migration: AUM carried",
        "mig_no_moves": "No customers in either snapshot of this view.",
        "mig_row_share": "Row %",
        "mig_of_row": "of the row",
        "mig_aum_then": "AUM at the earlier snapshot",
        "mig_aum_now": "AUM at the later snapshot",
        "mig_axis_from": "From (tier at the earlier snapshot)",
        "mig_axis_to": "To (tier at the later snapshot)",
        "mig_aum_note": (
            "AUM carried: the cell's customers' financial assets at the earlier snapshot; the New row at "
            "the later one (new customers held nothing before). The hover gives both."
        ),
        "mig_matrix_table": "Transition matrix as a table",
        "mig_from_to": "From \\ to",
        "mig_total": "Total",
        "mig_sankey_title": "Customer flows between tiers",
        "mig_from_label": "From {date}",
        "mig_to_label": "To {date}",
        # where it happens
        "mig_where_section": "Where it happens: by {level}",
        "mig_unit_hint": "Click a bar or a row to drill into that unit.",
        "mig_unit_net_upgrades_title": "Net upgrades by {level}",
        "mig_unit_high_tier_losses_title": "High-tier losses by {level}",
        "mig_no_units": "No customers at the earlier snapshot in this view.",
        "mig_no_losses": "No high-net-worth or private customer was lost in this view.",
        "mig_customers_from": "Customers at the earlier snapshot",
        "mig_high_tier_losses": "High-tier losses",
        "mig_loss_aum": "AUM lost",
        "mig_axis_net_upgrades": "Net upgrades (customers)",
        "mig_axis_high_tier_losses": "High-tier losses (customers)",
        # high-tier losses
        "mig_losses_section": "High-tier losses",
        "mig_losses_none": (
            "No customer who was high net worth or private at the earlier snapshot is now lower or closed."
        ),
        "mig_losses_count": (
            "{n} customers were high net worth or private and are now below both or closed; they held {aum} "
            "CNY then. Largest previous AUM first; branch and relationship manager at the earlier snapshot."
        ),
        "mig_losses_truncated": (
            "The {n} largest losses are listed (they held {aum} CNY then); branch and relationship manager "
            "at the earlier snapshot."
        ),
        "mig_col_from_tier": "Tier at {date}",
        "mig_col_to_state": "At {date}",
        "mig_col_aum": "AUM at {date} ({unit})",
        "mig_col_aum_cny": "AUM at {date} (CNY)",
        "mig_col_change": "Change ({unit})",
        "mig_download": "Download the list (CSV)",
        # over many months
        "mig_many_section": "Over many months",
        "mig_window": "Window (months)",
        "mig_window_help": (
            "The average monthly matrix pools the moves of every month in the window ending at the "
            "'to' snapshot (cohort estimator)."
        ),
        "mig_horizon": "Backtest horizon (months)",
        "mig_horizon_help": "Project from the snapshot this many months before 'to' and compare with 'to'.",
        "mig_window_short": (
            "The window needs at least two loaded snapshots up to {date}. Widen the window or load more months."
        ),
        "mig_avg_caption": (
            "Average monthly matrix over {pairs} monthly steps ({span}): each cell is the moves of all the "
            "months pooled, divided by the customer-months in the origin tier (cohort estimator)."
        ),
        "mig_avg_title": "Average monthly transition probabilities",
        "mig_avg_note": "{level} {method} intervals per cell · cohort estimator over {pairs} monthly steps",
        "mig_ci_wilson": "Wilson score",
        "mig_ci_goodman": "Goodman simultaneous",
        "mig_ci": "confidence interval",
        "mig_monthly_p": "Monthly probability",
        "mig_customer_months": "customer-months",
        "mig_axis_this_month": "Tier this month",
        "mig_axis_next_month": "State next month",
        "mig_avg_table": "Average matrix as a table",
        "mig_col_from": "From",
        "mig_col_to": "To",
        "mig_col_moves": "Moves",
        "mig_col_lower": "Lower limit",
        "mig_col_upper": "Upper limit",
        "mig_projection_title": "Projected tier mix (Markov, with new customers)",
        "mig_month_hover": "Month %{x}",
        "mig_axis_months_ahead": "Months ahead",
        "mig_axis_months_after": "Months after {date}",
        "mig_axis_share": "Share of customers",
        "mig_stationary_title": "Tier mix now and where it tends",
        "mig_current_mix": "Now",
        "mig_stationary_mix": "Stationary mix",
        "mig_stationary_inflow": "Method: inflow of new customers balancing moves and closures.",
        "mig_stationary_renormalised": (
            "Method: existing customers only, closures taken out (no balance with inflow exists)."
        ),
        "mig_projection_caption": (
            "Expected values if the window's monthly moves and new customers continue unchanged; a mix settles "
            "long after behaviour changes, so read the stationary mix as a direction, not a forecast."
        ),
        "mig_backtest_section": "Backtest: projecting {h} months from the past",
        "mig_backtest_title": "Backtest: projected vs actual tier shares, {h} months ahead",
        "mig_backtest_short": (
            "No snapshot {h} months before {date} with an earlier one to estimate from: shorten the horizon "
            "or load more months."
        ),
        "mig_projected": "Projected",
        "mig_actual": "Actual",
        "mig_backtest_note": "Projected from {origin}, compared with {target}: mean absolute error {mae} pp",
        "mig_backtest_no_actual": "The target month is not loaded: no actual to compare with.",
        "mig_col_projected_share": "Projected share",
        "mig_col_actual_share": "Actual share",
        "mig_col_error": "Error (projected - actual)",
    },
    "zh": {
        "page_migration": "层级迁移",
        "mig_intro": "客户在各层级之间如何流动：两个数据日期之间的迁移、发生在哪里、流失了哪些高层级客户，以及层级结构的走向。",
        "mig_one_snapshot": "层级迁移需要比较两个数据日期，目前只导入了一个（{date}）。请在数据管理页导入另一个月份的数据。",
        "mig_from": "起始日期",
        "mig_to": "截止日期",
        "mig_yoy": "同比",
        "mig_yoy_help": "与上年同月 {date} 比较。",
        "mig_yoy_na": "上年同月（{month}）的数据未导入。",
        "mig_sub_pair": "数据日期 {span}",
        "mig_sub_window": "{n} 个月度步长 {span}",
        "mig_state_new": "新增",
        "mig_state_closed": "流失",
        "mig_kind_upgrade": "升级",
        "mig_kind_stable": "保持",
        "mig_kind_downgrade": "降级",
        "mig_kind_reclassified": "重新归类",
        "mig_kind_closed": "流失",
        "mig_kind_new": "新增",
        "mig_matrix_section": "迁移矩阵",
        "mig_rate_upgrade": "升级率",
        "mig_rate_stable": "保持率",
        "mig_rate_downgrade": "降级率",
        "mig_rate_reclassified": "重新归类",
        "mig_rate_closed": "流失率",
        "mig_rate_help": (
            "占起始日期 {n} 户客户的比例。重新归类：在不同层级序列之间移动（个人 ↔ 公司、企业市场变化或还清贷款）。"
            "新增客户单独统计。"
        ),
        "mig_rate_caption": "{n} 户 · 金融资产 {aum}",
        "mig_net_upgrades": "净升级",
        "mig_rates_summary": "净升级（升级 - 降级）：**{net}** 户 · 新增客户（此前不在本视图中，不计入上述比率）：**{new}** 户 · 客户数 {before} → {after}",
        "mig_show": "单元格显示",
        "mig_show_counts": "客户数",
        "mig_show_share": "行占比",
        "mig_show_aum": "金融资产",
        "mig_matrix_title_counts": "层级迁移：客户数",
        "mig_matrix_title_share": "层级迁移：占起始层级的比例",
        "mig_matrix_title_aum": "层级迁移：涉及金融资产",
        "mig_no_moves": "本视图的两个数据日期都没有客户。",
        "mig_row_share": "行占比",
        "mig_of_row": "占该行",
        "mig_aum_then": "起始日期金融资产",
        "mig_aum_now": "截止日期金融资产",
        "mig_axis_from": "起始（起始日期的层级）",
        "mig_axis_to": "去向（截止日期的层级）",
        "mig_aum_note": "涉及金融资产：该格客户在起始日期的金融资产；“新增”一行为截止日期的金融资产（新增客户此前没有资产）。悬停可看两者。",
        "mig_matrix_table": "迁移矩阵明细表",
        "mig_from_to": "起始 \\ 去向",
        "mig_total": "合计",
        "mig_sankey_title": "客户在层级之间的流动",
        "mig_from_label": "起始 {date}",
        "mig_to_label": "截止 {date}",
        "mig_where_section": "迁移发生在哪里：按{level}",
        "mig_unit_hint": "点击柱形或表格行可下钻到该单位。",
        "mig_unit_net_upgrades_title": "各{level}净升级",
        "mig_unit_high_tier_losses_title": "各{level}高层级客户流失",
        "mig_no_units": "本视图在起始日期没有客户。",
        "mig_no_losses": "本视图没有流失高净值或私人银行客户。",
        "mig_customers_from": "起始日期客户数",
        "mig_high_tier_losses": "高层级流失",
        "mig_loss_aum": "流失金融资产",
        "mig_axis_net_upgrades": "净升级（户）",
        "mig_axis_high_tier_losses": "高层级流失（户）",
        "mig_losses_section": "高层级客户流失",
        "mig_losses_none": "起始日期为高净值或私人银行的客户中，没有降到更低层级或流失的。",
        "mig_losses_count": "{n} 户客户原为高净值或私人银行客户，现已低于这两个层级或流失；当时持有金融资产 {aum}元。按原金融资产从大到小排列；支行和客户经理为起始日期的归属。",
        "mig_losses_truncated": "列出流失金额最大的 {n} 户（当时持有 {aum}元）；支行和客户经理为起始日期的归属。",
        "mig_col_from_tier": "{date} 层级",
        "mig_col_to_state": "{date} 状态",
        "mig_col_aum": "{date} 金融资产（{unit}）",
        "mig_col_aum_cny": "{date} 金融资产（元）",
        "mig_col_change": "变化（{unit}）",
        "mig_download": "下载名单（CSV）",
        "mig_many_section": "多月平均迁移",
        "mig_window": "窗口（月）",
        "mig_window_help": "平均月度矩阵汇总截至“截止日期”的窗口内每个月的迁移（队列法）。",
        "mig_horizon": "回测期限（月）",
        "mig_horizon_help": "从截止日期前若干个月的数据日期出发预测，并与截止日期的实际结构比较。",
        "mig_window_short": "窗口内截至 {date} 至少需要两个已导入的数据日期。请加大窗口或导入更多月份。",
        "mig_avg_caption": "平均月度矩阵，共 {pairs} 个月度步长（{span}）：每格为各月迁移户数之和除以起始层级的客户·月数（队列法）。",
        "mig_avg_title": "平均月度迁移概率",
        "mig_avg_note": "每格 {level} {method} 置信区间 · 队列法，{pairs} 个月度步长",
        "mig_ci_wilson": "Wilson 得分",
        "mig_ci_goodman": "Goodman 联合",
        "mig_ci": "置信区间",
        "mig_monthly_p": "月度概率",
        "mig_customer_months": "客户·月",
        "mig_axis_this_month": "本月层级",
        "mig_axis_next_month": "下月状态",
        "mig_avg_table": "平均矩阵明细表",
        "mig_col_from": "起始",
        "mig_col_to": "去向",
        "mig_col_moves": "迁移户数",
        "mig_col_lower": "下限",
        "mig_col_upper": "上限",
        "mig_projection_title": "层级结构预测（马尔可夫链，含新增客户）",
        "mig_month_hover": "第%{x}个月",
        "mig_axis_months_ahead": "未来月数",
        "mig_axis_months_after": "{date} 之后的月数",
        "mig_axis_share": "客户占比",
        "mig_stationary_title": "当前层级结构与稳态结构",
        "mig_current_mix": "当前",
        "mig_stationary_mix": "稳态结构",
        "mig_stationary_inflow": "方法：新增客户的流入与迁移、流失相平衡。",
        "mig_stationary_renormalised": "方法：仅存量客户、剔除流失（无法按流入平衡求解）。",
        "mig_projection_caption": "假设窗口内的月度迁移和新增客户保持不变时的期望值；结构稳定之前行为早已变化，稳态结构只说明方向，不是预测。",
        "mig_backtest_section": "回测：从过去预测 {h} 个月",
        "mig_backtest_title": "回测：预测与实际层级占比（{h} 个月后）",
        "mig_backtest_short": "{date} 之前 {h} 个月没有可用的数据日期（且需更早的日期用于估计）：请缩短期限或导入更多月份。",
        "mig_projected": "预测",
        "mig_actual": "实际",
        "mig_backtest_note": "从 {origin} 出发预测，与 {target} 比较：平均绝对误差 {mae} 个百分点",
        "mig_backtest_no_actual": "目标月份未导入，无法与实际比较。",
        "mig_col_projected_share": "预测占比",
        "mig_col_actual_share": "实际占比",
        "mig_col_error": "误差（预测 - 实际）",
    },
}


TEXT: dict[str, dict[str, str]] = {
    lang: {
        **_COMMON[lang],
        **_OVERVIEW[lang],
        **_DATA[lang],
        **_SEGMENTATION[lang],
        **_TRENDS[lang],
        **_MIGRATION[lang],
    }
    for lang in ("en", "zh")
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
