import Foundation
import Runtime

/// Generates the ratings (and tags) of a run of consecutive users into byte buffers. Each user
/// is drawn from its own position-addressed random stream, so the bytes of a user do not depend
/// on the block it falls in or on the thread that generates it.
struct UserRatingsGenerator {
    let model: SynthModel
    let movies: MovieCatalog
    let popularity: AliasTable
    let mixer: SeedMixer
    /// Probability that a user tags, and that a tagging user tags a given rating.
    let taggerShare: Double
    let tagRate: Double

    /// MovieLens-latest-small's collection period: 1996-03-29 … 2018-09-24 (UTC).
    static let firstTime: Int64 = 828_124_615
    static let lastTime: Int64 = 1_537_799_250

    /// Scratch space of one worker: a bitset over the movies and the chosen list.
    struct Scratch {
        var seen: [UInt64]
        var chosen: [Int32] = []
        /// Half stars and movie id of each chosen movie (first pass of a user).
        var halves: [UInt8] = []
        var ids: [Int32] = []
        /// The chosen movies' records, gathered before scoring.
        var gathered: [MovieRecord] = []
        init(movies: Int) { seen = [UInt64](repeating: 0, count: (movies + 63) / 64) }
    }

    /// Writes the rows of `users` (with `counts[u]` ratings each) to `ratings` and `tags`.
    func generate(users: Range<Int>, counts: UnsafeBufferPointer<Int32>, ratings: ByteSink, tags: ByteSink,
                  scratch: inout Scratch) -> BlockStreamer.Stats {
        var stats = BlockStreamer.Stats()
        for u in users {
            generateUser(u, count: Int(counts[u]), ratings: ratings, tags: tags, scratch: &scratch, stats: &stats)
        }
        return stats
    }

    private func generateUser(_ u: Int, count n: Int, ratings: ByteSink, tags: ByteSink, scratch: inout Scratch,
                              stats: inout BlockStreamer.Stats) {
        var g = mixer.generator(.user, u)
        let taste = UserTaste.draw(&g, model: model)
        chooseMovies(count: n, &g, &scratch)

        // Time line: a start in the collection period, then gaps — mostly within a session
        // (uniform 0…80 s), sometimes between sessions (exponential, mean chosen so
        // the user's history spans a log-normal time, median about half a year).
        let first = Self.firstTime, last = Self.lastTime
        var t = first + Int64(g.nextBelow(Int(last - first - 86_400)))
        let span = min(Double(last - t), 1.6e7 * exp(1.5 * g.nextGaussian()))
        let singleSession = g.nextUnit() < 0.3
        let sessionShare = 0.85
        let betweenMean = singleSession ? 0 : max(0, span - Double(n) * sessionShare * 40) / max(1, Double(n) * (1 - sessionShare))

        let tagger = g.nextUnit() < taggerShare
        let userId = Int64(u + 1)
        var halfStarSum = 0
        let noise = model.noiseSD
        // Pass 1: the ratings. The chosen movies' records are gathered first — a loop of
        // independent loads, so their cache misses overlap (the catalogue's records are megabytes
        // at ml-25m's size) — then scored from the contiguous copy.
        scratch.halves.removeAll(keepingCapacity: true)
        scratch.ids.removeAll(keepingCapacity: true)
        scratch.gathered.removeAll(keepingCapacity: true)
        movies.records.withUnsafeBufferPointer { records in
            for k in 0..<n { scratch.gathered.append(records[Int(scratch.chosen[k])]) }
        }
        taste.genre.withUnsafeBufferPointer { genre in
            guard let genre = genre.baseAddress else { return }
            for movie in scratch.gathered {
                let halves = model.halfStars(taste.score(movie, genre: genre) + noise * g.nextNoise())
                halfStarSum &+= halves
                scratch.halves.append(UInt8(truncatingIfNeeded: halves))
                scratch.ids.append(movie.id)
            }
        }
        // Pass 2: times, rows and tags.
        for k in 0..<n {
            if k > 0 {
                let gap: Double
                if singleSession || g.nextUnit() < sessionShare {
                    gap = Double(g.nextBelow(81))  // within a session: uniform 0…80 s, mean 40 s
                } else {
                    gap = -betweenMean * log(1 - g.nextUnit())
                }
                t = min(last, t + 1 + Int64(gap))
            }
            let id = Int64(scratch.ids[k])
            ratings.int(userId); ratings.comma()
            ratings.int(id); ratings.comma()
            ratings.halfStars(Int(scratch.halves[k])); ratings.comma()
            ratings.int(t); ratings.newline()
            if tagger && g.nextUnit() < tagRate {
                tags.int(userId); tags.comma()
                tags.int(id); tags.comma()
                tags.csvField(Self.tagText(movie: Int(scratch.chosen[k]), movies: movies, &g)); tags.comma()
                tags.int(min(last, t + 1 + Int64(g.nextBelow(600)))); tags.newline()
                stats.tagRows += 1
            }
        }
        // clear the bitset for the next user
        for m in scratch.chosen { scratch.seen[Int(m) >> 6] = 0 }
        stats.halfStars += halfStarSum
    }

