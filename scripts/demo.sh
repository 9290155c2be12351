#!/usr/bin/env bash
# Set up, write the demo data for all 98 kommuner, and render every briefing into reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/fundament demo
.venv/bin/fundament run "$@"
echo "Open reports/index.html in a browser."
