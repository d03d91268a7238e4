import ArgumentParser
import Foundation
import LinearAlgebra
import MovieLens
import Recommender
import Runtime
import Similarity

/// `movierec similar`: the movies most similar to one movie by TF-IDF cosine similarity of
/// their genres, tags and title words — from a model bundle (`--models`, the stored neighbour
/// lists) or fitted on the fly from a data directory (`--data`, with the document options).
struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "List the movies most similar to a movie (TF-IDF of genres, tags and title words).",
        discussion: """
        Each movie's document is its genres (one token each, e.g. "sci-fi"), the words of its title \
        without the year and the words of its tags (ml-latest releases), lower-cased, words = runs of \
        2+ letters/digits/underscores. TF-IDF as scikit-learn's TfidfVectorizer (smooth idf; \
        --sublinear-tf for 1 + ln tf), rows L2-normalised; neighbours by cosine similarity, ties by \
        movie id; only movies sharing a term are listed. --movie takes a movie id or a title \
        ("Toy Story", "toy story (1995)", "Amelie"); case and accents are ignored, a near miss is \
        matched fuzzily, and an ambiguous title lists the candidates. \
        With --models DIR the neighbour lists stored by `movierec train` are used (no fitting; \
        the document options do not apply).
        """
    )

    @Option(name: .long, help: "The MovieLens data directory (fits TF-IDF now).")
    var data: String?

    @Option(name: .long, help: "A model bundle directory (uses its stored neighbour lists).")
    var models: String?

    @Option(name: .long, help: "A movie id, or a title (use --title for a title made of digits).")
    var movie: String?

    @Option(name: .long, help: "A movie title (never read as an id).")
    var title: String?

    @Option(name: .long, help: "Number of similar movies.")
    var top: Int = 10

    @Flag(name: .customLong("no-genres"), help: "Leave genres out of the documents.")
    var noGenres = false

    @Flag(name: .customLong("no-tags"), help: "Leave tags out of the documents.")
    var noTags = false

    @Flag(name: .customLong("no-title"), help: "Leave title words out of the documents.")
    var noTitle = false

    @Flag(name: .customLong("sublinear-tf"), help: "Use 1 + ln(tf) instead of raw term counts.")
    var sublinearTf = false

    @Flag(name: .customLong("no-smooth-idf"), help: "idf = ln(n/df) + 1 instead of ln((1+n)/(1+df)) + 1.")
    var noSmoothIdf = false

    @Option(name: .long, help: "Kernel backend: blas or swift (default: MOVIEREC_BACKEND or blas).")
    var backend: String?

    @Option(name: .long, help: "Threads (default: MOVIEREC_THREADS or all cores).")
    var threads: Int?

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    /// Writes every movie's neighbour list (JSON lines) for the comparison with scikit-learn.
    @Option(name: .customLong("all-to"), help: .hidden)
    var allTo: String?

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        if movie == nil && title == nil && allTo == nil { throw ValidationError("give --movie ID|TITLE or --title TITLE") }
        if movie != nil && title != nil { throw ValidationError("give either --movie or --title, not both") }
        if (data == nil) == (models == nil) { throw ValidationError("give either --models DIR or --data PATH") }
        if allTo != nil && data == nil { throw ValidationError("--all-to needs --data") }
        if noGenres && noTags && noTitle { throw ValidationError("--no-genres, --no-tags and --no-title leave empty documents") }
        if let threads, threads < 0 { throw ValidationError("--threads must be positive") }
        if let backend { _ = try Backend(parsing: backend) }
    }

    func run() async throws {
        if let models {
            do {
                let r = try SimilarRun.fromBundle(models, query: movie ?? title ?? "", idAllowed: movie != nil, top: top)
                if let note = r.note, !json { FileHandle.standardError.write(Data("movierec: \(note)\n".utf8)) }
                if json { print(try r.jsonText(), terminator: "") } else { print(r.table(), terminator: "") }
            } catch {
                throw CLIFailure.report(error)
            }
            return
        }
        do {
            let s = SimilarRun.Settings(
                data: data ?? "", movie: movie, title: title, top: top,
                parts: .init(genres: !noGenres, tags: !noTags, titleWords: !noTitle),
                vectorizer: TfidfVectorizer(smoothIdf: !noSmoothIdf, sublinearTf: sublinearTf),
                backend: try backend.map(Backend.init(parsing:)) ?? .default, threads: threads, allTo: allTo)
            let r = try SimilarRun.run(s)
            if let note = r.note, !(json && r.query == nil) { FileHandle.standardError.write(Data("movierec: \(note)\n".utf8)) }
            if json { print(try r.jsonText(), terminator: "") } else if r.query != nil { print(r.table(), terminator: "") }
        } catch {
            FileHandle.standardError.write(Data("movierec: error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Why `movierec similar` could not answer.
enum SimilarError: Error, CustomStringConvertible {
    case noSuchMovie(query: String, closest: [String])
    case ambiguous(query: String, candidates: [String])

    var description: String {
        switch self {
        case .noSuchMovie(let q, let closest):
            return "no movie matches \"\(q)\"" + (closest.isEmpty ? "" : "; closest: " + closest.joined(separator: "; "))
        case .ambiguous(let q, let c):
            return "\"\(q)\" matches several movies; give the id: " + c.joined(separator: "; ")
        }
    }
}

/// The logic of `movierec similar`, callable from tests.
enum SimilarRun {
    struct Settings {
        var data: String
        var movie: String?
        var title: String?
        var top = 10
        var parts = MovieDocuments.Parts()
        var vectorizer = TfidfVectorizer()
        var backend: Backend = .default
        var threads: Int?
        var allTo: String?
    }

    struct Result: Codable {
        struct Entry: Codable { var movieId: Int64; var title: String; var genres: [String]; var score: Float }
        var query: Entry?
        var matchedBy: String
        var similar: [Entry]
        /// Terms of the TF-IDF vocabulary (not known when answering from a bundle).
        var vocabulary: Int?
        var movies: Int
        /// TF-IDF fit + top-k (of every movie with --all-to), wall clock.
        var seconds: Double
        /// Process CPU time (all threads) of the same work.
        var cpuSeconds: Double
        var note: String?

        func jsonText() throws -> String {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
        }

        func table() -> String {
            guard let q = query else { return "" }
            var out = "Movies similar to \(q.title) (id \(q.movieId); \(q.genres.joined(separator: "|"))):\n"
            for (i, e) in similar.enumerated() {
                out += String(format: "%3d. %.3f  %@ (id %lld; %@)\n", i + 1, e.score, e.title, e.movieId, e.genres.joined(separator: "|"))
            }
            if similar.isEmpty { out += "  (no movie shares a term with it)\n" }
            return out
        }
    }

    static func run(_ s: Settings) throws -> Result {
        let ds = try MovieLensReader.load(directory: s.data, threads: s.threads).dataset
        // Resolve the query before the heavy work so a bad title fails fast.
        var target: Int? = nil
        var matchedBy = "all"
        var note: String? = nil
        if let q = s.movie ?? s.title {
            (target, matchedBy, note) = try resolve(q, idAllowed: s.movie != nil, ds)
        }
        let start = Date()
        let cpuStart = ProcessCPU.seconds()
        let model = try s.vectorizer.fitTransform(MovieDocuments(ds, parts: s.parts).documents)
        let t = Threads.resolve(s.threads)
        var similar: [Result.Entry] = []
        if let allTo = s.allTo {
            let nb = try CosineNeighbours(vectors: model.matrix, k: s.top, backend: s.backend, threads: t)
            let seconds = Date().timeIntervalSince(start)
            let cpu = ProcessCPU.seconds() - cpuStart
            var out = ""
            for m in 0..<ds.movieCount {
                let list = try nb.neighbours(of: m).map { "[\(ds.movieIds[$0.index]),\(String(format: "%.7g", $0.score))]" }
                out += "{\"movieId\":\(ds.movieIds[m]),\"neighbours\":[\(list.joined(separator: ","))]}\n"
            }
            try AtomicFile.write(out, to: allTo)
            if target == nil {
                return Result(query: nil, matchedBy: matchedBy, similar: [], vocabulary: model.vocabulary.count, movies: ds.movieCount,
                              seconds: seconds, cpuSeconds: cpu, note: String(format: "wrote %d neighbour lists to %@ (%.3f s)", ds.movieCount, allTo, seconds))
            }
        }
        guard let m = target else { throw SimilarError.noSuchMovie(query: "", closest: []) }
        // One row against all: the top-k kernel on the query row only.
        let row = model.matrix.rows(m..<(m + 1))
        let top = try topKProducts(row, model.matrix, k: s.top + 1, backend: s.backend, threads: t)
        for (j, score) in top.row(0) where Int(j) != m && score > 0 && similar.count < s.top {
            similar.append(entry(ds, Int(j), score))
        }
        let seconds = Date().timeIntervalSince(start)
        return Result(query: entry(ds, m, 1), matchedBy: matchedBy, similar: similar, vocabulary: model.vocabulary.count,
                      movies: ds.movieCount, seconds: seconds, cpuSeconds: ProcessCPU.seconds() - cpuStart, note: note)
    }

    /// Answers from a model bundle's stored neighbour lists.
    static func fromBundle(_ path: String, query: String, idAllowed: Bool, top: Int) throws -> Result {
        let start = Date()
        let cpuStart = ProcessCPU.seconds()
        let bundle = try BundleStore.read(path)
        let ds = bundle.catalog.dataset()
        var (m, matchedBy, note) = try resolve(query, idAllowed: idAllowed, ds)
        let stored = bundle.similar.neighbours(of: m).count
        if top > stored, stored == bundle.manifest.parameters["similar_neighbours"].flatMap(Int.init) {
            note = (note.map { $0 + "; " } ?? "") + "the bundle keeps \(stored) neighbours per movie"
        }
        let list = try BundleRecommender(bundle).similar(movie: m, count: top)
        return Result(query: entry(ds, m, 1), matchedBy: matchedBy,
                      similar: list.map { Result.Entry(movieId: $0.movieId, title: $0.title, genres: $0.genres, score: $0.score) },
                      vocabulary: nil, movies: ds.movieCount, seconds: Date().timeIntervalSince(start),
                      cpuSeconds: ProcessCPU.seconds() - cpuStart, note: note)
    }

    /// A movie id (when allowed and the text is an id of the data) or a title lookup.
    static func resolve(_ q: String, idAllowed: Bool, _ ds: Dataset) throws -> (Int, String, String?) {
        let trimmed = q.trimmingCharacters(in: .whitespaces)
        if idAllowed, let id = Int64(trimmed), let m = ds.movieIndex(forId: id) { return (Int(m), "id", nil) }
        let index = MovieTitleIndex(ds)
        func describe(_ m: Int) -> String { "\(ds.movieIds[m]) \(ClusterRun.displayTitle(ds, m))" }
        switch index.lookup(trimmed) {
        case .unique(let m): return (m, "title", nil)
        case .fuzzy(let m, let score):
            return (m, "fuzzy title", String(format: "no exact title match for \"%@\"; using %@ (similarity %.2f)", trimmed, describe(m), score))
        case .ambiguous(let c): throw SimilarError.ambiguous(query: trimmed, candidates: c.map(describe))
        case .notFound(let c): throw SimilarError.noSuchMovie(query: trimmed, closest: c.map(describe))
        }
    }

    static func entry(_ ds: Dataset, _ m: Int, _ score: Float) -> Result.Entry {
        Result.Entry(movieId: ds.movieIds[m], title: ClusterRun.displayTitle(ds, m), genres: ds.genreList(ofMovie: m), score: score)
    }
}
