/// A read-mostly column of fixed-width values: either an ordinary array it owns, or a *mapped*
/// view of `count` values stored in a `FileMapping` (for instance a rating column of the dataset
/// cache, used in place with no copy and no freshly zeroed memory).
///
/// It behaves like an array of `Element`: a random-access collection indexed `0..<count`,
/// mutable with copy-on-write value semantics. A mapped column is never written: its first
/// mutation (subscript set, `withUnsafeMutableBufferPointer`) copies its values into owned
/// storage first, so other copies of the column and the file are unchanged.
///
/// Lifetime: a mapped column holds a reference to its `FileMapping`, which stays mapped as long
/// as any column views it — also after the file is deleted or replaced by an atomic rename.
/// Truncating a mapped file in place would make reads fault (`SIGBUS`); the files mapped here
/// are only ever replaced by rename. A mapped column views the values in the host's byte order
/// exactly as stored; the caller maps only data written in that order.
public struct Column<Element: BitwiseCopyable & Sendable>: @unchecked Sendable {
    // @unchecked: `view` points into `mapping`, immutable memory kept alive by this value.
    /// The values when owned (empty when mapped).
    @usableFromInline var owned: [Element]
    /// The first value when mapped, else nil.
    @usableFromInline var view: UnsafePointer<Element>?
    /// The values' count when mapped (unused when owned).
    @usableFromInline var viewCount: Int
    /// Keeps the mapping of `view` alive.
    @usableFromInline var mapping: FileMapping?

    /// An empty column.
    @inlinable public init() {
        owned = []
        view = nil
        viewCount = 0
        mapping = nil
    }

    /// A column owning `array` (kept as is, not copied).
    @inlinable public init(_ array: [Element]) {
        owned = array
        view = nil
        viewCount = 0
        mapping = nil
    }

    /// A column of the values of `sequence` (copied).
    @inlinable public init<S: Sequence>(_ sequence: S) where S.Element == Element {
        self.init(Array(sequence))
    }

    /// `count` copies of `value`.
    @inlinable public init(repeating value: Element, count: Int) {
        self.init([Element](repeating: value, count: count))
    }

    /// A mapped column: the `count` values stored from `byteOffset` of `mapping`, in place.
    /// Nil when they do not lie inside the mapping or are not aligned for `Element`.
    public init?(mapping: FileMapping, byteOffset: Int, count: Int) {
        let stride = MemoryLayout<Element>.stride
        let (bytes, overflow) = count.multipliedReportingOverflow(by: stride)
        guard count >= 0, byteOffset >= 0, !overflow, byteOffset <= mapping.bytes.count,
              bytes <= mapping.bytes.count - byteOffset else { return nil }
        owned = []
        viewCount = count
        guard count > 0 else {
            view = nil
            self.mapping = nil
            return
        }
        guard let base = mapping.bytes.baseAddress,
              Int(bitPattern: base + byteOffset) % MemoryLayout<Element>.alignment == 0 else { return nil }
        view = (base + byteOffset).assumingMemoryBound(to: Element.self)
        self.mapping = mapping
    }

    /// Whether the values are a view of a file mapping (false once the column was written).
    @inlinable public var isMapped: Bool { view != nil }

    /// The values as an array: the owned array itself (no copy), or a copy of a mapped column's
    /// values. For APIs that take arrays; prefer `withUnsafeBufferPointer` on hot paths.
    @inlinable public var array: [Element] {
        if let view { return Array(UnsafeBufferPointer(start: view, count: viewCount)) }
        return owned
    }

    /// Calls `body` with the values' memory (the mapping itself when mapped).
    @inlinable public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        if let view { return try body(UnsafeBufferPointer(start: view, count: viewCount)) }
        return try owned.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the values' bytes (the mapping itself when mapped).
    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with the values' memory for writing; a mapped column first copies itself
    /// into owned storage.
    @inlinable public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R
    ) rethrows -> R {
        makeOwned()
        return try owned.withUnsafeMutableBufferPointer(body)
    }

    /// Copies a mapped column's values into owned storage (no-op when owned).
    @inlinable public mutating func makeOwned() {
        guard let view else { return }
        owned = Array(UnsafeBufferPointer(start: view, count: viewCount))
        self.view = nil
        viewCount = 0
        mapping = nil
    }
}

extension Column: RandomAccessCollection, MutableCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { view == nil ? owned.count : viewCount }
    @inlinable public var count: Int { endIndex }
    @inlinable public var indices: Range<Int> { 0..<endIndex }
    @inlinable public func index(after i: Int) -> Int { i + 1 }
    @inlinable public func index(before i: Int) -> Int { i - 1 }

    @inlinable public subscript(position: Int) -> Element {
        get {
            if let view {
                precondition(position >= 0 && position < viewCount, "Column index out of range")
                return view[position]
            }
            return owned[position]
        }
        set {
            makeOwned()
            owned[position] = newValue
        }
    }

    @inlinable public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R? {
        try withUnsafeBufferPointer(body)
    }

    @inlinable public mutating func withContiguousMutableStorageIfAvailable<R>(
        _ body: (inout UnsafeMutableBufferPointer<Element>) throws -> R
    ) rethrows -> R? {
        try withUnsafeMutableBufferPointer(body)
    }
}

extension Column: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension Column: Equatable where Element: Equatable {
    /// Element-wise equality, as for arrays (so a float column holding NaN is not equal to itself).
    @inlinable public static func == (lhs: Column, rhs: Column) -> Bool {
        lhs.withUnsafeBufferPointer { a in
            rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) }
        }
    }
}

extension Column: Hashable where Element: Hashable {
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        withUnsafeBufferPointer { for v in $0 { hasher.combine(v) } }
    }
}

extension Column: CustomStringConvertible, CustomDebugStringConvertible {
    /// The values as an array prints them (`[1, 2, 3]`).
    public var description: String { withUnsafeBufferPointer { Array($0).description } }
    public var debugDescription: String { description }
}
