# Sourced by scripts/install-deps.sh and scripts/build-board.sh: one way of installing the Debian
# packages a script needs, idempotent (nothing is done when all are installed).
#   apt_ensure TAG PACKAGE...   (a PACKAGE ending in :armhf adds the armhf architecture first)
apt_ensure() {
  local tag=$1; shift
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$tag: installing ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  case " ${missing[*]}" in
    *:armhf*) dpkg --print-foreign-architectures | grep -qx armhf || $sudo dpkg --add-architecture armhf ;;
  esac
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
