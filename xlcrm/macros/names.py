"""Sheet names of the 客户管理 workbook that the macros rely on (workbook_templates/template.toml
lays them out; a test keeps the two in step)."""

from ..report.cards import CARDS_NAME
from ..report.history_sheets import FOCUS_NAME
from ..report.visit_workbook import CHANGE_TABLE_NAME, ISSUES_NAME, OVERVIEW_NAME, STANDARDS_NAME

HELP = "使用说明"
SETTINGS = "设置"
GRADES = "本季等级"
PREVIOUS = "上季等级"
PURCHASES = "购进"
XLWINGS_CONF = "xlwings.conf"

INPUT_TABLES = (GRADES, PREVIOUS, PURCHASES)
OUTPUTS = (OVERVIEW_NAME, FOCUS_NAME, CHANGE_TABLE_NAME, STANDARDS_NAME, ISSUES_NAME, CARDS_NAME)
# every other sheet with a customer-code column is a route sheet
NOT_ROUTES = frozenset((HELP, SETTINGS, XLWINGS_CONF, *INPUT_TABLES, *OUTPUTS))
