import Foundation

/// Which values a release accepts, and the files and separators of its format.
struct ReleaseLayout: Sendable {
    var format: DataFormat
    var ratingsFile: String
    var moviesFile: String?
    var usersFile: String?
    var tagsFile: String?
    var linksFile: String?
    var delimiter: Delimiter
    var quotes: Bool
    var header: Bool
    /// u.item and (in places) ml-1m are latin-1; UTF-8 files fall back to latin-1 per field.
    var latin1: Bool
    var halfStars: Bool
    var timeWindow: ClosedRange<Int64>
    var genreVocabulary: [String]

    /// 1995-01-01T00:00:00Z, before the first MovieLens rating.
    static let collectionStart: Int64 = 788_918_400
    /// The seed set's documented collection period: 2000-01-01T00:00:00Z … 2003-12-31T23:59:59Z.
    static let seedWindow: ClosedRange<Int64> = 946_684_800...1_072_915_199

    /// 1995-01-01 … now + 1 day.
    static var openWindow: ClosedRange<Int64> {
        collectionStart...(Int64(Date().timeIntervalSince1970) + 86_400)
    }

    static func layout(for format: DataFormat, directory: String) -> ReleaseLayout {
        func has(_ name: String) -> Bool { FileBytes.exists(directory + "/" + name) }
        switch format {
        case .latestCSV:
            return ReleaseLayout(format: format, ratingsFile: "ratings.csv", moviesFile: "movies.csv", usersFile: nil,
                                 tagsFile: "tags.csv", linksFile: "links.csv", delimiter: .byte(44), quotes: true, header: true,
                                 latin1: false, halfStars: true, timeWindow: openWindow, genreVocabulary: Genres.latest)
        case .ml100k:
            return ReleaseLayout(format: format, ratingsFile: "u.data", moviesFile: "u.item", usersFile: "u.user",
                                 tagsFile: nil, linksFile: nil, delimiter: .byte(9), quotes: false, header: false,
                                 latin1: true, halfStars: false, timeWindow: openWindow, genreVocabulary: Genres.ml100k)
        case .dat:
            // ml-1m has users.dat and whole stars; ml-10m has tags.dat, half stars and IMAX.
            let ml1m = has("users.dat")
            return ReleaseLayout(format: format, ratingsFile: "ratings.dat", moviesFile: "movies.dat", usersFile: "users.dat",
                                 tagsFile: "tags.dat", linksFile: nil, delimiter: .doubleColon, quotes: false, header: false,
                                 latin1: false, halfStars: !ml1m, timeWindow: openWindow,
                                 genreVocabulary: ml1m ? Genres.ml1m : Genres.ml10m)
        case .seedPipe:
            return ReleaseLayout(format: format, ratingsFile: "ratings.dat", moviesFile: "movies.dat", usersFile: "users.dat",
                                 tagsFile: nil, linksFile: nil, delimiter: .byte(124), quotes: true, header: false,
                                 latin1: false, halfStars: false, timeWindow: seedWindow, genreVocabulary: Genres.ml1m)
        }
    }

    /// Whether `value` is on the release's rating scale.
    @inline(__always)
    func isValidRating(_ value: Double) -> Bool {
        if halfStars {
            let twice = value * 2
            return value >= 0.5 && value <= 5 && twice == twice.rounded()
        }
        return value >= 1 && value <= 5 && value == value.rounded()
    }

    /// Ages: ml-1m style codes for `.dat`/seed; plain years (1–120) for ml-100k.
    func isValidAge(_ age: Int) -> Bool {
        format == .ml100k ? (1...120).contains(age) : [1, 18, 25, 35, 45, 50, 56].contains(age)
    }
}
