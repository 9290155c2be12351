#!/usr/bin/env bash
# Set up, write the demo data for all 98 kommuner, and render every briefing (and the national
# overview: the demo plays the data holder) into reports/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/fundament demo
.venv/bin/fundament run --overview "$@"
echo "Open reports/index.html in a browser (the data holder's page); each kommune's bundle is in reports/til-kommunerne/."
