/// Why a row was dropped or a field repaired. The raw value is the reason's text in reports and
/// JSON; `Cleaning.md` in this folder documents the rule behind each one.
public enum CleaningReason: String, Sendable, Codable, CaseIterable {
    // Any file
    case emptyLine = "empty line"
    case wrongFieldCount = "wrong field count"
    case truncatedLastLine = "truncated last line"
    case binaryData = "binary data (NUL or control bytes)"
    case lineTooLong = "line too long"
    case unterminatedQuote = "unterminated quote"
    case invalidUTF8 = "invalid UTF-8 (decoded as latin-1)"

    // Ratings and tags
    case badUserId = "user id not a positive integer"
    case badMovieId = "movie id not a positive integer"
    case ratingMissing = "rating missing"
    case ratingNotNumber = "rating not a number"
    case ratingOutOfRange = "rating out of range"
    case timestampMissing = "timestamp missing or not a number"
    case timestampOutOfWindow = "timestamp outside collection window"
    case duplicatePair = "duplicate (user, movie)"
    case unknownUser = "unknown user id"
    case unknownMovie = "unknown movie id"
    case tagEmpty = "tag empty"

    // Users
    case duplicateUserId = "duplicate user id"
    case genderInvalid = "gender not M/F"
    case ageInvalid = "age not a valid code"
    case occupationInvalid = "occupation out of range"
    case zipInvalid = "zip code missing or malformed"

    // Movies
    case duplicateMovieId = "duplicate movie id"
    case titleMissing = "title missing"
    case yearMissing = "title without year"
    case yearOutOfRange = "year out of range"
    case genresMissing = "genres missing"
    case genreSeparator = "genres with wrong separator"
    case genreUnknown = "unknown genre name"
    case genreFlagInvalid = "genre flag not 0 or 1"

    // Links
    case linkMissing = "link id missing"
}
