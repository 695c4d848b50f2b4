"""The site's static files: its own scripts (``assets/site/``) and the front-end libraries it
takes from npm (``server/shkg/assets/package.json``, installed by ``npm ci --prefix
server/shkg/assets``): Chart.js for the charts, Swagger UI for ``/docs``.  Never from a CDN.

Only the files named here are served, each with its media type; a library that is not
installed answers 404, and the pages that use it fall back (a chart's data stays a table;
``/docs`` says how to install the assets and links the OpenAPI document).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from shkg.errors import NotFound
from shkg.web.caching import static_file
from shkg.web.service import Service

ASSETS = Path(__file__).resolve().parents[1] / "assets"
NODE_MODULES = ASSETS / "node_modules"
JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
# URL folder -> (directory, {file: media type}).
FILES: dict[str, tuple[Path, dict[str, str]]] = {
    "site": (ASSETS / "site", {"search.js": JS, "charts.js": JS, "docs.js": JS}),
    "chartjs": (NODE_MODULES / "chart.js" / "dist", {"chart.umd.min.js": JS}),
    "swagger-ui": (
        NODE_MODULES / "swagger-ui-dist",
        {"swagger-ui-bundle.js": JS, "swagger-ui.css": CSS},
    ),
}


def installed(folder: str) -> bool:
    """Whether every file of an asset folder is there (npm ci has run)."""
    directory, files = FILES[folder]
    return all((directory / name).is_file() for name in files)


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    def asset(folder: str, name: str) -> Response:
        found = FILES.get(folder)
        if found is None or name not in found[1] or not (found[0] / name).is_file():
            raise NotFound(f"no asset {folder}/{name}")
        directory, files = found
        return static_file(directory / name, files[name], service.settings.cache_max_age)

    routes.add_api_route(
        "/assets/{folder}/{name}", asset, methods=["GET", "HEAD"], include_in_schema=False
    )
    return routes
