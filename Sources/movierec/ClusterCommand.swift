import ArgumentParser

/// `movierec cluster`: KMeans of users by genre averages or by their ratings.
struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster users with KMeans, by genre averages or by ratings."
    )
}
