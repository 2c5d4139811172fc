/* fuzz.h - driftguard's fuzz targets: one per parser of untrusted bytes.
 *
 * Each target file defines its entry with DG_FUZZ_TARGET(name). Built with
 * clang -fsanitize=fuzzer (make fuzz) it is libFuzzer's
 * LLVMFuzzerTestOneInput; built with DG_FUZZ_REPLAY (make check, any
 * compiler) every target is a function dg_fuzz_NAME of one program,
 * fuzz/replay, that runs files through them (replay.c). A target aborts
 * when a property that must hold for every input does not. */
#ifndef DG_FUZZ_H
#define DG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Every target, for replay.c: X(name). */
#define DG_FUZZ_TARGETS(X)                                                     \
  X(plan)                                                                      \
  X(bn_positions)                                                              \
  X(bn_order)                                                                  \
  X(bn_exchange_info)                                                          \
  X(bn_reply)                                                                  \
  X(decimal)                                                                   \
  X(conf)                                                                      \
  X(json_flat)

#ifdef DG_FUZZ_REPLAY
#define DG_FUZZ_DECLARE(name)                                                  \
  int dg_fuzz_##name(const uint8_t *data, size_t size);
DG_FUZZ_TARGETS(DG_FUZZ_DECLARE)
#define DG_FUZZ_TARGET(name)                                                   \
  int dg_fuzz_##name(const uint8_t *data, size_t size)
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#define DG_FUZZ_TARGET(name)                                                   \
  int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
#endif

/* A property every input must keep; abort() so both drivers report it. */
#define DG_FUZZ_CHECK(cond)                                                    \
  do {                                                                         \
    if (!(cond))                                                               \
      dg_fuzz_fail(#cond, __FILE__, __LINE__);                                 \
  } while (0)
__attribute__((noreturn)) void dg_fuzz_fail(const char *what, const char *file,
                                            int line);

#endif
