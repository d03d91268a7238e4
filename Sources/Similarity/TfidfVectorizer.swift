import Foundation
import LinearAlgebra

/// Why a TF-IDF fit or a similarity query was refused.
public enum SimilarityError: Error, CustomStringConvertible, Equatable {
    /// No documents, or every document is empty.
    case emptyCorpus
    /// A parameter out of range.
    case invalidParameter(name: String, value: String, expected: String)
    /// A row index outside the matrix.
    case rowOutOfRange(row: Int, rows: Int)

    public var description: String {
        switch self {
        case .emptyCorpus: return "cannot build TF-IDF vectors: the corpus has no tokens"
        case .invalidParameter(let n, let v, let e): return "invalid \(n)=\(v): expected \(e)"
        case .rowOutOfRange(let r, let n): return "row \(r) is outside 0..<\(n)"
        }
    }
}

/// TF-IDF vectors of tokenised documents, with scikit-learn `TfidfVectorizer`'s formulas:
///
/// - term frequency `tf(t, d)` = count of `t` in `d`, or `1 + ln(count)` with `sublinearTf`;
/// - `idf(t) = ln((1 + n) / (1 + df(t))) + 1` with `smoothIdf` (the default), else
///   `ln(n / df(t)) + 1`, where `n` is the number of documents and `df(t)` the number of
///   documents containing `t`;
/// - weight = tf · idf, each row then scaled to unit L2 norm (an empty document stays a zero row).
///
/// The vocabulary is every distinct token, sorted by Unicode scalar order (as Python sorts
/// strings), and column `j` is `vocabulary[j]`. Weights are computed in double precision and
/// stored as `Float`.
public struct TfidfVectorizer: Sendable {
    /// Smooth idf: add one to document frequencies as if an extra document held every term.
    public var smoothIdf: Bool
    /// Sublinear tf: replace a count c by 1 + ln(c).
    public var sublinearTf: Bool

    /// Creates a vectorizer (defaults as scikit-learn: smooth idf, raw counts).
    public init(smoothIdf: Bool = true, sublinearTf: Bool = false) {
        self.smoothIdf = smoothIdf
        self.sublinearTf = sublinearTf
    }

    /// Fits the vocabulary and idf on `documents` (each a list of tokens) and returns their
    /// L2-normalised TF-IDF rows.
    public func fitTransform(_ documents: [[String]]) throws -> TfidfModel {
        var vocabularySet = Set<String>()
        for doc in documents { vocabularySet.formUnion(doc) }
        guard !documents.isEmpty, !vocabularySet.isEmpty else { throw SimilarityError.emptyCorpus }
        let vocabulary = vocabularySet.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        var index: [String: Int32] = [:]
        for (j, t) in vocabulary.enumerated() { index[t] = Int32(j) }

        // Counts per document, sorted by column.
        var df = [Int](repeating: 0, count: vocabulary.count)
        var rowsCounts: [[(Int32, Int)]] = []
        rowsCounts.reserveCapacity(documents.count)
        for doc in documents {
            var counts: [Int32: Int] = [:]
            for t in doc { if let j = index[t] { counts[j, default: 0] += 1 } }
            let sorted = counts.sorted { $0.key < $1.key }
            for (j, _) in sorted { df[Int(j)] += 1 }
            rowsCounts.append(sorted.map { ($0.key, $0.value) })
        }
        let n = Double(documents.count)
        let idf = df.map { f -> Double in
            smoothIdf ? log((1 + n) / (1 + Double(f))) + 1 : log(n / Double(f)) + 1
        }

        var offsets: [Int64] = [0]
        var columns: [Int32] = []
        var values: [Float] = []
        for row in rowsCounts {
            var weights = row.map { (j, c) -> Double in
                let tf = sublinearTf ? 1 + log(Double(c)) : Double(c)
                return tf * idf[Int(j)]
            }
            let norm = weights.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 0 { weights = weights.map { $0 / norm } }
            for (p, (j, _)) in row.enumerated() {
                columns.append(j)
                values.append(Float(weights[p]))
            }
            offsets.append(Int64(columns.count))
        }
        let matrix = try SparseMatrix(rows: documents.count, cols: vocabulary.count, rowOffsets: offsets, columns: columns, values: values)
        return TfidfModel(vocabulary: vocabulary, idf: idf, matrix: matrix)
    }
}

/// The result of a TF-IDF fit: vocabulary, idf weights and the document vectors.
public struct TfidfModel: Sendable, Equatable {
    /// Term of each column, sorted.
    public let vocabulary: [String]
    /// idf of each term.
    public let idf: [Double]
    /// Documents × terms, rows L2-normalised (zero rows for empty documents).
    public let matrix: SparseMatrix

    /// Column of `term`, or nil (binary search over the sorted vocabulary).
    public func column(of term: String) -> Int? {
        var lo = 0, hi = vocabulary.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if vocabulary[mid].unicodeScalars.lexicographicallyPrecedes(term.unicodeScalars) { lo = mid + 1 } else { hi = mid }
        }
        return lo < vocabulary.count && vocabulary[lo] == term ? lo : nil
    }
}
