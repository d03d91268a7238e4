#if canImport(Glibc)
import Glibc
#endif

/// Asks Linux to back large fresh buffers with transparent huge pages (`madvise(MADV_HUGEPAGE)`),
/// before they are first written. Filling hundreds of megabytes of new column arrays otherwise
/// costs one page fault per 4 KiB, which dominated cached loads. Advisory: failures and other
/// systems are ignored.
enum HugePages {
    static let size = 2 << 20

    static func advise(_ start: UnsafeMutableRawPointer?, bytes: Int) {
        #if os(Linux)
        guard let start, bytes >= 2 * size else { return }
        let from = (Int(bitPattern: start) + size - 1) & ~(size - 1)
        let to = (Int(bitPattern: start) + bytes) & ~(size - 1)
        guard to > from, let p = UnsafeMutableRawPointer(bitPattern: from) else { return }
        _ = madvise(p, to - from, MADV_HUGEPAGE)
        #endif
    }

    static func advise<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        advise(UnsafeMutableRawPointer(buffer.baseAddress), bytes: buffer.count * MemoryLayout<T>.stride)
    }
}
