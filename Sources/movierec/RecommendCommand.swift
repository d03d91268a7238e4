import ArgumentParser
import Foundation
import Recommender
import Runtime

/// `movierec recommend --models DIR --user ID`: top-N movies for a user from a model bundle.
struct RecommendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Recommend movies for a user (or, with --genres, for a new user) from a model bundle.",
        discussion: """
        Movies the user rated are never recommended. Each line has the score and a short reason \
        ("because you rated Heat (1995) 5★", "loved by users like you", "popular with everyone"). \
        --genres "Comedy|Romance" recommends for someone the bundle does not know: the genre \
        cluster nearest to a taste for those genres, its best-liked movies of those genres.
        """
    )

    @Option(name: .long, help: "Model bundle directory (from `movierec train`).")
    var models: String = "models"

    @Option(name: .long, help: "MovieLens user id.")
    var user: Int64?

    @Option(name: .long, help: "Genres of a new user, separated by | (cold start; no --user).")
    var genres: String?

    @Option(name: .long, help: "Number of movies.")
    var top: Int = 10

    @Option(name: .long, help: "Model: \(ServingModel.allCases.map(\.rawValue).joined(separator: "|")) (default: hybrid, or cluster for a bundle trained without the top-N rankers).")
    var model: String?

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        guard (user == nil) != (genres == nil) else { throw ValidationError("give --user ID, or --genres \"G1|G2\" for a new user") }
        if let model, ServingModel(rawValue: model) == nil {
            throw ValidationError("--model must be one of \(ServingModel.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        _ = output.start()
        do {
            let start = DispatchTime.now().uptimeNanoseconds
            let recommender = BundleRecommender(try BundleStore.read(models))
            let loaded = DispatchTime.now().uptimeNanoseconds
            let kind = model.flatMap(ServingModel.init(rawValue:)) ?? recommender.bundle.servableModels[0]
            let list: [Recommendation]
            let header: String
            if let user {
                list = try recommender.recommend(userId: user, model: kind, count: top)
                header = "Top \(list.count) for user \(user) (model \(kind.rawValue)):"
            } else {
                let names = (genres ?? "").split(separator: "|").map(String.init)
                list = try recommender.recommend(genres: names, count: top)
                header = "Top \(list.count) for a new user who likes \(names.joined(separator: ", ")):"
            }
            let done = DispatchTime.now().uptimeNanoseconds
            CLILogging.logger().info("loaded the bundle in \(Double(loaded - start) / 1e6) ms, recommended in \(Double(done - loaded) / 1e6) ms")
            if json {
                print(RecommendationPrinting.json(list, extra: [
                    ("user", user.map { .integer(Int($0)) } ?? .null), ("model", .string(user == nil ? "cold-start" : kind.rawValue)),
                ]).rendered())
            } else {
                print(header)
                print(RecommendationPrinting.table(list), terminator: "")
            }
        } catch {
            throw CLIFailure.report(error)
        }
    }
}

/// Shared printing of recommendation lists (recommend, similar, pipeline).
enum RecommendationPrinting {
    static func table(_ list: [Recommendation], scoreFormat: String = "%.3f") -> String {
        var out = ""
        for (i, r) in list.enumerated() {
            out += String(format: "%3d. \(scoreFormat)  %@ [%@] — %@\n", i + 1, r.score, r.title, r.genres.joined(separator: "|"), r.reason)
        }
        if list.isEmpty { out += "  (nothing to recommend)\n" }
        return out
    }

    static func json(_ list: [Recommendation], extra: [(String, JSONValue)]) -> JSONValue {
        .object(extra + [("recommendations", .array(list.map { r in
            .object([("movie_id", .integer(Int(r.movieId))), ("title", .string(r.title)),
                     ("genres", .array(r.genres.map { .string($0) })), ("score", .number(Double(r.score))),
                     ("reason", .string(r.reason))])
        }))])
    }
}
