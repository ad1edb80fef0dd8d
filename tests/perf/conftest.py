import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The in-process provider (Starlette's TestClient) is all these tests need.
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient` is deprecated")
