import Foundation
import Runtime

/// `movierec data synth`: writes a deterministic, MovieLens-latest-shaped CSV data set
/// (`ratings.csv`, `movies.csv`, `tags.csv`, optionally `links.csv`) from scratch.
///
/// **Model** (details in `SynthModel`): movie popularity is Zipf-like over a random permutation
/// of the movies (weight ∝ (rank + 1 + 0.002·M)^-1.1, top 10% of movies ≈ 60% of ratings);
/// user activity is 20 ratings plus a log-normal share (σ = 1.3) of the rest, capped at the
/// number of movies, adding up to exactly `ratings`; each user draws that many distinct movies
/// by popularity (alias table with rejection; Efraimidis–Spirakis keys for heavy users); each
/// rating is a latent score (user and movie biases, rank-8 factors, per-user genre taste,
/// noise) cut into half stars by thresholds calibrated on a pilot sample so the star
/// distribution is ml-latest-small's (mean 3.50, mode 4.0); timestamps increase within a user
/// (sessions of ~40 s gaps, log-normal history length) inside 1996-03-29 … 2018-09-24.
/// Movies get ids increasing from 1 with occasional gaps, titles `Words (YYYY)` (one in five
/// `…, The (YYYY)`, quoted in the CSV), years skewed to recent, genres from the ml-latest
/// vocabulary with ml-latest-small's shares. About 10% of users tag, one tag in ~27 ratings.
///
/// **Determinism and speed**: users are cut into fixed blocks of about 256 Ki ratings; blocks
/// are generated in parallel into a ring of byte buffers (each user from its own seeded stream)
/// while the calling thread writes the finished ones in block order (`BlockStreamer`), so the
/// bytes depend only on the parameters and the seed, never on the thread count, and writing
/// overlaps generation. Memory is O(users + movies) plus the ring's 2 × threads + 2 buffers.
/// Files are written into a temporary directory beside `directory` (their writeback to disk
/// started as they grow, see `StreamFile`), flushed, then renamed.
public enum DatasetSynthesizer {
    /// Ratings per generation block (fixed, so output does not depend on threads).
    static let defaultBlockRatings = 1 << 18

    /// Generates the data set described by `parameters` into `directory`.
    /// - Parameters:
    ///   - overwrite: replace `directory` if it exists (otherwise an existing path is an error).
    ///   - threads: worker threads (`nil`: `Threads.defaultCount`); the output is the same for any count.
    public static func generate(_ parameters: SynthParameters, into directory: String, overwrite: Bool = false,
                                threads: Int? = nil, progress: any ProgressReporter = SilentProgress()) throws -> SynthSummary {
        try generate(parameters, into: directory, overwrite: overwrite, threads: threads, progress: progress, blockRatings: defaultBlockRatings)
    }

