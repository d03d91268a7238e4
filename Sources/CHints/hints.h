// Processor hints Swift cannot spell: header-only, no library to link.
// Swift imports the static inline functions and inlines them into its loops.
#ifndef MOVIEREC_CHINTS_H
#define MOVIEREC_CHINTS_H

/// Asks the processor to bring the cache line holding `address` close, for a read soon.
/// A hint only: no fault on any address, no effect on results.
static inline void movierec_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

/// The same for a line that will be written soon.
static inline void movierec_prefetch_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
