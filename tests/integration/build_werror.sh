#!/usr/bin/env bash
# build_werror.sh - warnings are errors only when asked: configure without
# --enable-werror leaves -Werror out (a newer compiler on a user's machine
# must not break the build), with it puts -Werror in (CI).
. "$top_srcdir/tests/harness.sh"
dg_time_limit 120

# warn_cflags [CONFIGURE ARGS]: WARN_CFLAGS of a fresh configure.
warn_cflags() {
  local dir
  dir=$(mktemp -d "$DG_TMP/conf.XXXXXX")
  (cd "$dir" && "$top_srcdir/configure" "$@" >configure.out 2>&1) || {
    sed 's/^/# /' "$dir/configure.out" | tail -n 20
    return 1
  }
  sed -n 's/^WARN_CFLAGS = //p' "$dir/Makefile"
}

flags=$(warn_cflags)
ok $? "configure runs without --enable-werror"
case " $flags " in *" -Werror "*) false ;; *" -Wall "*) true ;; *) false ;; esac
ok $? "without --enable-werror: -Wall, no -Werror ($flags)"
flags=$(warn_cflags --enable-werror)
case " $flags " in *" -Werror "*) true ;; *) false ;; esac
ok $? "with --enable-werror: -Werror ($flags)"
dg_done
