import MovieLens
import Similarity

/// The text documents of movies for TF-IDF similarity, one token list per dense movie index.
///
/// Tokenisation (identical in `Benchmarks/peers/tfidf_vs_sklearn.py`):
/// - genres: each genre name is ONE token, `WordTokenizer.wholeToken` (lower-case; `"Sci-Fi"` →
///   `"sci-fi"`, `"Film-Noir"` → `"film-noir"`, `"Children's"` → `"children's"`);
///   `(no genres listed)` gives none;
/// - title words: `WordTokenizer.tokens` of the title without its year (runs of ≥ 2 word
///   characters, lower-cased);
/// - tags: `WordTokenizer.tokens` of each tag application's text (a tag applied by three users
///   counts three times).
/// Tokens share one vocabulary, so the genre "drama" and a tag "drama" are the same term.
public struct MovieDocuments: Sendable {
    /// Which parts make up a document.
    public struct Parts: Sendable, Equatable {
        public var genres: Bool
        public var tags: Bool
        public var titleWords: Bool
        public init(genres: Bool = true, tags: Bool = true, titleWords: Bool = true) {
            self.genres = genres
            self.tags = tags
            self.titleWords = titleWords
        }
    }

    /// Token list of each movie (dense movie index).
    public let documents: [[String]]

    /// Builds the documents of every movie of `dataset`.
    public init(_ dataset: Dataset, parts: Parts = Parts()) {
        var docs = [[String]](repeating: [], count: dataset.movieCount)
        for m in 0..<dataset.movieCount {
            if parts.genres {
                docs[m].append(contentsOf: dataset.genreList(ofMovie: m).compactMap(WordTokenizer.wholeToken))
            }
            if parts.titleWords, m < dataset.titles.count {
                docs[m].append(contentsOf: WordTokenizer.tokens(MovieTitles.withoutYear(dataset.titles[m])))
            }
        }
        if parts.tags {
            for t in 0..<min(dataset.tagMovie.count, dataset.tagText.count) {
                let m = Int(dataset.tagMovie[t])
                guard m >= 0, m < docs.count else { continue }
                docs[m].append(contentsOf: WordTokenizer.tokens(dataset.tagText[t]))
            }
        }
        documents = docs
    }
}

/// Title lookup for a dataset's movies: aliases "Title" and "Title (year)" per movie,
/// case- and accent-insensitive, fuzzy fallback (see `Similarity.NameIndex`).
public struct MovieTitleIndex: Sendable {
    public let index: NameIndex

    public init(_ dataset: Dataset) {
        index = NameIndex(names: (0..<dataset.movieCount).map { m in
            let t = MovieTitles.withoutYear(m < dataset.titles.count ? dataset.titles[m] : "")
            return [t, MovieTitles.display(dataset, m)]
        })
    }

    /// Looks a title up (see `NameIndex.lookup`).
    public func lookup(_ title: String) -> NameIndex.Match { index.lookup(title) }
}

/// Title helpers that work whether or not a dataset's titles still carry their "(YYYY)".
public enum MovieTitles {
    /// The title without a trailing `(YYYY)`, `(YYYY-YYYY)` or `(YYYY–)` and surrounding spaces.
    public static func withoutYear(_ title: String) -> String {
        var t = Substring(title)
        while t.last == " " { t = t.dropLast() }
        guard t.last == ")", let open = t.lastIndex(of: "(") else { return String(t) }
        let inside = t[t.index(after: open)..<t.index(before: t.endIndex)]
        let digits = inside.prefix(4)
        let rest = inside.dropFirst(4)
        guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              rest.allSatisfy({ $0 == "-" || $0 == "–" || ($0.isASCII && $0.isNumber) }) else { return String(t) }
        var head = t[..<open]
        while head.last == " " { head = head.dropLast() }
        return String(head)
    }

    /// "Title (year)" of dense movie `m` (no year when unknown).
    public static func display(_ dataset: Dataset, _ m: Int) -> String {
        let t = withoutYear(m < dataset.titles.count ? dataset.titles[m] : "")
        let y = m < dataset.years.count ? dataset.years[m] : 0
        return y > 0 ? "\(t) (\(y))" : t
    }
}
