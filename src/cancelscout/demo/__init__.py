"""The bundled demo shop 星辰卡盟: where it lives and its demo account.

``cancelscout demo`` (see ``runs/demo.py``) serves it on 127.0.0.1 and runs the whole job on it.
Kept import-light: the fixture server (``server.py``) must load without the browser engine.
"""

from __future__ import annotations

import json
from pathlib import Path

DEMO_PROFILE = "demo-xingchen"
DEMO_SITE = Path(__file__).parent / "site"


def demo_account() -> tuple[str, str]:
    config = json.loads((DEMO_SITE / "site.json").read_text(encoding="utf-8"))
    return str(config["username"]), str(config["password"])
