import MovieLens

/// The users that become the rows of a clustering matrix: those with at least one rating.
///
/// A `Dataset` keeps every user of `users.dat` even when none of their ratings survived cleaning
/// (the seed set has 6,050 users, of whom 858 rated). Clustering those users would add thousands
/// of identical all-unrated rows, so `movierec cluster` — like the notebook's pivot table —
/// clusters the users who rated. Row `r` is dense user `users[r]`.
public struct RatedUsers: Sendable, Equatable {
    /// Dense user index of each row, ascending.
    public let users: [Int32]
    /// Row of each dense user index, or −1 for a user without ratings.
    public let rowOfUser: [Int32]

    /// The users of `dataset` with at least one rating.
    public init(_ dataset: Dataset) {
        var row = [Int32](repeating: -1, count: dataset.userCount)
        for u in dataset.ratingUser where u >= 0 && Int(u) < row.count { row[Int(u)] = 0 }
        var users: [Int32] = []
        for u in row.indices where row[u] == 0 {
            row[u] = Int32(users.count)
            users.append(Int32(u))
        }
        self.users = users
        self.rowOfUser = row
    }

    /// Number of rows.
    public var count: Int { users.count }
}
