import Foundation
import Runtime

/// The movies of a synthetic data set: ids, titles, years, genres, and the latent parameters the
/// ratings are drawn from (popularity, bias, factor vector). O(movies) memory.
struct MovieCatalog: Sendable {
    /// Rank of the latent factor vectors.
    static let rank = 8

    var ids: [Int64]
    var titles: [String]
    var years: [Int16]
    var genres: [UInt32]
    /// Popularity weight (Zipf over a random permutation of the movies).
    var weight: [Double]
    /// Movie bias on the latent scale.
    var bias: [Float]
    /// `rank` factors per movie, row-major.
    var factors: [Float]
    /// `1 / sqrt(genre count)` (0 for a movie without genres).
    var genreScale: [Float]
    /// What the rating loop reads of each movie, packed in one record (one cache miss per rating).
    var records: [MovieRecord]

    var count: Int { ids.count }

    /// Zipf exponent and offset of movie popularity: weight(rank r) = (r + 1 + 0.002·M)^-1.1.
    /// Calibrated by simulation at ml-latest-small's sizes: the top 10% of movies then hold
    /// ≈ 60% of the ratings (ml-latest-small: 60.0%).
    static let zipfExponent = 1.1
    static let zipfOffsetPerMovie = 0.002

    static func make(movies: Int, model: SynthModel, mixer: SeedMixer) -> MovieCatalog {
        let k = rank
        var ids = [Int64](repeating: 0, count: movies)
        var titles = [String](repeating: "", count: movies)
        var years = [Int16](repeating: 0, count: movies)
        var genres = [UInt32](repeating: 0, count: movies)
        var factors = [Float](repeating: 0, count: movies * k)
        var genreScale = [Float](repeating: 0, count: movies)
        var bias = [Float](repeating: 0, count: movies)

        // Popularity ranks: a seeded Fisher–Yates permutation, so ids carry no popularity order.
        var popularityRank = Array(0..<movies)
        var p = mixer.generator(.permutation, 0)
        if movies > 1 {
            for i in stride(from: movies - 1, to: 0, by: -1) { popularityRank.swapAt(i, p.nextBelow(i + 1)) }
        }
        let offset = 1 + zipfOffsetPerMovie * Double(movies)
        let weight = popularityRank.map { pow(Double($0) + offset, -zipfExponent) }
        // Standardised log-popularity, to correlate quality with popularity.
        let logs = weight.map { log($0) }
        let mean = logs.reduce(0, +) / Double(max(1, movies))
        let sd = (logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, movies))).squareRoot()

        var id: Int64 = 0
        for m in 0..<movies {
            var g = mixer.generator(.movie, m)
            // ids: strictly increasing, usually +1, sometimes a gap (MovieLens ids are sparse).
            id += 1
            if g.nextUnit() < 0.2 { id += Int64(g.nextBelow(16)) }
            ids[m] = id
            // year: 2018 minus an exponential age (mean 25), not before 1902 (ml-latest-small:
            // quartiles 1988 / 1999 / 2008).
            let age = -25 * log(1 - g.nextUnit())
            years[m] = Int16(max(1902, 2018 - Int(age.rounded(.down))))
            genres[m] = drawGenres(&g)
            titles[m] = makeTitle(&g, year: Int(years[m]))
            let n = genres[m].nonzeroBitCount
            genreScale[m] = n == 0 ? 0 : 1 / Float(n).squareRoot()
            let z = sd > 0 ? (logs[m] - mean) / sd : 0
            let rho = model.popularityQuality
            bias[m] = Float(model.movieBiasSD * (rho * z + (1 - rho * rho).squareRoot() * g.nextGaussian()))
            for j in 0..<k { factors[m * k + j] = Float(model.factorSD * g.nextGaussian()) }
        }
        let records = (0..<movies).map { m in
            MovieRecord(factors: (factors[m * k], factors[m * k + 1], factors[m * k + 2], factors[m * k + 3],
                                  factors[m * k + 4], factors[m * k + 5], factors[m * k + 6], factors[m * k + 7]), bias: bias[m], genreScale: genreScale[m],
                        genres: genres[m], id: Int32(truncatingIfNeeded: ids[m]))
        }
        return MovieCatalog(ids: ids, titles: titles, years: years, genres: genres, weight: weight, bias: bias,
                            factors: factors, genreScale: genreScale, records: records)
    }

    /// Genres: each genre independently with its ml-latest-small share (≈ 2.3 per movie), at
    /// least one except for 0.35% of movies ("(no genres listed)").
    static func drawGenres(_ g: inout SplitMix64) -> UInt32 {
        if g.nextUnit() < 0.0035 { return 0 }
        var bits: UInt32 = 0
        let shares = SynthVocabulary.genreShare
        for (i, share) in shares.enumerated() where g.nextUnit() < share { bits |= 1 << UInt32(i) }
        if bits == 0 {
            // pick one genre in proportion to the shares
            let total = shares.reduce(0, +)
            var x = g.nextUnit() * total
            for (i, share) in shares.enumerated() {
                x -= share
                if x < 0 { return 1 << UInt32(i) }
            }
            return 1 << 7  // Drama
        }
        return bits
    }

    /// `"Silent River (1994)"`, `"Kingdom, The (1987)"` (MovieLens' article order: ~1 in 5
    /// titles gets a comma and is quoted in the CSV), `"Lost in Paris (2003)"`.
    static func makeTitle(_ g: inout SplitMix64, year: Int) -> String {
        let v = SynthVocabulary.self
        func pick(_ list: [String]) -> String { list[g.nextBelow(list.count)] }
        var base: String
        switch g.nextBelow(4) {
        case 0: base = pick(v.nouns)
        case 1: base = pick(v.adjectives) + " " + pick(v.nouns)
        case 2: base = pick(v.adjectives) + " in " + pick(v.places)
        default: base = pick(v.nouns) + " of " + pick(v.places)
        }
        let r = g.nextUnit()
        if r < 0.2 {
            base += ", " + pick(v.articles)
        } else if r < 0.25 {
            base += " " + String(2 + g.nextBelow(3))  // a sequel
        }
        return base + " (" + String(year) + ")"
    }
}

/// The per-rating data of one movie.
struct MovieRecord: Sendable {
    var factors: (Float, Float, Float, Float, Float, Float, Float, Float)
    var bias: Float
    var genreScale: Float
    var genres: UInt32
    /// The movie id (below 2³¹: at most 10 M movies with gaps below 16).
    var id: Int32
}