    /// Latent scores (with noise) of a pilot sample of about `target` ratings: every `stride`-th
    /// user with its real count and movie choice, from the calibration streams (see `SynthModel`).
    func pilotScores(counts: [Int32], target: Int = 1 << 17) -> [Float] {
        let total = counts.reduce(0) { $0 + Int($1) }
        let stride = max(1, total / max(1, target))
        var scratch = Scratch(movies: movies.count)
        var scores: [Float] = []
        scores.reserveCapacity(min(total, 2 * target))
        var u = 0
        while u < counts.count {
            var g = mixer.generator(.calibration, u)
            let taste = UserTaste.draw(&g, model: model)
            chooseMovies(count: Int(counts[u]), &g, &scratch)
            for m in scratch.chosen {
                scores.append(taste.score(movie: Int(m), movies: movies) + model.noiseSD * g.nextNoise())
            }
            for m in scratch.chosen { scratch.seen[Int(m) >> 6] = 0 }
            u += stride
        }
        return scores
    }

    /// Fills `scratch.chosen` with `n` distinct movies drawn by popularity without replacement:
    /// alias-table draws rejected when already chosen; for heavy users (more than a quarter of
    /// the catalogue) or when rejections pile up, the rest by Efraimidis–Spirakis keys
    /// (exponential / weight, smallest first) over the movies not yet chosen.
    private func chooseMovies(count n: Int, _ g: inout SplitMix64, _ scratch: inout Scratch) {
        scratch.chosen.removeAll(keepingCapacity: true)
        let total = movies.count
        if n * 4 <= total {
            var attempts = 0
            let limit = 32 * n + 256
            // Draws in batches of 8: the eight alias-table loads are independent, so their cache
            // misses overlap; then the candidates are taken in draw order until n are chosen.
            var batch = (0, 0, 0, 0, 0, 0, 0, 0)
            while scratch.chosen.count < n && attempts < limit {
                batch = (popularity.draw(&g), popularity.draw(&g), popularity.draw(&g), popularity.draw(&g),
                         popularity.draw(&g), popularity.draw(&g), popularity.draw(&g), popularity.draw(&g))
                withUnsafeBytes(of: &batch) { raw in
                    for i in 0..<8 where scratch.chosen.count < n {
                        attempts += 1
                        let m = raw.load(fromByteOffset: i * MemoryLayout<Int>.stride, as: Int.self)
                        let word = m >> 6, bit = UInt64(1) << UInt64(m & 63)
                        if scratch.seen[word] & bit != 0 { continue }
                        scratch.seen[word] |= bit
                        scratch.chosen.append(Int32(m))
                    }
                }
            }
        }
        let need = n - scratch.chosen.count
        guard need > 0 else { return }
        var keys: [(Double, Int32)] = []
        keys.reserveCapacity(total - scratch.chosen.count)
        for m in 0..<total where scratch.seen[m >> 6] & (UInt64(1) << UInt64(m & 63)) == 0 {
            keys.append((-log(1 - g.nextUnit()) / movies.weight[m], Int32(m)))
        }
        keys.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        for (_, m) in keys.prefix(need) {
            scratch.seen[Int(m) >> 6] |= UInt64(1) << UInt64(m & 63)
            scratch.chosen.append(m)
        }
    }

    /// A tag for movie `m`: usually one of its genres' tags, otherwise a general one.
    static func tagText(movie m: Int, movies: MovieCatalog, _ g: inout SplitMix64) -> String {
        let bits = movies.genres[m]
        if bits != 0 && g.nextUnit() < 0.7 {
            var pick = g.nextBelow(bits.nonzeroBitCount)
            var b = bits
            while pick > 0 { b &= b - 1; pick -= 1 }
            let list = SynthVocabulary.genreTags[b.trailingZeroBitCount]
            return list[g.nextBelow(list.count)]
        }
        let list = SynthVocabulary.generalTags
        return list[g.nextBelow(list.count)]
    }
}
