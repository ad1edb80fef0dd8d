"""Target profiles: find a bundled one by name, and fill in a district's host.

``--profile aeries`` names profiles/aeries.yaml (bundled with the harness); any other value is a
file path. A bundled profile may write ``{district}`` in its URLs: ``--district-host
mydistrictapi.aeries.net`` (or ONEROSTER_DISTRICT_HOST) fills it in as https://mydistrictapi.aeries.net,
so a district admin types only the host, the consumer id and (in the environment) the secret.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from oneroster_conformance.resources import data_root

PLACEHOLDER = "{district}"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def profiles_dir() -> Path:
    return data_root() / "profiles"


def bundled() -> list[str]:
    return sorted(p.stem for p in profiles_dir().glob("*.yaml"))


def locate(value: str) -> Path | None:
    """The profile file for a path or a bundled profile name (None: neither exists)."""
    path = Path(value)
    if path.is_file():
        return path
    named = profiles_dir() / f"{value}.yaml"
    if "/" not in value and "\\" not in value and named.is_file():
        return named
    return None


def district_origin(host: str, config_error: type[Exception]) -> str:
    """'mydistrictapi.aeries.net' -> 'https://mydistrictapi.aeries.net'.

    Pasting the OneRoster URL Aeries shows (https://host/admin or …/admin/ims/oneroster/v1p1) works
    too. http:// is accepted only for a server on this machine (a test or the reference provider):
    a real district's secret never crosses the network unencrypted."""
    raw = host.strip()
    parts = urlsplit(raw if "://" in raw else f"https://{raw}")
    path = parts.path.rstrip("/")
    if not parts.hostname or " " in raw or parts.query or parts.fragment or \
            (path and not "/admin/ims/oneroster/v1p1".startswith(path)):
        raise config_error(f"--district-host {host!r} is not a host name: pass just the host, e.g. "
                           "--district-host mydistrictapi.aeries.net.")
    if parts.scheme not in ("http", "https"):
        raise config_error(f"--district-host {host!r}: only https:// (or nothing) may precede the host.")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise config_error(f"--district-host {host!r}: http:// is accepted only for a server on this machine "
                           "(127.0.0.1 or localhost); a district's Aeries is reached over https.")
    return f"{parts.scheme}://{parts.netloc}"


def expand(doc: dict, host: str | None, source: str, config_error: type[Exception]) -> dict:
    """Fill {district} in every string value of a profile; one sentence when the host is missing."""
    needs = [k for k, v in doc.items() if isinstance(v, str) and PLACEHOLDER in v]
    if not needs:
        return doc
    if not host:
        raise config_error(f"the profile {source} needs your district's API host: pass --district-host "
                           "(e.g. --district-host mydistrictapi.aeries.net) or set ONEROSTER_DISTRICT_HOST.")
    origin = district_origin(host, config_error)
    return {k: v.replace(PLACEHOLDER, origin) if k in needs else v for k, v in doc.items()}
