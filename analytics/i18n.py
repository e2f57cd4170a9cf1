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
        "seg_heatmap_measure": "单元格显示",
        "seg_heatmap_unit_title": "各层级、各{level}的{measure}",
        "seg_heatmap_quadrant_title": "各层级、各象限的{measure}",
        "seg_row_share": "占该层级比例",
        "seg_axis_clipped": "坐标轴截至第 1 和第 99 百分位；点击图表工具栏的“自动缩放”可显示全部点。",
    },
}

TEXT: dict[str, dict[str, str]] = {
    lang: {**_COMMON[lang], **_OVERVIEW[lang], **_DATA[lang], **_SEGMENTATION[lang]} for lang in ("en", "zh")
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
