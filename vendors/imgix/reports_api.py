"""Report routes (Analytics permission): list, get, and download a report's CSV file.

Each report relates to the account (``relationships.account``, as the seed's example
shows); a sparse fieldset that does not name ``account`` leaves it out, as JSON:API's
fieldsets cover relationships too (the seed's sorted example answers ``{}``)."""

from __future__ import annotations

from aiohttp import web

from vendors.imgix import jsonapi as ja
from vendors.imgix import jsonapi_query as jq
from vendors.imgix.api import Api
from vendors.imgix.reports import SORTS, Report

FILTERS: dict[str, jq.Matcher] = {
    "completed": jq.boolean(lambda r: r["attributes"]["completed"]),
    "report_type": jq.substring(lambda r: r["attributes"]["report_type"]),
}


class ReportsApi:
    def __init__(self, api: Api) -> None:
        self.api, self.backend = api, api.backend

    def _finalised(self) -> dict[str, Report]:
        names = {s.id: s.name for s in self.backend.sources}
        self.backend.reports.finalise(self.backend.clock.now(), names)
        return self.backend.reports.by_id

    def _resource(self, report: Report, request: web.Request) -> jq.Resource:
        url = f"{request.url.origin()}/api/v1/reports/{report.id}/files/0.csv"
        fields = request.query.get("fields[reports]")
        account = {"data": {"id": self.backend.account_id, "type": "accounts"}}
        wanted = fields is None or "account" in fields.split(",")
        return {
            "attributes": report.attributes(url, self.backend.clock.now()),
            "id": report.id,
            "type": "reports",
            "relationships": {"account": account} if wanted else {},
        }

    async def list_reports(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Analytics")
        items = [self._resource(r, request) for r in self._finalised().values()]
        items = jq.filter_items(items, request.query, FILTERS)
        items = jq.sort_items(items, request.query.get("sort"), SORTS)
        page = jq.page_by_number(items, request.query)
        fields = request.query.get("fields[reports]")
        data = [
            {**r, "attributes": jq.sparse_attributes(r["attributes"], fields)} for r in page.items
        ]
        return ja.response(ja.document(data, self.api.meta(key, **page.meta)))

    def _report(self, request: web.Request) -> Report:
        report = self._finalised().get(request.match_info["report_id"])
        if report is None:
            raise ja.not_found()
        return report

    async def get_report(self, request: web.Request) -> web.Response:
        key = self.api.auth(request, "Analytics")
        resource = self._resource(self._report(request), request)
        resource["attributes"] = jq.sparse_attributes(
            resource["attributes"], request.query.get("fields[reports]")
        )
        return ja.response(ja.document(resource, self.api.meta(key)))

    async def download(self, request: web.Request) -> web.Response:
        self.api.auth(request, "Analytics")
        report = self._report(request)
        if request.match_info["n"] != "0":
            raise ja.not_found()
        if not report.completed(self.backend.clock.now()):
            raise ja.not_found(f"{report.report_key} is available from 01:00 UTC")
        return web.Response(
            text=report.csv,
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{report.report_key}.csv"'},
        )


def add_report_routes(app: web.Application, api: Api) -> None:
    reports = ReportsApi(api)
    app.router.add_get("/api/v1/reports", reports.list_reports)
    app.router.add_get("/api/v1/reports/{report_id}", reports.get_report)
    app.router.add_get("/api/v1/reports/{report_id}/files/{n}.csv", reports.download)
