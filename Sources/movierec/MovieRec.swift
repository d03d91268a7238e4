import ArgumentParser

/// The `movierec` command: trains, evaluates and serves MovieLens recommenders.
///
/// Each subcommand lives in its own file and stays thin: it parses options, reports progress and
/// prints results; the algorithms live in the library modules.
@main
struct MovieRec: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movierec",
        abstract: "Train, evaluate and serve movie recommenders on MovieLens data.",
        discussion: """
        Start with `movierec data fetch ml-latest-small` (or point --data at any MovieLens \
        release), then `movierec data validate data/ml-latest-small`.
        Environment: MOVIEREC_THREADS (thread count), MOVIEREC_BACKEND (blas|swift).
        """,
        version: "0.1.0",
        subcommands: [
            DataCommand.self, BoostCommand.self, ClusterCommand.self, SimilarCommand.self,
            FeaturesCommand.self, EvaluateCommand.self,
        ]
    )
}
