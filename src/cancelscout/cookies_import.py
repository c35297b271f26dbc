"""Cookies from the user's everyday browser, turned into a Playwright storage state in memory,
limited to the platform's hosts: from a Netscape ``cookies.txt`` (``--cookies``) or read from
the browser's own cookie store (``--cookies-from-browser``, through yt-dlp's extractor: the
maintained code yt-dlp users already trust, which decrypts Chrome's store with the system
keyring where there is one).

cookies.txt: one cookie per line, seven tab-separated fields — domain, include-subdomains flag,
path, secure flag, expiry (Unix seconds, 0 for a session cookie), name, value. ``#`` starts a
comment, except ``#HttpOnly_`` which marks an HttpOnly cookie (curl, yt-dlp, most exporters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cancelscout.errors import SessionError, UsageError
from cancelscout.session import check_private

HTTPONLY = "#HttpOnly_"


def host_matches(domain: str, subdomains: bool, hosts: list[str]) -> bool:
    bare = domain.lstrip(".").lower()
    return any(host == bare or (subdomains and host.endswith("." + bare)) for host in hosts)


def read_cookies_txt(path: Path, hosts: list[str]) -> dict[str, Any]:
    """The cookies of ``path`` for ``hosts`` (a cookie of a parent domain counts), as a
    Playwright storage state. The file is refused if other users can read it, like a session."""
    check_private(path, "cookies file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"cookies file {path} cannot be read ({exc}).") from None
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
        if not host_matches(domain, include_subdomains, hosts):
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


BROWSERS = ("chrome", "chromium", "edge", "firefox")


class _Quiet:
    """yt-dlp's logger interface: its progress and info lines are dropped, warnings kept (they
    say why a cookie could not be decrypted)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def debug(self, message: str, only_once: bool = False) -> None:
        return None

    def info(self, message: str) -> None:
        return None

    def warning(self, message: str, only_once: bool = False) -> None:
        self.warnings.append(message)

    def error(self, message: str) -> None:
        self.warnings.append(message)

    def progress_bar(self) -> _Quiet:
        return self

    def print(self, message: str) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def read_browser_cookies(spec: str, hosts: list[str]) -> dict[str, Any]:
    """The cookies of browser ``spec`` (``BROWSER[:PROFILE]``, PROFILE a profile name or folder)
    for ``hosts``, as a Playwright storage state."""
    browser, _, profile = spec.partition(":")
    browser = browser.strip().lower()
    if browser not in BROWSERS:
        raise UsageError(
            f"--cookies-from-browser {spec}: unknown browser '{browser}'. Use one of "
            f"{', '.join(BROWSERS)}, optionally with :PROFILE (a profile name or folder)."
        )
    from yt_dlp.cookies import extract_cookies_from_browser  # only runs that ask for it

    logger = _Quiet()
    try:
        jar = extract_cookies_from_browser(browser, profile or None, logger=logger)
    except Exception as exc:  # the extractor's errors are many and undocumented
        raise SessionError(
            f"cannot read {browser}'s cookies ({type(exc).__name__}: {exc}). Export them as "
            "cookies.txt and use --cookies, or log in with 'cancelscout login'."
        ) from None
    cookies = [
        {
            "name": c.name,
            "value": c.value or "",
            "domain": c.domain,
            "path": c.path or "/",
            "expires": int(c.expires) if c.expires else -1,
            "httpOnly": False,  # the extractor does not say; the page may need to read it
            "secure": bool(c.secure),
            "sameSite": "Lax",
        }
        for c in jar
        if host_matches(c.domain, c.domain.startswith("."), hosts)
    ]
    if not cookies:
        why = f" ({'; '.join(logger.warnings[:3])})" if logger.warnings else ""
        raise SessionError(
            f"{browser} holds no cookie for {', '.join(hosts)}{why}. Log in to the platform "
            f"in {browser} first, or pass its profile as {browser}:PROFILE."
        )
    return {"cookies": cookies, "origins": []}
