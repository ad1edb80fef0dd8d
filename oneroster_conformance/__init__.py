"""OneRoster REST provider conformance harness."""

__version__ = "0.1.0"
