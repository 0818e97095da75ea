"""The test/benchmark PostgreSQL runner's server settings (KECHUANG_PG_SETTINGS)."""

import pytest

from tests.run_with_postgres import _settings


def test_settings_are_parsed_as_name_value_pairs() -> None:
    assert _settings("") == []
    assert _settings(" shared_buffers = 6GB ; work_mem=64MB;") == [
        ("shared_buffers", "6GB"),
        ("work_mem", "64MB"),
    ]
    assert _settings("hnsw.ef_search=200") == [("hnsw.ef_search", "200")]
    assert _settings("search_path='x'") == [("search_path", "x")]  # quotes cannot end the literal


@pytest.mark.parametrize("spec", ["shared_buffers; DROP TABLE x=1", "a b=1", "=1"])
def test_settings_refuse_names_that_are_not_identifiers(spec: str) -> None:
    with pytest.raises(SystemExit, match="KECHUANG_PG_SETTINGS"):
        _settings(spec)
