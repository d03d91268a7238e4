import ArgumentParser
import Clustering
import Foundation
import LinearAlgebra
import MovieLens
import Recommender
import Runtime

/// `movierec cluster`: KMeans of users by genre averages or by their ratings.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster users with KMeans, by genre averages or by ratings.",
        discussion: """
        --by genres: users × genres average rating; a genre the user never rated is filled with the \
        user's overall mean rating. --by ratings: the sparse users × movies matrix with 0 for unrated \
        (scikit-learn's view of a zero-filled pivot table); --center subtracts each user's mean rating \
        from their ratings first. KMeans is k-means++ + Lloyd (scikit-learn semantics: tol relative to \
        the mean column variance, n-init restarts keeping the lowest inertia); --algorithm minibatch \
        (the default for more than 50,000 users) uses mini-batch KMeans. The silhouette is computed \
        on a seeded sample of --silhouette-sample users. Favourite movies rank the cluster's mean \
        rating shrunk toward the global mean ((sum + 5·mean) / (raters + 5)) among movies with at \
        least --min-raters raters in the cluster.
        """
    )

    enum By: String, ExpressibleByArgument, CaseIterable { case genres, ratings }
    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case auto, lloyd, minibatch }

    @Option(name: .long, help: "The MovieLens data directory.")
    var data: String

    @Option(name: .long, help: "What to cluster users by: genres or ratings.")
    var by: By = .genres

    @Option(name: .long, help: "Number of clusters.")
    var k: Int

    @Option(name: .customLong("n-init"), help: "KMeans restarts (the best inertia is kept).")
    var nInit: Int = 10

    @Option(name: .customLong("max-iter"), help: "Maximum Lloyd iterations per restart.")
    var maxIter: Int = 300

    @Option(name: .long, help: "Relative tolerance on the centre shift (scikit-learn semantics).")
    var tol: Double = 1e-4

    @Flag(name: .long, help: "With --by ratings: subtract each user's mean rating first.")
    var center = false

    @Option(name: .long, help: "auto, lloyd or minibatch (auto = minibatch above 50,000 users).")
    var algorithm: Algorithm = .auto

    @Option(name: .customLong("batch-size"), help: "Rows per mini-batch step.")
    var batchSize: Int = 1024

    @Option(name: .long, help: "Kernel backend: blas or swift (default: MOVIEREC_BACKEND or swift, whose register kernel is the faster one for KMeans's few centres).")
    var backend: String?

    @Option(name: .long, help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Option(name: .customLong("silhouette-sample"), help: "Users sampled for the silhouette score (0 = skip it).")
    var silhouetteSample: Int = 2000

    @Option(name: .long, help: "Favourite movies and genres listed per cluster.")
    var top: Int = 5

    @Option(name: .customLong("min-raters"), help: "Favourite movies need at least this many raters in the cluster.")
    var minRaters: Int = 5

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @Option(name: .customLong("dump-matrix"), help: .hidden)
    var dumpMatrix: String?

    @Option(name: .customLong("init-centres"),
            help: "Start Lloyd from the k centres in this text file (one per line, whitespace-separated) instead of k-means++; one run.")
    var initCentres: String?

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1 (got \(k))") }
        guard nInit >= 1 else { throw ValidationError("--n-init must be at least 1 (got \(nInit))") }
        guard maxIter >= 1 else { throw ValidationError("--max-iter must be at least 1 (got \(maxIter))") }
        guard tol >= 0, tol.isFinite else { throw ValidationError("--tol must be a finite number ≥ 0") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard silhouetteSample == 0 || silhouetteSample >= 2 else { throw ValidationError("--silhouette-sample must be 0 or at least 2") }
        guard top >= 0 else { throw ValidationError("--top must be ≥ 0") }
        guard minRaters >= 1 else { throw ValidationError("--min-raters must be at least 1") }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
        if center && by != .ratings { throw ValidationError("--center applies to --by ratings only") }
        if let backend { _ = try Backend(parsing: backend) }
        if initCentres != nil && algorithm == .minibatch { throw ValidationError("--init-centres applies to --algorithm lloyd") }
    }

    func run() async throws {
        do {
            let settings = ClusterRun.Settings(
                data: data, by: by, k: k, nInit: nInit, maxIter: maxIter, tol: tol, center: center,
                algorithm: algorithm, batchSize: batchSize,
                backend: try backend.map(Backend.init(parsing:)) ?? Backend.fromEnvironment(or: .swift), seed: seed, threads: threads,
                silhouetteSample: silhouetteSample, top: top, minRaters: minRaters, dumpMatrix: dumpMatrix,
                initCentres: initCentres)
            let result = try ClusterRun.run(settings)
            print(json ? try result.jsonText() : result.table(), terminator: "")
        } catch {
            FileHandle.standardError.write(Data("movierec: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// The logic of `movierec cluster`, callable from tests.
enum ClusterRun {
    struct Settings {
        var data: String
        var by: ClusterCommand.By
        var k: Int
        var nInit = 10
        var maxIter = 300
        var tol = 1e-4
        var center = false
        var algorithm: ClusterCommand.Algorithm = .auto
        var batchSize = 1024
        var backend: Backend = .fromEnvironment(or: .swift)
        var seed: UInt64 = 0
        var threads: Int?
        var silhouetteSample = 2000
        var top = 5
        var minRaters = 5
        var dumpMatrix: String?
        var initCentres: String?
    }

    /// The printed result (`--json` encodes this structure).
    struct Result: Codable {
        struct Genre: Codable { var genre: String; var mean: Float }
        struct Movie: Codable { var movieId: Int64; var title: String; var meanRating: Float; var raters: Int }
        struct Cluster: Codable {
            var cluster: Int
            var size: Int
            var favouriteGenres: [Genre]
            var favouriteMovies: [Movie]
        }
        var data: String
        var by: String
        var centered: Bool
        var algorithm: String
        var backend: String
        var threads: Int
        var users: Int
        var features: Int
        var storedValues: Int
        var k: Int
        var nInit: Int
        var maxIter: Int
        var seed: UInt64
        var inertia: Double
        var silhouette: Double?
        var silhouetteSample: Int
        var sizes: [Int]
        var iterations: Int
        var converged: Bool
        /// KMeans fit time (seeding + iterations, all restarts), wall clock.
        var seconds: Double
        /// Process CPU time (all threads) during the fit: comparable across machine loads.
        var cpuSeconds: Double
        var loadSeconds: Double
        var silhouetteSeconds: Double
        var clusters: [Cluster]

        func jsonText() throws -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
        }

        func table() -> String {
            var out = "KMeans by \(by)\(centered ? " (mean-centred)" : ""): \(users) users × \(features) \(by == "genres" ? "genres" : "movies"), "
                + "k=\(k), \(algorithm), n-init \(nInit), backend \(backend), \(threads) threads\n"
            out += String(format: "inertia %.6g   silhouette %@   iterations %d%@   fit %.3f s (CPU %.3f s; load %.2f s, silhouette %.2f s)\n",
                          inertia, silhouette.map { String(format: "%.4f (%d users)", $0, silhouetteSample) } ?? "n/a",
                          iterations, converged ? "" : " (not converged)", seconds, cpuSeconds, loadSeconds, silhouetteSeconds)
            for c in clusters {
                out += "\ncluster \(c.cluster): \(c.size) users\n"
                out += "  genres: " + c.favouriteGenres.map { String(format: "%@ %.2f", $0.genre, $0.mean) }.joined(separator: ", ") + "\n"
                for m in c.favouriteMovies {
                    out += String(format: "  %5.2f  %@ (%d raters, id %lld)\n", m.meanRating, m.title, m.raters, m.movieId)
                }
            }
            return out
        }
    }

    static func run(_ s: Settings) throws -> Result {
        let t0 = Date()
        let loaded = try MovieLensReader.load(directory: s.data, threads: s.threads)
        let ds = loaded.dataset
        let loadSeconds = Date().timeIntervalSince(t0)
        let threads = Threads.resolve(s.threads)
        // Rows are the users who rated (users.dat may list users whose ratings were all dropped).
        let rated = RatedUsers(ds)
        guard rated.count >= s.k else {
            throw ValidationError("k = \(s.k) is more than the \(rated.count) users with ratings in \(s.data)")
        }
        let genres = UserGenreMatrix(ds, rows: rated)
        let ratings = try UserMovieMatrix.build(ds, values: .raw, rows: rated)
        let useMiniBatch = s.initCentres == nil && (s.algorithm == .minibatch || (s.algorithm == .auto && rated.count > 50_000))
        let initial = try s.initCentres.map { try CentresFile.read($0) }
        let ratingX = s.by == .ratings && s.center ? try UserMovieMatrix.build(ds, values: .meanCentred, rows: rated) : ratings

        let model: KMeansModel
        let features: Int, stored: Int
        var silhouette: Double? = nil
        var silhouetteSeconds = 0.0
        let sample = min(s.silhouetteSample, rated.count)
        if let path = s.dumpMatrix {
            switch s.by {
            case .genres: try MatrixMarket.write(genres.matrix, to: path)
            case .ratings: try MatrixMarket.write(ratingX, to: path)
            }
        }
        let fitStart = Date()
        let cpuStart = ProcessCPU.seconds()
        switch s.by {
        case .genres:
            model = try fit(ClusterInput(genres.matrix), s, useMiniBatch, initial)
            features = genres.matrix.cols
            stored = genres.matrix.rows * genres.matrix.cols
        case .ratings:
            model = try fit(ClusterInput(ratingX), s, useMiniBatch, initial)
            features = ratingX.cols
            stored = ratingX.nonZeroCount
        }
        let fitSeconds = Date().timeIntervalSince(fitStart)
        let fitCPU = ProcessCPU.seconds() - cpuStart
        if sample >= 2 && Set(model.labels).count >= 2 {
            let st = Date()
            switch s.by {
            case .genres:
                silhouette = try Silhouette.score(genres.matrix, labels: model.labels, sampleSize: sample, seed: s.seed, backend: s.backend, threads: threads)
            case .ratings:
                silhouette = try Silhouette.score(ratingX, labels: model.labels, sampleSize: sample, seed: s.seed, backend: s.backend, threads: threads)
            }
            silhouetteSeconds = Date().timeIntervalSince(st)
        }

        // Cluster descriptions: mean genre averages of the members, shrunk mean ratings per movie.
        let affinity = try ClusterMovieAffinity(ratings: ratings, assignments: model.labels, k: s.k, backend: s.backend, threads: threads)
        let sizes = model.sizes
        var clusters: [Result.Cluster] = []
        for c in 0..<s.k {
            var means = [Double](repeating: 0, count: genres.genreNames.count)
            for (u, l) in model.labels.enumerated() where Int(l) == c {
                for g in 0..<means.count { means[g] += Double(genres.matrix[u, g]) }
            }
            let size = Double(max(sizes[c], 1))
            var ranked: [(name: String, mean: Double)] = []
            for g in means.indices { ranked.append((genres.genreNames[g], means[g] / size)) }
            ranked.sort { a, b in a.mean != b.mean ? a.mean > b.mean : a.name < b.name }
            let favGenres: [Result.Genre] = ranked.prefix(s.top).map { Result.Genre(genre: $0.name, mean: Float($0.mean)) }
            let favMovies = affinity.favouriteMovies(cluster: c, count: s.top, minRaters: s.minRaters).map { f in
                Result.Movie(movieId: ds.movieIds[f.movie], title: displayTitle(ds, f.movie), meanRating: f.meanRating, raters: f.raters)
            }
            clusters.append(Result.Cluster(cluster: c, size: sizes[c], favouriteGenres: Array(favGenres), favouriteMovies: favMovies))
        }
        return Result(
            data: s.data, by: s.by.rawValue, centered: s.center, algorithm: useMiniBatch ? "minibatch" : "lloyd",
            backend: s.backend.rawValue, threads: threads, users: rated.count, features: features, storedValues: stored,
            k: s.k, nInit: s.nInit, maxIter: s.maxIter, seed: s.seed, inertia: model.inertia, silhouette: silhouette,
            silhouetteSample: sample, sizes: sizes, iterations: model.iterations, converged: model.converged,
            seconds: fitSeconds, cpuSeconds: fitCPU, loadSeconds: loadSeconds, silhouetteSeconds: silhouetteSeconds, clusters: clusters)
    }

    static func fit(_ x: ClusterInput, _ s: Settings, _ miniBatch: Bool, _ initial: Matrix<Float>?) throws -> KMeansModel {
        if miniBatch {
            return try MiniBatchKMeans(k: s.k, batchSize: s.batchSize, maxIter: s.maxIter, nInit: min(s.nInit, 3), seed: s.seed,
                                       backend: s.backend, threads: s.threads).fit(x, weights: nil)
        }
        var kmeans = KMeans(k: s.k, nInit: s.nInit, maxIter: s.maxIter, tol: s.tol, seed: s.seed, backend: s.backend, threads: s.threads)
        kmeans.initialCentres = initial
        return try kmeans.fit(x, weights: nil)
    }

    /// "Title (year)" of a dense movie index.
    static func displayTitle(_ ds: Dataset, _ m: Int) -> String { MovieTitles.display(ds, m) }
}

/// Matrix Market text files (`scipy.io.mmread` reads them), for handing our exact input matrix
/// to the Python peers. 1-based indices; values with 9 significant digits (exact for Float).
enum MatrixMarket {
    static func write(_ m: Matrix<Float>, to path: String) throws {
        var out = "%%MatrixMarket matrix array real general\n\(m.rows) \(m.cols)\n"
        // Array format is column-major.
        for c in 0..<m.cols { for r in 0..<m.rows { out += String(format: "%.9g\n", m[r, c]) } }
        try AtomicFile.write(out, to: path)
    }

    static func write(_ s: SparseMatrix, to path: String) throws {
        var out = "%%MatrixMarket matrix coordinate real general\n\(s.rows) \(s.cols) \(s.nonZeroCount)\n"
        out.reserveCapacity(s.nonZeroCount * 16)
        for r in 0..<s.rows {
            for p in s.range(ofRow: r) {
                let value: String = String(format: "%.9g", s.values[p])
                let col: Int = Int(s.columns[p]) + 1
                out += "\(r + 1) \(col) \(value)\n"
            }
        }
        try AtomicFile.write(out, to: path)
    }
}

/// A text file of centres for `--init-centres`: one centre per line, values separated by spaces,
/// tabs or commas (`numpy.savetxt` output); blank lines and lines starting with `#` are skipped.
enum CentresFile {
    struct FormatError: Error, CustomStringConvertible {
        let path: String
        let line: Int
        let reason: String
        var description: String { "\(path):\(line): \(reason)" }
    }

    static func read(_ path: String) throws -> Matrix<Float> {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FormatError(path: path, line: 0, reason: "cannot read the file (\(error.localizedDescription))")
        }
        var values: [Float] = []
        var rows = 0, cols = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" })
            var row: [Float] = []
            for f in fields {
                guard let v = Float(f), v.isFinite else {
                    throw FormatError(path: path, line: i + 1, reason: "'\(f)' is not a finite number")
                }
                row.append(v)
            }
            if rows == 0 { cols = row.count }
            guard row.count == cols else {
                throw FormatError(path: path, line: i + 1, reason: "\(row.count) values, but the first centre has \(cols)")
            }
            values.append(contentsOf: row)
            rows += 1
        }
        guard rows > 0 else { throw FormatError(path: path, line: 0, reason: "no centres in the file") }
        return try Matrix(rows: rows, cols: cols, storage: values)
    }
}

/// CPU time of this process (all threads), for timings that mean something on a loaded machine.
enum ProcessCPU {
    static func seconds() -> Double {
        var ts = timespec()
        guard clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0 else { return 0 }
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
