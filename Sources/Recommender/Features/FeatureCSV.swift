import Boosting
import Runtime

/// Writes feature matrices as CSV: a header `like,rating,<feature names…>`, then one line per
/// row. Missing values (NaN) are empty fields; numbers use Swift's shortest round-trip form, so
/// reading the file back gives the same `Float`s.
public enum FeatureCSV {
    /// The CSV text of `matrix` with its two label columns.
    public static func render(_ matrix: FeatureMatrix, like: [Float], rating: [Float]) throws -> String {
        guard like.count == matrix.rows, rating.count == matrix.rows else {
            throw RecommenderError.invalidArgument("\(like.count) like labels and \(rating.count) ratings for \(matrix.rows) rows")
        }
        var out = (["like", "rating"] + matrix.names).joined(separator: ",") + "\n"
        out.reserveCapacity(matrix.rows * (matrix.columns + 2) * 6)
        func field(_ x: Float) -> String {
            guard !x.isNaN else { return "" }
            if x == x.rounded(), abs(x) < 1e7 { return String(Int(x)) }
            return "\(x)"
        }
        for i in 0..<matrix.rows {
            out += field(like[i]); out += ","; out += field(rating[i])
            for j in 0..<matrix.columns {
                out += ","
                out += field(matrix[i, j])
            }
            out += "\n"
        }
        return out
    }

    /// Writes `train.csv` and `test.csv` of a fold into `directory` (created if needed), each atomically.
    public static func write(_ fold: FoldFeatures, to directory: String) throws {
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        try AtomicFile.write(try render(fold.train, like: fold.trainLike, rating: fold.trainRating), to: dir + "/train.csv")
        try AtomicFile.write(try render(fold.test, like: fold.testLike, rating: fold.testRating), to: dir + "/test.csv")
    }
}
