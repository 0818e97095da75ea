"""Fixtures shared by the platform matching tests."""

from tests.matching_platform.test_platform import indexed  # noqa: F401  (the indexed world)
