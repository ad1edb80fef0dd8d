"""OneRoster REST provider conformance harness.

(PYTEST_DONT_REWRITE: this package file holds no assertion; the marker only keeps pytest from warning
that it was imported before the plugin, as ``oneroster-conformance`` does. Submodules are still rewritten.)
"""

__version__ = "0.1.0"
