#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite (the README's test command; .ci/run calls it).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/pip install -q -r requirements.txt

# The real-browser test drives Debian's chromium (a browser download by Playwright would fail offline)
# and checks that Chinese is drawn with real glyphs, which needs a CJK font.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "note: ${missing[*]} missing and not root: the browser test will be skipped" >&2
    fi
fi

# pytest exits 5 when no test ran: with `set -e` that fails the run instead of passing silently.
exec .venv/bin/python -m pytest -q "$@"
