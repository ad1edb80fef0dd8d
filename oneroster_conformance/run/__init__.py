"""The engine of one conformance run, free of pytest: settings, applicability, outcome mapping, sinks, gate.

The pytest plugin (``oneroster_conformance.plugin``) only translates between pytest and this package.
"""
