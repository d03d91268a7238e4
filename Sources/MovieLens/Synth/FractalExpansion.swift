import Foundation
import Runtime

/// `movierec data synth --expand PATH --factor F1xF2`: grows a real data set by randomised
/// Kronecker ("fractal") expansion, in the spirit of Belletti et al. 2019 ("Scalable realistic
/// recommendation datasets through fractal expansions", used for MLPerf's ml-20mx16x32).
///
/// Exactly what is implemented:
/// - every user u with a rating or tag becomes F₁ users (u, i), every movie m becomes F₂ movies
///   (m, j); both index spaces are shuffled by seeded permutations (row/column shuffles), and the
///   new ids are the shuffled positions + 1 (so copies of one user or movie are not adjacent);
/// - a seed matrix W (F₁ × F₂, `ExpansionSeedMatrix`: random positive, rows sum to 1, columns to
///   F₁/F₂) decides where each rating goes: real rating (u, m, r, t) is copied, for each i, into
///   exactly one column block j drawn with probability W[i][j] — giving rating ((u,i), (m,j), r, t')
///   (the keep-rate of block (i, j) is W[i][j]);
/// - so ratings × F₁ exactly, users × F₁, movies × F₂ (`movies.csv` lists every copy); each user
///   copy has exactly its user's number of ratings (the activity distribution is preserved) and
///   each movie copy receives on average F₁/F₂ × its movie's ratings (the popularity shape is
///   preserved); distinct real pairs map to distinct pairs, so there are no duplicates;
/// - the rating value is kept; the time of user copy (u, i) is shifted by one seeded offset in
///   ±30 days (i = 0: none), clamped to the real data's first…last rating time (order kept);
/// - movie copy (m, 0) keeps the title; copy j > 0 gets ` #j+1` before the trailing `(YYYY)`;
///   genres are copied (renamed to the ml-latest vocabulary: `Children's` → `Children`; names it
///   lacks are dropped); tags are expanded like ratings (one column block per user copy);
///   no `links.csv` is written (copies have no real IMDb entry).
/// The real data is loaded (and cleaned) by `MovieLensReader`; the output is ml-latest CSV.
public enum FractalExpansion {
    /// Expands `parameters.source` into `directory`.
    public static func expand(_ parameters: ExpandParameters, into directory: String, overwrite: Bool = false,
                              threads: Int? = nil, progress: any ProgressReporter = SilentProgress()) throws -> SynthSummary {
        try expand(parameters, into: directory, overwrite: overwrite, threads: threads, progress: progress,
                   blockRatings: DatasetSynthesizer.defaultBlockRatings)
    }

