import ArgumentParser

/// `movierec data fetch NAME`: download, verify and unpack a GroupLens release into data/NAME.
struct DataFetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download a MovieLens release from GroupLens into data/NAME (under construction)."
    )
}
