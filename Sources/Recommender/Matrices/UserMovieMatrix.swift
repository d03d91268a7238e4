import LinearAlgebra
import MovieLens

/// Users × movies ratings as a CSR matrix (never dense): row = dense user index, column = dense
/// movie index, stored value = the rating.
///
/// - `.raw`: the star values; unrated = 0 (implicit), what the notebook and scikit-learn's KMeans
///   on a filled pivot table see.
/// - `.meanCentred`: each stored rating minus the user's mean rating; unrated stays 0, which now
///   means "at the user's average" (removes the generous-vs-harsh-rater offset).
public enum UserMovieMatrix {
    /// Which values the matrix stores.
    public enum Values: String, Sendable, CaseIterable {
        case raw
        case meanCentred
    }

    /// Builds the ratings matrix of `dataset`: one row per dense user, or, with `rows`, one row per
    /// rated user (row r = user `rows.users[r]`).
    /// - Throws: `LinearAlgebraError` if the dataset's indices are inconsistent (a corrupt dataset).
    public static func build(_ dataset: Dataset, values: Values = .raw, rows: RatedUsers? = nil) throws -> SparseMatrix {
        let rowIndices = rows.map { r in dataset.ratingUser.map { u in u >= 0 && Int(u) < r.rowOfUser.count ? r.rowOfUser[Int(u)] : -1 } }
        let m = try SparseMatrix(rows: rows?.count ?? dataset.userCount, cols: dataset.movieCount,
                                 rowIndices: rowIndices ?? dataset.ratingUser.array,
                                 colIndices: dataset.ratingMovie.array, values: dataset.ratingValue.array, duplicates: .keepLast)
        switch values {
        case .raw: return m
        case .meanCentred: return m.centeredRows().matrix
        }
    }
}
