# Sourced by the test scripts: installs Debian packages the end-to-end tests need, when missing.
apt_install() {
  echo "--- installing $* (Debian packages) for the end-to-end tests"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
