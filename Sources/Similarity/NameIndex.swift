import Foundation

/// Looks items up by name, case- and accent-insensitively, with a fuzzy fallback.
///
/// Each item has one or more names (aliases, e.g. `"Toy Story"` and `"Toy Story (1995)"`).
/// Names and queries are *folded*: Unicode canonical decomposition, diacritics and case removed
/// (`"Amélie"` ≡ `"amelie"`), punctuation turned into spaces and runs of spaces collapsed, and a
/// leading article moved from the end, before a trailing year if any (`"Matrix, The (1999)"` ≡
/// `"The Matrix (1999)"`).
///
/// Lookup order:
/// 1. exact match of the folded query against any folded alias → `.unique` or, when several
///    items match, `.ambiguous` (all of them, in item order);
/// 2. otherwise fuzzy: items are scored by the best similarity of any alias to the query
///    (character-trigram Dice coefficient, and 0.9 when the query is a whole-word prefix or
///    substring of the alias); the best item is returned as `.fuzzy` when it scores ≥ 0.5 and
///    beats the runner-up by ≥ 0.1, candidates are listed as `.ambiguous` when several score
///    ≥ 0.5 within 0.1 of the best, and `.notFound` lists the closest few otherwise.
public struct NameIndex: Sendable {
    /// Outcome of a lookup.
    public enum Match: Equatable, Sendable {
        /// Exactly one item has this name.
        case unique(Int)
        /// No exact match; this item is clearly the closest (with its similarity in 0...1).
        case fuzzy(Int, score: Double)
        /// Several items fit equally well (exact duplicates or close fuzzy scores), best first.
        case ambiguous([Int])
        /// Nothing is close; the closest items, best first (possibly empty).
        case notFound(closest: [Int])
    }

    private let folded: [[String]]
    private let trigrams: [[Set<String>]]

    /// Indexes `names[i]` as the aliases of item `i`.
    public init(names: [[String]]) {
        folded = names.map { $0.map(NameIndex.fold) }
        trigrams = folded.map { $0.map(NameIndex.trigrams) }
    }

    /// Finds `query`; `maxCandidates` bounds the lists of `.ambiguous` (fuzzy) and `.notFound`.
    public func lookup(_ query: String, maxCandidates: Int = 5) -> Match {
        let q = NameIndex.fold(query)
        guard !q.isEmpty else { return .notFound(closest: []) }
        let exact = folded.indices.filter { folded[$0].contains(q) }
        if exact.count == 1 { return .unique(exact[0]) }
        if exact.count > 1 { return .ambiguous(exact) }

        let qt = NameIndex.trigrams(q)
        var scored: [(item: Int, score: Double)] = []
        for i in folded.indices {
            var best = 0.0
            for (a, alias) in folded[i].enumerated() {
                var s = NameIndex.dice(qt, trigrams[i][a])
                if (" " + alias + " ").contains(" " + q + " ") { s = max(s, 0.9) }
                best = max(best, s)
            }
            if best > 0 { scored.append((i, best)) }
        }
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        guard let top = scored.first, top.score >= 0.5 else {
            return .notFound(closest: scored.prefix(maxCandidates).map(\.item))
        }
        let close = scored.filter { $0.score >= 0.5 && top.score - $0.score < 0.1 }
        if close.count == 1 { return .fuzzy(top.item, score: top.score) }
        return .ambiguous(close.prefix(maxCandidates).map(\.item))
    }

    /// The folded form of a name (see the type's documentation).
    public static func fold(_ s: String) -> String {
        let base = s.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var out = ""
        var space = false
        for ch in base.unicodeScalars {
            if CharacterSet.alphanumerics.contains(ch) {
                if space && !out.isEmpty { out.append(" ") }
                out.unicodeScalars.append(ch)
                space = false
            } else {
                space = true
            }
        }
        // "Matrix, The" → "the matrix" and "Matrix, The (1999)" → "the matrix 1999" (MovieLens
        // puts articles last); the comma is already a space.
        var words = out.split(separator: " ").map(String.init)
        let articles: Set<String> = ["the", "a", "an", "les", "la", "le", "il", "el", "das", "der", "die"]
        let yearLast = words.count >= 3 && words[words.count - 1].count == 4 && words[words.count - 1].allSatisfy(\.isNumber)
        let at = words.count - (yearLast ? 2 : 1)
        if words.count >= 2, at >= 1, articles.contains(words[at]) {
            let article = words.remove(at: at)
            words.insert(article, at: 0)
            out = words.joined(separator: " ")
        }
        return out
    }

    static func trigrams(_ s: String) -> Set<String> {
        let padded = Array("  " + s + " ")
        guard padded.count >= 3 else { return [] }
        var out = Set<String>()
        for i in 0...(padded.count - 3) { out.insert(String(padded[i..<(i + 3)])) }
        return out
    }

    static func dice(_ a: Set<String>, _ b: Set<String>) -> Double {
        guard !a.isEmpty || !b.isEmpty else { return 0 }
        return 2 * Double(a.intersection(b).count) / Double(a.count + b.count)
    }
}
