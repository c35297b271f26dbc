"""Does a URL name an action (cancel, pay, renew, delete …) rather than a page?

Platforms put their actions behind plain links: ``/member/cancel.php?id=3``, ``?act=quxiao``,
``/api/unsubscribe``, ``do=delete``. Opening such a URL can be the action itself (many 卡盟 cancel
on the GET), so locating never opens one. The URL is cut into words (path segments, query keys
and values, split at ``-_.`` and camelCase) and each word is compared with the action verbs
below, in English and in the pinyin that Chinese platforms use.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

# Verbs that name an action wherever they stand in the URL.
ACTION_WORDS = frozenset(
    {
        # English
        "cancel", "unsubscribe", "unsub", "optout", "delete", "destroy", "remove", "terminate",
        "deactivate", "disable", "pay", "checkout", "renew", "purchase", "buy", "upgrade",
        "charge", "recharge", "topup", "withdraw", "refund", "logout", "signout", "logoff",
        # pinyin
        "quxiao", "tuiding", "zhuxiao", "shanchu", "guanbi", "tingzhi", "jieyue", "jiechu",
        "zhifu", "fukuan", "xufei", "goumai", "xiadan", "kaitong", "chongzhi", "queren", "tijiao",
        "tuichu",
    }
)  # fmt: skip
# Short or ambiguous words that name an action only as the value of an action key
# (?act=order, ?do=close, ?a=qx): as a path segment they are as often a page.
VALUE_ONLY_WORDS = frozenset(
    {"order", "close", "stop", "confirm", "submit", "del", "qx", "td", "sc", "xf", "zf", "off"}
)
# Query keys whose value names the action: ?act=cancel, ?do=delete, ?op=pay, ?m=user&a=tuiding.
ACTION_KEYS = frozenset({"act", "action", "do", "op", "operation", "cmd", "method", "a", "ac"})
# Anti-forgery tokens in a query string: a site only asks for one on a request that changes
# something, so a link that carries one is an action whatever its words say.
TOKEN_KEYS = frozenset(
    {"formhash", "_wpnonce", "nonce", "csrf", "csrf_token", "csrftoken", "_csrf", "_token",
     "authenticity_token", "sesskey", "xsrf", "_xsrf"}
)  # fmt: skip
_SPLIT = re.compile(r"[/\-_.~+=&;,:@!$'()*\s]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _words(text: str) -> list[str]:
    text = _CAMEL.sub(" ", unquote(text))
    return [w for w in _SPLIT.split(text.lower()) if w]


def action_in_url(url: str) -> str | None:
    """The action word ``url`` names (in its path or query), or None for an ordinary page."""
    parts = urlsplit(url)
    if parts.scheme in ("javascript", "mailto", "tel", "data", "blob", "about"):
        return None
    for word in _words(parts.path):
        if word in ACTION_WORDS:
            return word
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key.lower() in TOKEN_KEYS and value:
            return key  # a request-forgery token: the link acts (logout, resend, delete)
        for word in _words(key):
            if word in ACTION_WORDS:
                return word
        values = _words(value)
        for word in values:
            if word in ACTION_WORDS:
                return word
            if key.lower() in ACTION_KEYS and word in VALUE_ONLY_WORDS:
                return word
    return None


# Query parameters that change on every visit without changing the page (tracking, cache
# busting): a state key leaves them out so the same page is the same state.
VOLATILE_PARAMS = frozenset(
    {"t", "ts", "_", "timestamp", "time", "rand", "random", "r", "nocache", "cache", "v",
     "spm", "from", "ref", "referer", "source", "src", "share", "sessionid", "sid", "token",
     "formhash", "hash", "nonce"}
)  # fmt: skip


def state_url(url: str) -> str:
    """``url`` as a state of a search: no volatile parameters, no empty fragment, sorted query."""
    parts = urlsplit(url)
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in VOLATILE_PARAMS and not k.lower().startswith("utm_")
    )
    fragment = parts.fragment if parts.fragment.strip("/!") else ""
    path = parts.path or "/"
    text = f"{parts.scheme}://{parts.netloc.lower()}{path}"
    if query:
        text += "?" + "&".join(f"{k}={v}" for k, v in query)
    return text + (f"#{fragment}" if fragment else "")
