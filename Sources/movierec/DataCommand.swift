import ArgumentParser

/// `movierec data …`: validate, fetch and synthesise MovieLens data.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Validate, fetch or generate MovieLens data.",
        subcommands: [DataValidateCommand.self, DataFetchCommand.self, DataBenchParseCommand.self, DataSynthCommand.self]
    )
}
