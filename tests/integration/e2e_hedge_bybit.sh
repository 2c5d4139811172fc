#!/usr/bin/env bash
# e2e_hedge.sh on Bybit v5 linear (hedge mode per symbol, positionIdx 1/2).
export DG_VENUE=bybit-linear
. "$top_srcdir/tests/integration/e2e_hedge.sh"
