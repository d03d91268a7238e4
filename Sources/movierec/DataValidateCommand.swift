import ArgumentParser

/// `movierec data validate PATH`: read a MovieLens directory and print its cleaning report.
struct DataValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Read a MovieLens directory and report every row kept, repaired or dropped (under construction)."
    )
}
