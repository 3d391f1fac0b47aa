# Sourced by scripts/start, scripts/test and .ci/run (from the top of the repository):
# a Python >= 3.11 virtualenv in .venv with the project installed, and apt with or without root.

VENV=${GOVWATCH_VENV:-.venv}

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "需要 root 权限（或 sudo）来执行 / root or sudo needed for: $*"
    fi
}

apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "没有 apt-get，请手动安装 / no apt-get, please install: $*"
    say "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

_python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 && _python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# Create $VENV unless it already holds a working Python >= 3.11 with pip.
ensure_venv() {
    if _python_ok "$VENV/bin/python" && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        return 0
    fi
    local python version
    python=$(find_python) || die "需要 Python 3.11 或更新版本 / Python >= 3.11 is needed (set PYTHON=...)"
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
        apt_install "python$version-venv" || apt_install python3-venv
    fi
    say "创建虚拟环境 / creating $VENV with $python"
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
}

# install_project ""  or  install_project "[test]": pip install -e, skipped when pyproject.toml is
# unchanged since the last install of these extras (or of [test], which includes everything).
# Extra arguments go to pip (scripts/test: --no-compile).
install_project() {
    local extras=$1 stamp="$VENV/.govwatch-installed" digest
    shift
    digest=$("$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')
    if grep -qxF "$extras $digest" "$stamp" 2>/dev/null || grep -qxF "[test] $digest" "$stamp" 2>/dev/null; then
        return 0
    fi
    say "安装依赖 / pip install -e .$extras"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q "$@" -e ".$extras"
    echo "$extras $digest" >>"$stamp"
}

# The PDF renderer of official documents: LibreOffice headless with Debian's CJK fonts (Noto CJK;
# AR PL UKai for 楷体), and poppler-utils, with which the tests read the PDFs back. Installed when
# missing; a machine without apt gets a warning and documents as Word files only.
ensure_document_renderer() {
    local missing=
    command -v soffice >/dev/null 2>&1 || missing=1
    command -v pdftotext >/dev/null 2>&1 || missing=1
    fc-list :lang=zh family 2>/dev/null | grep -q "CJK" || missing=1
    [ -z "$missing" ] && return 0
    # Debian 12 and Ubuntu 24.04 both have the GUI-less LibreOffice; libreoffice-writer elsewhere.
    ( apt_install libreoffice-writer-nogui fonts-noto-cjk fonts-arphic-ukai poppler-utils ) \
        || ( apt_install libreoffice-writer fonts-noto-cjk fonts-arphic-ukai poppler-utils ) \
        || echo "warning: LibreOffice could not be installed; PDF documents will not be available" >&2
}

# Browser libraries GovWatch serves itself (Apache ECharts): installed from the npm registry by the
# versions package-lock.json pins, into node_modules/, never copied into the repository. Skipped when
# the lock file is unchanged since the last install.
ensure_js_assets() {
    local stamp=node_modules/.govwatch-installed digest
    digest=$(sha256sum package-lock.json | cut -d' ' -f1)
    if grep -qxF "$digest" "$stamp" 2>/dev/null && [ -f node_modules/echarts/dist/echarts.min.js ]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        ( apt_install nodejs npm ) || { echo "warning: npm could not be installed; charts will not be drawn" >&2; return 0; }
    fi
    say "npm ci (Apache ECharts)"
    npm ci --no-audit --no-fund --loglevel=error >&2 || { echo "warning: npm ci failed; charts will not be drawn" >&2; return 0; }
    echo "$digest" >"$stamp"
}
