# Kept thin on purpose: the harness is a pytest plugin (oneroster_conformance.plugin), registered
# through the package's pytest11 entry point, so `pip install .` makes it work from any folder.
# Importing it here as well would register it twice.
