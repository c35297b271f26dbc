"""Cookies from a Netscape ``cookies.txt`` (what browser extensions, curl and yt-dlp write),
turned into a Playwright storage state in memory, limited to the platform's hosts.

Format: one cookie per line, seven tab-separated fields — domain, include-subdomains flag,
path, secure flag, expiry (Unix seconds, 0 for a session cookie), name, value. ``#`` starts a
comment, except ``#HttpOnly_`` which marks an HttpOnly cookie (curl, yt-dlp, most exporters).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from cancelscout.errors import SessionError

HTTPONLY = "#HttpOnly_"


def _host_matches(domain: str, subdomains: bool, hosts: list[str]) -> bool:
    bare = domain.lstrip(".").lower()
    return any(host == bare or (subdomains and host.endswith("." + bare)) for host in hosts)


def read_cookies_txt(path: Path, hosts: list[str]) -> dict[str, Any]:
    """The cookies of ``path`` for ``hosts`` (a cookie of a parent domain counts), as a
    Playwright storage state. The file is refused if other users can read it, like a session."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"cookies file {path} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"cookies file {path} cannot be read ({exc}).") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SessionError(
            f"cookies file {path} can be read by other users (mode {stat.S_IMODE(mode):o}); "
            f"it holds your login. Run 'chmod 600 {path}' and try again."
        )
    cookies: list[dict[str, Any]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip("\r\n")
        http_only = line.startswith(HTTPONLY)
        if http_only:
            line = line[len(HTTPONLY) :]
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 7:
            raise SessionError(
                f"{path}:{number}: expected 7 tab-separated fields (domain, subdomains, path, "
                f"secure, expiry, name, value), found {len(fields)}. Export the cookies again "
                "in Netscape / cookies.txt format."
            )
        domain, subdomains, cookie_path, secure, expiry, name, value = fields
        include_subdomains = subdomains.upper() == "TRUE" or domain.startswith(".")
        if not _host_matches(domain, include_subdomains, hosts):
            continue  # another site's cookie: never handed to the browser
        try:
            expires = int(float(expiry))
        except ValueError:
            raise SessionError(
                f"{path}:{number}: the expiry {expiry!r} is not a number of seconds."
            ) from None
        cookies.append(
            {
                "name": name,
                "value": value,
                "domain": ("." + domain.lstrip(".")) if include_subdomains else domain.lstrip("."),
                "path": cookie_path or "/",
                "expires": expires if expires > 0 else -1,
                "httpOnly": http_only,
                "secure": secure.upper() == "TRUE",
                "sameSite": "Lax",
            }
        )
    if not cookies:
        raise SessionError(
            f"cookies file {path} holds no cookie for {', '.join(hosts)}. Export the cookies "
            "while logged in to the platform, from the same browser."
        )
    return {"cookies": cookies, "origins": []}
