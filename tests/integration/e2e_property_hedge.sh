#!/usr/bin/env bash
# The property test of e2e_property.sh on a hedge-mode account: every
# symbol has a LONG and a SHORT leg, each with its own ledger leg; no leg
# is ever opened, enlarged, or crossed into the other, no order exceeds
# its leg's drift or comes from an unknown ledger leg.
#   DG_PROPERTY_SEED=N make check TESTS=tests/integration/e2e_property_hedge.sh
export DG_PROPERTY_MODE=hedge
. "$top_srcdir/tests/integration/e2e_property.sh"
