"""The rules of a quarter, as pure functions over pandas tables: no files, no Excel.

Only the standard library, numpy, pandas and pyarrow are imported here (checked in CI);
reading files, writing workbooks and talking to Excel are the shells' business.
"""
