"""Make the package and this folder's helpers importable from a plain source checkout."""

from __future__ import annotations

import sys
from pathlib import Path

for path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
