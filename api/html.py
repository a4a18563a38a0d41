"""HTML representations (Chinese first), rendered with Jinja2 from ``api/templates``."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.responses import base_url
from maps.chrome import HEADER_CSS, SiteLinks, header_html

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render ``template`` with the common context (root URL, page path, site header).

    The site header is the maps' own (``maps.chrome.header_html``): the same way home and to
    every map on the portal, the collection pages and the map pages.
    """
    root = base_url(request)
    header = Markup(header_html(SiteLinks(root)))
    html = _ENV.get_template(template).render(root=root, path=request.url.path,
                                             site_header=header, header_css=Markup(HEADER_CSS),
                                             **context)
    return HTMLResponse(html, status_code=status_code)
