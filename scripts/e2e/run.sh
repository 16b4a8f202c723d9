#!/usr/bin/env bash
# The end-to-end suite: installs what it needs (scripts/e2e/install.sh, quick
# when already done), packages the extension, and runs test/e2e/*.e2e.ts,
# which install that .vsix into a fresh code-server and drive it in Chromium.
# Screenshots of each stage land in test/e2e/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/e2e/install.sh
npm run --silent package
rm -rf test/e2e/screenshots
IOTRACE_VSIX="$PWD/iotrace.vsix" node --import tsx --test --test-reporter=spec test/e2e/*.e2e.ts
