/// The on-disk layout of a MovieLens release. `MovieLensReader` detects it from the files in a
/// directory; pass one explicitly to override detection.
public enum DataFormat: String, Sendable, Codable, CaseIterable {
    /// ml-latest, ml-latest-small, ml-20m, ml-25m, ml-32m: `ratings.csv`, `movies.csv`, `tags.csv`,
    /// `links.csv`, comma-separated with a header row and RFC 4180 quoting, UTF-8.
    case latestCSV = "csv"
    /// ml-100k: `u.data` (tab-separated), `u.item`, `u.user`, `u.genre`, `u.occupation` (pipe-separated, latin-1).
    case ml100k
    /// ml-1m and ml-10m: `ratings.dat`, `movies.dat`, `users.dat` (ml-1m), `tags.dat` (ml-10m), `::`-separated.
    case dat = "ml1m-dat"
    /// The notebook's corrupted ml-1m subset: `ratings.dat`, `users.dat`, `movies.dat`, `|`-separated,
    /// multi-genre fields double-quoted.
    case seedPipe = "seed-pipe"

}
