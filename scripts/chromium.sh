#!/usr/bin/env bash
# Headless Chromium for the browser tests (the API reference page as a person sees it).
#
#   scripts/chromium.sh path    print the browser's path, installing Debian's chromium package first
#                               when it is missing (as root); fail with a clear message otherwise
#
# Only the path goes to stdout, so `CHROMIUM=$(scripts/chromium.sh path)` works; progress goes to stderr.
# Like scripts/postgres.sh it installs nothing else and downloads no browser build of its own.
set -euo pipefail

log() { printf 'chromium.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_browser() {
    local candidate
    for candidate in "${TENANTBILLING_TEST_CHROMIUM:-}" /usr/bin/chromium /usr/bin/chromium-browser; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            printf '%s\n' "$candidate"
            return
        fi
    done
}

path() {
    local browser
    browser="$(find_browser)"
    if [[ -z "$browser" ]]; then
        [[ "$(id -u)" == 0 ]] || die "Chromium is missing; install Debian's 'chromium' package (as root: apt-get install chromium)."
        log "installing Debian's chromium package"
        export DEBIAN_FRONTEND=noninteractive
        # Other processes on the machine may hold the package lock for a while: wait for it.
        apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium fonts-liberation >&2
        browser="$(find_browser)"
        [[ -n "$browser" ]] || die "chromium installed but no /usr/bin/chromium found"
    fi
    printf '%s\n' "$browser"
}

case "${1:-}" in
    path) path ;;
    *) die "usage: $0 path" ;;
esac
