import ArgumentParser

/// `movierec boost …`: train and apply gradient-boosted trees on any CSV/LibSVM table.
struct BoostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boost",
        abstract: "Train and apply gradient-boosted trees on a CSV or LibSVM table.",
        discussion: """
        Histogram gradient boosting (like XGBoost's tree_method=hist) on any numeric table: \
        CSV with a header (empty, NaN, NA or ? cells are missing) or LibSVM (label idx:val …). \
        Example:
          movierec boost train --data train.csv --label clicked --valid valid.csv \\
            --early-stopping 20 --out model.mrgb --export-xgboost model.json
          movierec boost predict --model model.mrgb --data test.csv --out preds.csv
        """,
        subcommands: [BoostTrainCommand.self, BoostPredictCommand.self]
    )
}
