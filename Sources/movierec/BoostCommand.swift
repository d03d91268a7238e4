import ArgumentParser

/// `movierec boost …`: train and apply gradient-boosted trees on any CSV/LibSVM table.
struct BoostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boost",
        abstract: "Train and apply gradient-boosted trees on a CSV or LibSVM table.",
        subcommands: []
    )
}
