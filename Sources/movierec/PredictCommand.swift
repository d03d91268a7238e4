import ArgumentParser
import Foundation
import Recommender
import Runtime

/// `movierec predict --models DIR --user ID --movie ID`: like-probability and predicted rating.
struct PredictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict how much a user will like a movie (like-probability and star rating).",
        discussion: """
        The pair's features are computed from the bundle's whole-data statistics, exactly as \
        cross-validation computes a test rating's (as if rated at the time of the data's latest \
        rating). If the user already rated the movie, the rating is shown too.
        """
    )

    @Option(name: .long, help: "Model bundle directory (from `movierec train`).")
    var models: String = "models"

    @Option(name: .long, help: "MovieLens user id.")
    var user: Int64

    @Option(name: .long, help: "MovieLens movie id.")
    var movie: Int64

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        _ = output.start()
        do {
            let bundle = try BundleStore.read(models)
            let p = try PredictRun.predict(bundle, user: user, movie: movie)
            if json {
                print(JSONValue.object([
                    ("user", .integer(Int(user))), ("movie_id", .integer(Int(movie))), ("title", .string(p.title)),
                    ("like_probability", .number(Double(p.like))), ("predicted_rating", .number(Double(p.rating))),
                    ("rated", p.actual.map { .number(Double($0)) } ?? .null),
                ]).rendered())
            } else {
                print("User \(user) and \(p.title) (id \(movie)):")
                print(String(format: "  like probability  %.3f", p.like))
                print(String(format: "  predicted rating  %.2f★", p.rating))
                if let a = p.actual { print(String(format: "  (already rated %.1f★ in the training data)", a)) }
            }
        } catch {
            throw CLIFailure.report(error)
        }
    }
}

/// The logic of `movierec predict`, callable from tests.
enum PredictRun {
    struct Prediction { var title: String; var like: Float; var rating: Float; var actual: Float? }

    static func predict(_ bundle: ModelBundle, user: Int64, movie: Int64) throws -> Prediction {
        guard let u = bundle.catalog.userIndex(forId: user) else { throw ServingError.unknownUser(user) }
        guard let m = bundle.catalog.movieIndex(forId: movie) else { throw ServingError.unknownMovie(movie) }
        let p = try bundle.predict(users: [Int32(u)], movies: [Int32(m)])
        let seen = bundle.catalog.seen(user: u)
        let actual = zip(seen.movies, seen.ratings).first { $0.0 == Int32(m) }?.1
        return Prediction(title: bundle.catalog.displayTitle(m), like: p.like[0], rating: p.rating[0], actual: actual)
    }
}
