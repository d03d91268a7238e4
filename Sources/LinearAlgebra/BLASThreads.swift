import COpenBLAS

/// Controls OpenBLAS's own thread pool so that our threads × OpenBLAS's threads never exceed the
/// thread budget (`Runtime.Threads`).
///
/// - When a BLAS/LAPACK call is the whole job, run it inside `BLASThreads.with(threads) { … }`.
/// - When BLAS is called from inside one of our parallel regions, run the region inside
///   `BLASThreads.with(1) { … }` so each worker's call is single-threaded.
///
/// The only state is OpenBLAS's own thread setting; `with` restores the previous value.
public enum BLASThreads {
    /// OpenBLAS's current thread count.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Runs `body` with OpenBLAS limited to `threads` (at least 1) and restores the previous count.
    @inlinable
    public static func with<R>(_ threads: Int, _ body: () throws -> R) rethrows -> R {
        let previous = openblas_get_num_threads()
        let wanted = Int32(clamping: max(1, threads))
        if wanted != previous { openblas_set_num_threads(wanted) }
        defer { if wanted != previous { openblas_set_num_threads(previous) } }
        return try body()
    }
}
