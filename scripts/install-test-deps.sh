#!/bin/sh
# Installs the system packages the test suite drives besides Node: Neovim
# (its built-in LSP client checks the language server against a client that
# is not VS Code). Idempotent: does nothing when everything is present.
set -eu

if command -v nvim >/dev/null 2>&1; then
  echo "install-test-deps: nvim already installed ($(nvim --version | head -n 1))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends neovim
nvim --version | head -n 1
