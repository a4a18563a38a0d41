"""Up-front refusals (401/429/413) as a browser user reads them: a short Chinese page.

The body guard refuses a request before any route runs, so the routes' content negotiation
never sees it. A planner whose browser sent a wrong or revoked key (a stale Basic login)
would otherwise get an English problem+json document; a browser (GET/HEAD asking for
``text/html`` and not JSON, no ``f=`` other than ``html``) gets the same status and headers
with a page that says in Chinese what happened and links home. Every other client keeps the
RFC 9457 problem+json.
"""

from __future__ import annotations

import html
from urllib.parse import parse_qs

_WHAT = {
    401: ("需要有效的 API 密钥",
          "所提供的 API 密钥无效或已被吊销。请联系管理员获取新密钥；浏览器若弹出登录框，"
          "用户名可任填，密码填写 API 密钥。公开图层与地图无需密钥即可浏览。"),
    429: ("认证失败次数过多",
          "该地址在一分钟内认证失败次数过多，请稍后再试。"),
    413: ("上传内容过大", "请求体超过服务允许的大小，请拆分文件后再上传。"),
}


def browser_wants_html(scope, headers: dict) -> bool:
    """Whether the request comes from a browser asking for a page (see the module doc)."""
    if scope["method"] not in ("GET", "HEAD"):
        return False
    f = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("f")
    if f:
        return f[-1] == "html"
    accept = headers.get(b"accept", b"").decode("latin-1")
    return "text/html" in accept and "json" not in accept


def refusal_page(status: int, detail: str) -> bytes:
    """The Chinese page of a refusal; ``detail`` (English, for support) stays at the bottom."""
    title, text = _WHAT.get(status, ("请求被拒绝", "服务拒绝了该请求。"))
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{status} {title} · 赣州数字经济空间图谱</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        '<body style="font-family:\'Noto Sans CJK SC\',\'Microsoft YaHei\',sans-serif;'
        'max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2933">'
        f"<h1>{title}</h1><p>{text}</p>"
        '<p><a href="/">返回首页（赣州数字经济空间图谱）</a></p>'
        f'<p style="color:#616e7c;font-size:.8rem">HTTP {status} · {html.escape(detail)}</p>'
        "</body></html>").encode()
