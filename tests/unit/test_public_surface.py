import cogov


def test_all_is_sorted_and_every_name_exists() -> None:
    assert list(cogov.__all__) == sorted(cogov.__all__)
    for name in cogov.__all__:
        assert hasattr(cogov, name), name


def test_every_error_descends_from_cogov_error() -> None:
    errors = [getattr(cogov, n) for n in cogov.__all__ if n.endswith("Error")]
    assert errors
    for error in errors:
        assert issubclass(error, cogov.CogovError)
