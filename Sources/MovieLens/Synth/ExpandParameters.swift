/// What `movierec data synth --expand PATH --factor F` grows, and by how much.
public struct ExpandParameters: Sendable, Equatable {
    /// The real data set to expand (any format `MovieLensReader` reads).
    public var source: String
    /// Copies of each user (F₁): users and ratings are multiplied by it.
    public var userFactor: Int
    /// Copies of each movie (F₂): movies are multiplied by it.
    public var movieFactor: Int
    /// The seed of the shuffles, the seed matrix and the block choices.
    public var seed: UInt64

    public init(source: String, userFactor: Int, movieFactor: Int, seed: UInt64) {
        self.source = source
        self.userFactor = userFactor
        self.movieFactor = movieFactor
        self.seed = seed
    }

    /// Parses `F` (both factors) or `F1xF2` (users × movies).
    public static func parseFactor(_ text: String) throws -> (users: Int, movies: Int) {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.map { Int($0.trimmingCharacters(" ")) }
        guard (1...2).contains(numbers.count), numbers.allSatisfy({ $0 != nil }) else {
            throw SynthError.invalidParameter(name: "--factor", reason: "expected F or F1xF2 with whole numbers, e.g. 4 or 4x2 (got \"\(text)\")")
        }
        let f1 = numbers[0] ?? 0, f2 = numbers.count == 2 ? (numbers[1] ?? 0) : f1
        for f in [f1, f2] where !(1...1024).contains(f) {
            throw SynthError.invalidParameter(name: "--factor", reason: "each factor must be 1…1024 (got \"\(text)\")")
        }
        return (f1, f2)
    }
}

private extension Substring {
    func trimmingCharacters(_ c: Character) -> Substring {
        var s = self
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return s
    }
}
