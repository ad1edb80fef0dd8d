"""One HTTP exchange as evidence: the type the transport records and every report shows.

It lives below both the transport (client/) and the reports (report/) so neither imports the other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Exchange:
    """Evidence of one HTTP exchange, already masked (no secret, token or Authorization value)."""

    method: str
    url: str
    status: int | None
    request_headers: dict[str, str] = field(default_factory=dict)
    response_headers: dict[str, str] = field(default_factory=dict)
    body_excerpt: str = ""
    elapsed_ms: float | None = None
    curl: str = ""
    error: str | None = None  # transport error, when there was no response

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

