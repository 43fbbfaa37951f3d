"""Whose visit log a file is, by its name, as a route workbook's name is its manager's."""

import pytest

from xlcrm.core.department import log_owner

MANAGERS = {"张三", "李四", "欧阳明"}


@pytest.mark.parametrize(
    ("stem", "owner"),
    [
        ("张三", "张三"),
        (" 李四 ", "李四"),
        ("张三拜访记录", "张三"),
        ("拜访记录_李四", "李四"),
        ("欧阳明（拜访记录）", "欧阳明"),
        ("李四-沟通记录", "李四"),
        ("张三走访记录", "张三"),
        ("张", None),  # part of a name is no name
        ("张三李四", None),
        ("拜访记录", None),
        ("王五拜访记录", None),
    ],
)
def test_a_log_belongs_to_the_manager_its_file_names(stem, owner):
    assert log_owner(stem, MANAGERS) == owner
