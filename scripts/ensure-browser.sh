#!/usr/bin/env bash
# Make sure cancelscout has a Chromium to drive and a CJK font to render Chinese.
# Order: a browser cancelscout already finds (CANCELSCOUT_BROWSER, Playwright's, system);
# else `playwright install chromium`; else, on Debian/Ubuntu as root, apt's chromium.
set -u
PY=${1:-.venv/bin/python}

have_browser() {
  "$PY" - <<'PYCODE' >/dev/null 2>&1
from playwright.sync_api import sync_playwright
from cancelscout.browser.launch import resolve_browser
with sync_playwright() as pw:
    resolve_browser(None, pw)
PYCODE
}

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-browser: apt-get install -y $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "$@" >/dev/null
  else
    return 1
  fi
}

if have_browser; then
  echo "ensure-browser: browser found"
else
  echo "ensure-browser: no browser found; trying 'playwright install chromium'"
  if ! "$PY" -m playwright install chromium >/dev/null 2>&1 || ! have_browser; then
    echo "ensure-browser: playwright download failed; trying the system package"
    apt_install chromium fonts-noto-cjk || {
      echo "ensure-browser: could not install a browser. Install Chromium or Chrome yourself," \
           "or set CANCELSCOUT_BROWSER=/path/to/chrome." >&2
      exit 1
    }
    have_browser || { echo "ensure-browser: still no browser found" >&2; exit 1; }
  fi
fi

if command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "ensure-browser: CJK font found"
else
  echo "ensure-browser: no CJK font (Chinese would render as boxes); installing fonts-noto-cjk"
  apt_install fonts-noto-cjk fontconfig || {
    echo "ensure-browser: install a CJK font yourself (e.g. fonts-noto-cjk)." >&2
    exit 1
  }
fi
