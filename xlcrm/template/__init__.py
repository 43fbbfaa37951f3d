"""The 客户管理.xlsm workbook template: built from the text sources in workbook_templates/."""