    /// `generate` with a chosen block size (tests use small blocks to exercise many blocks).
    static func generate(_ parameters: SynthParameters, into directory: String, overwrite: Bool, threads: Int?,
                         progress: any ProgressReporter, blockRatings: Int) throws -> SynthSummary {
        try parameters.validate()
        let threads = Threads.resolve(threads)
        let mixer = SeedMixer(seed: parameters.seed)
        let counts = ActivityAllocation.counts(users: parameters.users, total: parameters.ratings,
                                               minimum: parameters.minimumPerUser, cap: parameters.movies, mixer: mixer)
        var model = SynthModel()
        let movies = MovieCatalog.make(movies: parameters.movies, model: model, mixer: mixer)
        let popularity = AliasTable(weights: movies.weight)

        var taggerShare = 0.1
        let tagTarget = Double(parameters.tagTarget)
        if tagTarget > taggerShare * Double(parameters.ratings) { taggerShare = min(1, tagTarget / Double(parameters.ratings)) }
        let tagRate = min(1, tagTarget / max(1, taggerShare * Double(parameters.ratings)))
        let pilot = UserRatingsGenerator(model: model, movies: movies, popularity: popularity, mixer: mixer,
                                         taggerShare: taggerShare, tagRate: tagRate)
        model.calibrate(pilotScores: pilot.pilotScores(counts: counts))
        let generator = UserRatingsGenerator(model: model, movies: movies, popularity: popularity, mixer: mixer,
                                             taggerShare: taggerShare, tagRate: tagRate)

        let out = try OutputDirectory(directory, overwrite: overwrite)
        do {
            var bytes: [String: Int64] = [:]
            let ratingsFile = try out.open("ratings.csv")
            let tagsFile = try out.open("tags.csv")
            try ratingsFile.write(Array("userId,movieId,rating,timestamp\n".utf8))
            try tagsFile.write(Array("userId,movieId,tag,timestamp\n".utf8))
            let blocks = BlockStreamer.blocks(items: counts.count, target: blockRatings) { Int(counts[$0]) }
            let streamer = BlockStreamer(threads: threads, ratingsPerBlock: min(blockRatings, parameters.ratings))
            var scratch = (0..<streamer.slots).map { _ in UserRatingsGenerator.Scratch(movies: parameters.movies) }
            let stats = try progress.stage("synth: ratings", total: parameters.ratings) {
                try counts.withUnsafeBufferPointer { countsBuffer in
                    try scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                        let shared = UnsafeSendable((countsBuffer, scratchBuffer))
                        return try streamer.run(blockRatings: blocks.map(\.ratings), ratingsFile: ratingsFile, tagsFile: tagsFile,
                                                progress: progress) { block, slot, ratings, tags in
                            let (cb, sb) = shared.value
                            return generator.generate(users: blocks[block].items, counts: cb, ratings: ratings, tags: tags,
                                                      scratch: &sb[slot])
                        }
                    }
                }
            }
            try ratingsFile.close()
            try tagsFile.close()
            bytes["ratings.csv"] = ratingsFile.bytesWritten
            bytes["tags.csv"] = tagsFile.bytesWritten
            bytes["movies.csv"] = try writeMovies(movies, out)
            if parameters.links { bytes["links.csv"] = try writeLinks(movies, out, mixer: mixer) }
            try out.commit()
            return SynthSummary(directory: out.destination, users: parameters.users, movies: parameters.movies,
                                ratings: parameters.ratings, tags: stats.tagRows, fileBytes: bytes, meanRating: Double(stats.halfStars) / 2 / Double(parameters.ratings))
        } catch {
            out.discard()
            throw error
        }
    }

    static func writeMovies(_ movies: MovieCatalog, _ out: OutputDirectory) throws -> Int64 {
        let file = try out.open("movies.csv")
        let sink = ByteSink(capacity: movies.count * 48 + 64)
        sink.text("movieId,title,genres\n")
        let names = Genres.latest
        for m in 0..<movies.count {
            sink.int(movies.ids[m]); sink.comma()
            sink.csvField(movies.titles[m]); sink.comma()
            let bits = movies.genres[m]
            if bits == 0 {
                sink.text(Genres.noGenresListed)
            } else {
                var first = true
                for g in 0..<names.count where bits & (1 << UInt32(g)) != 0 {
                    if !first { sink.byte(124) }
                    sink.text(names[g])
                    first = false
                }
            }
            sink.newline()
        }
        try file.write(sink)
        try file.close()
        return file.bytesWritten
    }

    /// Synthetic links: 7-digit IMDb-style and TMDb-style numbers, increasing with the movie id.
    static func writeLinks(_ movies: MovieCatalog, _ out: OutputDirectory, mixer: SeedMixer) throws -> Int64 {
        let file = try out.open("links.csv")
        let sink = ByteSink(capacity: movies.count * 24 + 32)
        sink.text("movieId,imdbId,tmdbId\n")
        var g = mixer.generator(.movie, -1)
        var imdb: Int64 = 100_000, tmdb: Int64 = 100
        for m in 0..<movies.count {
            imdb += 1 + Int64(g.nextBelow(300))
            tmdb += 1 + Int64(g.nextBelow(40))
            sink.int(movies.ids[m]); sink.comma()
            sink.int(imdb, width: 7); sink.comma()
            sink.int(tmdb); sink.newline()
        }
        try file.write(sink)
        try file.close()
        return file.bytesWritten
    }
}
