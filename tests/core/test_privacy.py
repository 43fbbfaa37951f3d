"""Phone and ID numbers masked for print; customer codes never."""

import pytest

from xlcrm.core.privacy import mask_text, mask_value


@pytest.mark.parametrize(
    "text, shown",
    [
        ("13812345678", "138****5678"),
        ("电话 13800001111，周日休息", "电话 138****1111，周日休息"),
        ("0571-88881234", "0571-88****34"),
        ("330781199001011234", "330781********1234"),
        ("身份证33078119900101123x", "身份证330781********123x"),
        ("330781100001", "330781100001"),  # a 12-digit customer code is not a phone
        ("138123456789", "138123456789"),  # nor is a 12-digit number that starts like one
        ("备注", "备注"),
    ],
)
def test_mask_text(text, shown):
    assert mask_text(text) == shown


def test_numbers_stored_as_numbers():
    assert mask_value(13812345678) == "138****5678"
    assert mask_value(330781100001) == 330781100001 and mask_value(12.5) == 12.5 and mask_value(None) is None


def test_numbers_typed_in_full_width_digits_are_masked_too():
    assert mask_text("电话１３８１２３４５６７８") == "电话138****5678"
    assert mask_text("身份证３３０７８１１９９００１０１１２３Ｘ") == "身份证330781********123X"
    assert mask_text("全角１２３ 不是号码") == "全角１２３ 不是号码"  # nothing to mask: left as written
