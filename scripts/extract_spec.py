"""Extract the normative OpenAPI and JSON Schema listings from the OneRoster 1.2 binding text.

Mechanical on purpose: the listings are copied byte-for-byte as JSON values, never retyped.
Usage: python scripts/extract_spec.py BINDING_TEXT [OUT_DIR]
BINDING_TEXT is the rostering binding as plain text (docs/sources.md); OUT_DIR defaults to schemas/v1p2.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "schemas" / "v1p2"

OPENAPI_HEADING = "Listing of the OpenAPI (JSON) File"
SCHEMAS_HEADING = "JSON Schemas for Payload Validation"
SCHEMA_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _decode_at(text: str, start: int) -> tuple[object, int]:
    """Decode the JSON value beginning at the first '{' at or after start."""
    brace = text.index("{", start)
    value, end = json.JSONDecoder().raw_decode(text, brace)
    return value, end


def extract(spec_text: str) -> dict[str, object]:
    """Return {file name: JSON value} for openapi.json and each schema listing."""
    out: dict[str, object] = {}
    openapi, _ = _decode_at(spec_text, spec_text.index(OPENAPI_HEADING))
    out["openapi.json"] = openapi
    lines = spec_text[spec_text.index(SCHEMAS_HEADING) :].splitlines(keepends=True)
    offset = spec_text.index(SCHEMAS_HEADING)
    pos = offset
    for i, line in enumerate(lines):
        name = line.strip()
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if SCHEMA_NAME.match(name) and nxt == "{":
            value, _ = _decode_at(spec_text, pos + len(line))
            if not isinstance(value, dict) or value.get("$id") != name:
                raise ValueError(f"listing {name!r} does not carry $id {name!r}")
            out[f"{name}.json"] = value
        pos += len(line)
    return out


def render(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: extract_spec.py BINDING_TEXT [OUT_DIR]", file=sys.stderr)
        return 2
    spec = Path(argv[1])
    out_dir = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    files = extract(spec.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        (out_dir / name).write_text(render(value), encoding="utf-8")
    print(f"wrote {len(files)} files to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
