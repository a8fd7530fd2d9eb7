# Shared by the scripts in this folder: locations and the one-time installs they need.
# Sourced, not run.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tongxin-target}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Installs Debian packages that are missing (as root, or through sudo when it is available).
need_debian() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (Debian packages)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# node_modules matching package-lock.json; `npm ci` only when the lock file changed.
web_deps() {
  local stamp="$ROOT/web/node_modules/.lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$ROOT/web/package-lock.json" "$stamp"; then
    say "installing web dependencies (npm ci)"
    (cd "$ROOT/web" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
    cp "$ROOT/web/package-lock.json" "$stamp"
  fi
}

# cargo-audit, built once into ~/.cargo/bin (no binary downloads here); without binary scanning,
# which the lock-file audit does not use.
need_cargo_audit() {
  command -v cargo-audit >/dev/null 2>&1 && return 0
  say "installing cargo-audit (once; cached in ~/.cargo/bin)"
  CARGO_TARGET_DIR="$HOME/.cache/cargo-audit-build" cargo install cargo-audit --locked --no-default-features --version 0.22.2 -q
}
