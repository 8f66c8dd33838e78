"""Image Manager errors: RFC 7807 problem details as the API documents them
(``application/api-problem+json`` with ``type``, ``title``, ``detail``, ``instance``,
``httpStatus``). Domain code raises :class:`Problem`; one middleware renders it."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from common.errors import ApiError

log = logging.getLogger(__name__)

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


class Problem(Exception):
    """A refusal with its HTTP status; ``title`` defaults to the status's name."""

    def __init__(self, status: int, detail: str, title: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or _TITLES.get(status, "Error")


class ValidationProblem(Problem):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail, "Validation Exception")


def problem_response(request: web.Request, problem: Problem) -> web.Response:
    body = {
        "type": f"/imaging/problem-types/{problem.title.lower().replace(' ', '-')}",
        "title": problem.title,
        "detail": problem.detail,
        "instance": f"{request.method} - {request.url}",
        "httpStatus": problem.status,
    }
    return web.Response(status=problem.status, text=json.dumps(body), content_type=PROBLEM_TYPE)


@web.middleware
async def problem_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    try:
        return await handler(request)
    except Problem as problem:
        return problem_response(request, problem)
    except ApiError as error:  # body readers (malformed JSON, too large) raise these
        return problem_response(request, Problem(error.status, error.message))
    except (
        HttpProcessingError,
        RequestPayloadError,
    ) as exc:  # a body the client broke (encoding, chunking)
        return problem_response(request, Problem(400, f"malformed request body: {exc}"))
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return problem_response(request, Problem(exc.status, exc.reason))
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(request, Problem(500, "internal error"))
