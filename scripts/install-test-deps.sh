#!/usr/bin/env bash
# Install the system packages the test suite needs (Debian package names):
#   chromium         the browser for the Playwright tests (never `playwright install`: no downloads)
#   fonts-noto-cjk   Chinese glyphs for screenshots and browser-rendered pages
#   gettext          msgfmt/xgettext for `make messages` (compilemessages, makemessages)
#   postgresql-15    the second database the suite runs on (scripts/with-postgres.sh)
#   libreoffice-writer-nogui, libreoffice-calc-nogui
#                    headless LibreOffice: bulletins as PDF (guatu/bulletins/pdf.py) and the check that the
#                    .docx and .xlsx the app writes open and convert
#   poppler-utils    pdftotext, to read the converted PDF back in the tests
#   redis-server     a Redis the cache test starts on a free port (ops/tests/test_cache_settings.py)
# As root, missing packages are installed with apt-get; otherwise the script names them and fails.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
    && ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; }; then
    missing+=(fonts-noto-cjk)
fi
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
[ -x "/usr/lib/postgresql/$PG_VERSION/bin/initdb" ] || missing+=("postgresql-$PG_VERSION")
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)

if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing system packages: ${missing[*]} (and no apt-get here: install their equivalents)" >&2
    exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