    /// `expand` with a chosen block size (tests use small blocks to exercise many blocks).
    static func expand(_ parameters: ExpandParameters, into directory: String, overwrite: Bool, threads: Int?,
                       progress: any ProgressReporter, blockRatings: Int) throws -> SynthSummary {
        let f1 = parameters.userFactor, f2 = parameters.movieFactor
        guard (1...1024).contains(f1), (1...1024).contains(f2) else {
            throw SynthError.invalidParameter(name: "--factor", reason: "each factor must be 1…1024 (got \(f1)x\(f2))")
        }
        let threads = Threads.resolve(threads)
        let source: Dataset
        do {
            source = try progress.stage("synth: load \(parameters.source)") {
                try MovieLensReader.load(directory: parameters.source, threads: threads).dataset
            }
        } catch {
            throw SynthError.cannotExpand(path: parameters.source, reason: String(describing: error))
        }
        guard source.ratingCount > 0 else { throw SynthError.cannotExpand(path: parameters.source, reason: "it has no ratings") }
        let (userCells, o1) = source.userCount.multipliedReportingOverflow(by: f1)
        let (movieCells, o2) = source.movieCount.multipliedReportingOverflow(by: f2)
        guard !o1, !o2, userCells <= SynthParameters.maximumUsers, movieCells <= SynthParameters.maximumMovies else {
            throw SynthError.invalidParameter(name: "--factor", reason: "\(source.userCount) users × \(f1) or \(source.movieCount) movies × \(f2) exceeds \(SynthParameters.maximumUsers) users / \(SynthParameters.maximumMovies) movies")
        }
        let mixer = SeedMixer(seed: parameters.seed)
        let seedMatrix = ExpansionSeedMatrix(rows: f1, columns: f2, mixer: mixer)

        // Real ratings and tags grouped by user (CSR, file order within a user).
        let ratingsByUser = UserIndex(users: source.userCount, owner: source.ratingUser)
        let tagsByUser = UserIndex(users: source.userCount, owner: source.tagUser)
        // Users with something to copy, in dense order; user copies are over them only.
        let active = (0..<source.userCount).filter { ratingsByUser.count($0) + tagsByUser.count($0) > 0 }
        let userCopies = active.count * f1
        // Row shuffle: new position of copy (a, i) is userPosition[a·F₁ + i]; output in new-id order.
        let userSource = permutation(count: userCopies, mixer.generator(.expandRows, 0)) // position → copy
        // Column shuffle: movie copy (m, j) gets id movieNewId[m·F₂ + j].
        let movieSource = permutation(count: movieCells, mixer.generator(.expandCols, 0)) // position → copy
        var movieNewId = [Int32](repeating: 0, count: movieCells)
        for (position, copy) in movieSource.enumerated() { movieNewId[Int(copy)] = Int32(position + 1) }

        let times = source.ratingTime
        let firstTime = times.min() ?? 0, lastTime = times.max() ?? 0
        let tagFirst = source.tagTime.min() ?? firstTime, tagLast = source.tagTime.max() ?? lastTime
        let out = try OutputDirectory(directory, overwrite: overwrite)
        do {
            let ratingsFile = try out.open("ratings.csv")
            let tagsFile = try out.open("tags.csv")
            try ratingsFile.write(Array("userId,movieId,rating,timestamp\n".utf8))
            try tagsFile.write(Array("userId,movieId,tag,timestamp\n".utf8))
            let blocks = BlockStreamer.blocks(items: userCopies, target: blockRatings) {
                ratingsByUser.count(active[Int(userSource[$0]) / f1])
            }
            let streamer = BlockStreamer(threads: threads, ratingsPerBlock: min(blockRatings, source.ratingCount * f1))
            let total = source.ratingCount * f1
            let stats = try progress.stage("synth: expand ratings", total: total) {
                try streamer.run(blockRatings: blocks.map(\.ratings), ratingsFile: ratingsFile, tagsFile: tagsFile,
                                 progress: progress) { block, _, ratings, tags in
                    var stats = BlockStreamer.Stats()
                    for position in blocks[block].items {
                        let copy = Int(userSource[position])
                        let u = active[copy / f1], i = copy % f1
                        var g = mixer.generator(.expandUser, copy)
                        let shift: Int64 = i == 0 ? 0 : Int64(g.nextBelow(60 * 86_400 + 1)) - 30 * 86_400
                        let userId = Int64(position + 1)
                        for r in ratingsByUser.range(u) {
                            let k = ratingsByUser.order[r]
                            let m = Int(source.ratingMovie[k])
                            let j = seedMatrix.column(row: i, &g)
                            let halves = Int((source.ratingValue[k] * 2).rounded())
                            ratings.int(userId); ratings.comma()
                            ratings.int(Int64(movieNewId[m * f2 + j])); ratings.comma()
                            ratings.halfStars(halves); ratings.comma()
                            ratings.int(min(lastTime, max(firstTime, source.ratingTime[k] + shift))); ratings.newline()
                            stats.halfStars += halves
                        }
                        for r in tagsByUser.range(u) {
                            let k = tagsByUser.order[r]
                            let m = Int(source.tagMovie[k])
                            let j = seedMatrix.column(row: i, &g)
                            tags.int(userId); tags.comma()
                            tags.int(Int64(movieNewId[m * f2 + j])); tags.comma()
                            tags.csvField(source.tagText[k]); tags.comma()
                            tags.int(min(tagLast, max(tagFirst, source.tagTime[k] + shift))); tags.newline()
                            stats.tagRows += 1
                        }
                    }
                    return stats
                }
            }
            try ratingsFile.close()
            try tagsFile.close()
            var bytes = ["ratings.csv": ratingsFile.bytesWritten, "tags.csv": tagsFile.bytesWritten]
            bytes["movies.csv"] = try writeMovies(source, copies: f2, order: movieSource, out)
            try out.commit()
            return SynthSummary(directory: out.destination, users: userCopies, movies: movieCells, ratings: total,
                                tags: stats.tagRows, fileBytes: bytes, meanRating: Double(stats.halfStars) / 2 / Double(total))
        } catch {
            out.discard()
            throw error
        }
    }

