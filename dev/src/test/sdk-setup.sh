#!/usr/bin/env bash
# Installs the official Service Bus SDKs the conformance suites run (NodeSdkConformanceTest, PythonSdkConformanceTest
# call it themselves when theirs is missing). Idempotent and quick when already installed.
#   dev/src/test/sdk-setup.sh [node|python]...   (no argument: both)
# Node.js: npm ci from dev/src/test/node/servicebus-conformance/package-lock.json into its node_modules.
# Python:  a venv in .cmkflow/tools/servicebus-python with dev/src/test/python/servicebus-conformance/requirements.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
node_dir="$root/dev/src/test/node/servicebus-conformance"
requirements="$root/dev/src/test/python/servicebus-conformance/requirements.txt"
venv="$root/.cmkflow/tools/servicebus-python"

need() { command -v "$1" >/dev/null || { echo "sdk-setup: $1 is not on PATH; $2" >&2; exit 1; }; }

setup_node() {
  need node "install Node.js 18 or later (apt-get install nodejs npm)"
  need npm "install npm (apt-get install npm)"
  local stamp="$node_dir/node_modules/.cmkflow-installed"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum < "$node_dir/package-lock.json")" ]; then
    echo "sdk-setup: Node.js SDK already installed"
    return
  fi
  echo "sdk-setup: npm ci in $node_dir"
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
  sha256sum < "$node_dir/package-lock.json" > "$stamp"
}

setup_python() {
  need python3 "install Python 3.8 or later (apt-get install python3 python3-venv)"
  local stamp="$venv/.cmkflow-installed"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(sha256sum < "$requirements")" ]; then
    echo "sdk-setup: Python SDK already installed"
    return
  fi
  echo "sdk-setup: venv with $(basename "$requirements") in $venv"
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  sha256sum < "$requirements" > "$stamp"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(node python)
for target in "${targets[@]}"; do
  case "$target" in
    node) setup_node ;;
    python) setup_python ;;
    *) echo "sdk-setup: unknown target '$target' (node or python)" >&2; exit 2 ;;
  esac
done
