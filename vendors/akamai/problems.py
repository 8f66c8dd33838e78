"""Image Manager errors: RFC 7807 problem details as the API documents them
(``application/api-problem+json`` with ``type``, ``title``, ``detail``, ``instance``,
``httpStatus``). Domain code raises :class:`Problem`; :func:`render_problem` is the
renderer given to :func:`common.errors.error_middleware`, which answers every failure."""

from __future__ import annotations

import json

from aiohttp import web

from common.errors import ApiError, error_middleware

PROBLEM_TYPE = "application/api-problem+json"
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


class Problem(ApiError):
    """A refusal with its HTTP status; ``title`` defaults to the status's name. The problem
    ``type`` is the title's (``/imaging/problem-types/validation-exception``), or ``kind``'s
    for a rule beyond the API's schema (``…/undeclared-variable``), as RFC 7807 lets a
    type name a more specific problem than its title."""

    def __init__(
        self, status: int, detail: str, title: str | None = None, *, kind: str | None = None
    ) -> None:
        self.title = title or _TITLES.get(status, "Error")
        self.kind = kind or self.title.lower().replace(" ", "-")
        super().__init__(detail, status=status, code=self.kind)
        self.detail = detail


class ValidationProblem(Problem):
    def __init__(self, detail: str, *, kind: str | None = None) -> None:
        super().__init__(400, detail, "Validation Exception", kind=kind)


def render_problem(request: web.Request, error: ApiError) -> web.Response:
    title = error.title if isinstance(error, Problem) else _TITLES.get(error.status, "Error")
    kind = error.kind if isinstance(error, Problem) else title.lower().replace(" ", "-")
    body = {
        "type": f"/imaging/problem-types/{kind}",
        "title": title,
        "detail": error.message,
        "instance": f"{request.method} - {request.url}",
        "httpStatus": error.status,
    }
    return web.Response(
        status=error.status,
        text=json.dumps(body),
        content_type=PROBLEM_TYPE,
        headers=error.headers,
    )


problem_errors = error_middleware(render_problem)
