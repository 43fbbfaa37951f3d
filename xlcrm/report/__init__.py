"""The output workbooks described once — which sheets, blocks, columns and values, and how
they look — for every writer (a file through XlsxWriter, a live workbook through xlwings).
Pure: built from core results, nothing is written here."""
