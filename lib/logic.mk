# lib/logic.mk: see lib/local.mk