    /// A seeded Fisher–Yates permutation of `0..<count`.
    static func permutation(count: Int, _ g: SplitMix64) -> [Int32] {
        var g = g
        var p = (0..<count).map { Int32($0) }
        if count > 1 { for i in stride(from: count - 1, to: 0, by: -1) { p.swapAt(i, g.nextBelow(i + 1)) } }
        return p
    }

    /// `movies.csv` of the copies, in new-id order.
    static func writeMovies(_ source: Dataset, copies f2: Int, order: [Int32], _ out: OutputDirectory) throws -> Int64 {
        let file = try out.open("movies.csv")
        let sink = ByteSink(capacity: order.count * 56 + 64)
        sink.text("movieId,title,genres\n")
        // Genre names of the source vocabulary in the ml-latest vocabulary (nil: not in it).
        let rename: [Int?] = source.genreNames.map { name in
            Genres.latest.firstIndex(of: name == "Children's" ? "Children" : name)
        }
        for (position, copy) in order.enumerated() {
            let m = Int(copy) / f2, j = Int(copy) % f2
            sink.int(Int64(position + 1)); sink.comma()
            sink.csvField(copyTitle(source.titles[m], copy: j))
            sink.comma()
            var bits: UInt32 = 0
            for (g, target) in rename.enumerated() where g < 32 && source.genres[m] & (1 << UInt32(g)) != 0 {
                if let target { bits |= 1 << UInt32(target) }
            }
            if bits == 0 {
                sink.text(Genres.noGenresListed)
            } else {
                var first = true
                for g in 0..<Genres.latest.count where bits & (1 << UInt32(g)) != 0 {
                    if !first { sink.byte(124) }
                    sink.text(Genres.latest[g])
                    first = false
                }
            }
            sink.newline()
            if sink.count > 1 << 22 {
                try file.write(sink)
                sink.removeAll()
            }
        }
        try file.write(sink)
        try file.close()
        return file.bytesWritten
    }

    /// Copy 0 keeps the title; copy j gets ` #j+1` before a trailing `(YYYY)` (or at the end).
    static func copyTitle(_ title: String, copy j: Int) -> String {
        guard j > 0, !title.isEmpty else { return title }
        var trimmed = Substring(title)
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        if case .year = TitleYear.parse(title), let open = trimmed.lastIndex(of: "(") {
            var head = trimmed[..<open]
            while head.last == " " { head = head.dropLast() }
            return head + " #\(j + 1) " + trimmed[open...]
        }
        return trimmed + " #\(j + 1)"
    }
}

/// Rows of a column grouped by their owner (a user index), in row order within an owner.
struct UserIndex {
    /// `start[u]..<start[u+1]` indexes `order` for user u.
    var start: [Int]
    var order: [Int]

    init<Owner: Sequence>(users: Int, owner: Owner) where Owner.Element == Int32 {
        var start = [Int](repeating: 0, count: users + 1)
        for o in owner where o >= 0 && Int(o) < users { start[Int(o) + 1] += 1 }
        for u in 0..<users { start[u + 1] += start[u] }
        var next = start
        var order = [Int](repeating: 0, count: start[users])
        for (row, o) in owner.enumerated() where o >= 0 && Int(o) < users {
            order[next[Int(o)]] = row
            next[Int(o)] += 1
        }
        self.start = start
        self.order = order
    }

    func count(_ u: Int) -> Int { start[u + 1] - start[u] }
    func range(_ u: Int) -> Range<Int> { start[u]..<start[u + 1] }
}
