"""Tiny local HTTP server for the bundled demo shop and the test fixture sites.

Stdlib only. Serves static files from a site root, fakes a cookie-based login,
and records every hit on ``/api/danger/<action>`` so tests can prove that the
tool never clicked a dangerous control (cancel, pay, renew, delete...).

Per-site configuration lives in ``<root>/site.json``::

    {"cookie_name": "PHPSESSID", "username": "demo", "password": "demo123",
     "login_page": "/login.html", "protected": ["/user/"],
     "danger_paths": ["/member.php"]}

``danger_paths`` names more dangerous endpoints (path prefixes) for sites whose actions do not
live under ``/api/danger/``: a GET link that cancels, a quick-pay URL.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import secrets
import sys
import threading
import time
from collections import deque
from datetime import datetime, timezone
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_CONFIG: dict[str, Any] = {
    "cookie_name": "PHPSESSID",
    "username": "demo",
    "password": "demo123",
    "login_page": "/login.html",
    "protected": ["/user/", "/member.html"],
}

_TEXT_TYPES: dict[str, str] = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml",
    ".txt": "text/plain", ".md": "text/markdown",
}  # fmt: skip

_PAGE = (
    '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body style="font-family:sans-serif;padding:40px;color:#333"><h1>{title}</h1><p>{body}</p>'
    '<p><a href="/">返回首页</a></p></body></html>'
)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx/1.18.0"
    sys_version = ""
    site: SiteServer  # set on the per-server subclass

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet

    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, status: int, title: str, body: str) -> None:
        page = _PAGE.format(title=html.escape(title), body=html.escape(body))
        self._send(status, page.encode("utf-8"), "text/html; charset=utf-8")

    def _json(self, status: int, data: object) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8")

    def _redirect(self, location: str, cookie: str | None = None) -> None:
        headers = {"Location": location}
        if cookie is not None:
            headers["Set-Cookie"] = cookie
        self._send(302, b"", "text/html; charset=utf-8", headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _token(self) -> str | None:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie") or "")
        except CookieError:
            return None
        morsel = jar.get(self.site.config["cookie_name"])
        return morsel.value if morsel is not None else None

    def _user(self) -> str | None:
        token = self._token()
        return self.site._session_user(token) if token else None

    def _dispatch(self) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path) or "/"
        site = self.site
        site._record_path(self.path)
        method = self.command

        extra = [p for p in site.config.get("danger_paths", []) if path.startswith(p)]
        if path.startswith("/api/danger/") or extra:
            self._read_body()
            action = path[len("/api/danger/") :].strip("/") if not extra else path
            site._record_danger(action or "unknown", self.path, method)
            self._html(200, f"操作成功：{action}", f"操作成功：{action}")
            return
        if path == "/__state":
            self._json(200, site.state())
            return
        fault = site.config.get("faults", {}).get(path)
        if fault is not None and "delay_s" in fault:  # a slow answer: late, then the file
            time.sleep(float(fault["delay_s"]))
        elif fault is not None:
            self._fault(fault)
            return
        if path == "/login" and method == "POST":
            self._login()
            return
        if path == "/logout":
            token = self._token()
            if token:
                site._drop_session(token)
            name = site.config["cookie_name"]
            self._redirect("/", f"{name}=; Path=/; Max-Age=0; HttpOnly")
            return
        if path == "/api/whoami":
            user = self._user()
            if user:
                self._json(200, {"logged_in": True, "user": user})
            else:
                self._json(401, {"logged_in": False})
            return
        if method not in ("GET", "HEAD"):
            self._html(405, "405 Method Not Allowed", "不支持的请求方式")
            return
        if site._is_protected(path) and self._user() is None:
            login = site.config["login_page"]
            target = split.path + (f"?{split.query}" if split.query else "")
            self._redirect(f"{login}?next={quote(target, safe='/')}")
            return
        self._static(path)

    def _fault(self, fault: dict[str, Any]) -> None:
        """Misbehave on purpose, as declared in site.json "faults" (for fault-handling tests)."""
        if "hang_s" in fault:  # a page that never finishes: headers, then silence
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<html><body>loading")
            self.wfile.flush()
            time.sleep(float(fault["hang_s"]))
        elif "redirect" in fault:
            self._redirect(str(fault["redirect"]))
        elif "download" in fault:
            name = str(fault["download"])
            self._send(
                200,
                b"%PDF-1.4 fake",
                "application/octet-stream",
                {"Content-Disposition": f'attachment; filename="{name}"'},
            )
        else:
            status = int(fault.get("status", 500))
            self._html(status, f"{status} 服务器错误", "服务器开小差了，请稍后再试")

    def _login(self) -> None:
        site = self.site
        form = parse_qs(self._read_body().decode("utf-8", "replace"))
        username = (form.get("username") or [""])[0]
        password = (form.get("password") or [""])[0]
        nxt = (form.get("next") or [""])[0]
        if username == site.config["username"] and password == site.config["password"]:
            token = site._new_session(username)
            if not nxt.startswith("/") or nxt.startswith("//"):
                nxt = "/"
            cookie = f"{site.config['cookie_name']}={token}; Path=/; HttpOnly"
            self._redirect(nxt, cookie)
        else:
            self._redirect(f"{site.config['login_page']}?error=1")

    def _static(self, path: str) -> None:
        root = self.site.root
        if "\x00" in path or ".." in Path(path).parts:
            self._html(403, "403 Forbidden", "禁止访问")
            return
        target = (root / path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            self._html(403, "403 Forbidden", "禁止访问")
            return
        if target.is_dir():
            if not path.endswith("/"):
                self._redirect(path + "/")
                return
            target = target / "index.html"
        if not target.is_file():
            self._html(404, "404 Not Found", "页面不存在或已被删除")
            return
        suffix = target.suffix.lower()
        ctype = _TEXT_TYPES.get(suffix)
        if ctype is not None:
            ctype += "; charset=utf-8"
        else:
            ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(200, target.read_bytes(), ctype)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _dispatch


class SiteServer:
    """Serve one fixture/demo site from ``root`` with fake sessions."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root).resolve()
        self.host = host
        self.port = port
        self.config: dict[str, Any] = dict(DEFAULT_CONFIG)
        cfg_file = self.root / "site.json"
        if cfg_file.is_file():
            self.config.update(json.loads(cfg_file.read_text(encoding="utf-8")))
        self.danger_hits: list[dict[str, str]] = []
        self.logins = 0
        self._paths: deque[str] = deque(maxlen=200)
        self._sessions: dict[str, str] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SiteServer not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> SiteServer:
        if self._httpd is not None:
            return self
        handler = type("SiteHandler", (_Handler,), {"site": self})
        httpd = ThreadingHTTPServer((self.host, self.port), handler)
        httpd.daemon_threads = True
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, name=f"SiteServer:{self.root.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def state(self) -> dict[str, Any]:
        with self._lock:
            hits = [dict(hit) for hit in self.danger_hits]
            return {"danger_hits": hits, "logins": self.logins, "paths": list(self._paths)}

    def expire_sessions(self) -> None:
        with self._lock:
            self._sessions.clear()

    def _is_protected(self, path: str) -> bool:
        return any(path.startswith(str(p)) for p in self.config["protected"])

    def _record_path(self, path: str) -> None:
        with self._lock:
            self._paths.append(path)

    def _record_danger(self, action: str, path: str, method: str) -> None:
        hit = {"action": action, "path": path, "method": method, "time": _now()}
        with self._lock:
            self.danger_hits.append(hit)

    def _new_session(self, user: str) -> str:
        token = secrets.token_hex(16)
        with self._lock:
            self._sessions[token] = user
            self.logins += 1
        return token

    def _session_user(self, token: str) -> str | None:
        with self._lock:
            return self._sessions.get(token)

    def _drop_session(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0].startswith("-"):
        print("usage: python -m cancelscout.demo.server ROOT [PORT]")
        return 2
    port = int(args[1]) if len(args) > 1 else 0
    server = SiteServer(Path(args[0]), port=port).start()
    print(f"serving {server.root} at {server.url}/  (Ctrl-C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
