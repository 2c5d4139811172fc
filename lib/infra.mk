# lib/infra.mk: see lib/local.mk
