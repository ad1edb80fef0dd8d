"""imsx_StatusInfo error bodies, the one shape every resource error takes."""

from __future__ import annotations

from starlette.responses import JSONResponse

# The spec's imsx_CodeMinorValueEnum spelling per HTTP status.
CODE_MINOR = {
    400: "invaliddata",
    401: "unauthorisedrequest",
    403: "forbidden",
    404: "unknownobject",
    405: "invaliddata",
    422: "invaliddata",
    429: "server_busy",
    500: "internal_server_error",
}


class ProviderError(Exception):
    """Raised anywhere below a route; the app turns it into an imsx_StatusInfo response."""

    def __init__(self, status: int, description: str, code_minor: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.code_minor = code_minor or CODE_MINOR.get(status, "invaliddata")
        self.headers = headers or {}


class InjectedFault(Exception):
    """A fault's deliberate crash: surfaces as a 500 like any unexpected error."""


def status_info(description: str, code_minor: str, code_major: str = "failure") -> dict:
    return {
        "imsx_codeMajor": code_major,
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": code_minor}
            ]
        },
    }


def error_response(status: int, description: str, code_minor: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_info(description, code_minor or CODE_MINOR.get(status, "invaliddata")),
                        status_code=status, headers=headers)
