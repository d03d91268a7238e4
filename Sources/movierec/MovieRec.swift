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
        Start here:
          movierec data fetch ml-latest-small                      # or point --data at any MovieLens release
          movierec train --data data/ml-latest-small --out models  # every model -> one bundle directory
          movierec recommend --models models --user 1              # top 10, seen movies excluded, with reasons
        Then: `movierec similar --models models --movie "Heat"`, `movierec predict --models models \
        --user 1 --movie 6`, and `movierec pipeline` (validate -> train -> evaluate -> save -> \
        sample recommendations in one go).
        Environment: MOVIEREC_THREADS (thread count), MOVIEREC_BACKEND (blas|swift).
        """,
        version: "0.1.0",
        subcommands: [
            PipelineCommand.self, TrainCommand.self, RecommendCommand.self, SimilarCommand.self, PredictCommand.self,
            DataCommand.self, BoostCommand.self, ClusterCommand.self, FeaturesCommand.self, EvaluateCommand.self,
        ]
    )
}
