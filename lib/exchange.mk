# lib/exchange.mk: see lib/local.mk
