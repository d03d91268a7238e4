#if canImport(Glibc)
import Glibc
#endif

/// Maps the pages of a file mapping into the page tables ahead of use, a range at a time, so
/// that several threads can share the work (`mmap`'s `MAP_POPULATE` does it all on the calling
/// thread before any parsing starts). Advisory: on other systems, on kernels before 5.14
/// (no `MADV_POPULATE_READ`) or on failure, the pages are simply faulted in when first read.
enum Prefault {
    /// `MADV_POPULATE_READ` (Linux 5.14+; not in every libc's headers).
    static let populateRead: Int32 = 22
    static let pageSize = 4096

    /// Populates the pages overlapping `range` of the mapping that starts at `base`.
    static func read(_ base: UnsafeRawPointer?, _ range: Range<Int>) {
        #if os(Linux)
        guard let base, !range.isEmpty else { return }
        let from = (Int(bitPattern: base) + range.lowerBound) & ~(pageSize - 1)
        let to = Int(bitPattern: base) + range.upperBound
        guard to > from, let p = UnsafeMutableRawPointer(bitPattern: from) else { return }
        _ = madvise(p, to - from, populateRead)
        #endif
    }
}
