import pandas as pd

from xlcrm.core.keys import code_keys, codes_among, positions_in

S = "string[pyarrow]"


def test_equal_codes_equal_keys_across_tables_and_leading_zeros_kept_apart():
    a, b = code_keys(
        pd.Series(["123", "0123", "330781100123"], dtype=S), pd.Series(["330781100123", "123"], dtype=S)
    )
    assert a[2] == b[0] and a[0] == b[1] and a[0] != a[1]


def test_missing_codes_never_match_and_are_never_duplicates():
    a, b = code_keys(pd.Series([None, None, "1"], dtype=S), pd.Series([None], dtype=S))
    assert len({*a, *b}) == 4 and (a[:2] < 0).all() and b[0] < 0


def test_very_long_codes_fall_back_to_factorizing():
    long = "1" * 25
    a, b = code_keys(pd.Series([long, "2", None], dtype=S), pd.Series(["2", long], dtype=S))
    assert a[0] == b[1] and a[1] == b[0] and a[0] != a[1] and a[2] < 0


def test_empty_tables():
    a, b = code_keys(pd.Series([], dtype=S), pd.Series(["7"], dtype=S))
    assert len(a) == 0 and len(b) == 1


def test_a_codes_key_does_not_depend_on_the_other_codes():
    """A department's district is keyed once, each manager's routes later: they must still match."""
    import pandas as pd

    from xlcrm.core.keys import code_keys

    short, long_ = "330781100001", "3307811000012345678901"
    alone = [code_keys(pd.Series([c]))[0][0] for c in (short, long_)]
    together = code_keys(pd.Series(["1", short, long_, None]))[0]
    assert list(together[1:3]) == alone and alone[1] > 0 and together[3] < 0


def test_codes_among_and_positions_in_match_plain_python():
    codes = pd.Series(["330781100001", None, "0123", "123", "E1", "330781100001"], dtype=object)
    among = pd.Series(["123", "330781100001", None, "E1", "123"], dtype="string[pyarrow]")
    wanted = {"123", "330781100001", "E1"}
    assert codes_among(codes, among).tolist() == [c in wanted for c in codes]
    first = {}
    for i, code in enumerate(among):
        if isinstance(code, str):
            first.setdefault(code, i)
    assert positions_in(codes, among).tolist() == [first.get(c, -1) if c else -1 for c in codes]
