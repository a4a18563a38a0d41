"""HTML representations (Chinese first), rendered with Jinja2 from ``api/templates``."""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.responses import base_url

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(request: Request, template: str, status_code: int = 200, **context) -> HTMLResponse:
    """Render ``template`` with the common context (root URL, page path)."""
    html = _ENV.get_template(template).render(root=base_url(request), path=request.url.path,
                                             **context)
    return HTMLResponse(html, status_code=status_code)
