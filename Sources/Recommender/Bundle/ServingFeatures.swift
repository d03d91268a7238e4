import Boosting
import Foundation
import MovieLens
import Runtime

/// The feature statistics of the whole training set, kept in the bundle so that serving computes a
/// (user, movie) pair's features exactly as cross-validation computes a test row's: rating sums
/// (per user, movie, user × genre), the biased factorisation and the user clusters with their
/// cluster × movie affinity, all fitted on every training rating.
///
/// A served pair is described as a rating made at the catalogue's `servingTime` (the latest rating
/// of the data), so `movie_age_at_rating` is "age of the movie now".
struct ServingFeatures: Sendable {
    let options: FeatureOptions
    let inference: FeatureInference

    var schema: FeatureSchema { inference.schema }
    var sums: RatingSums { inference.context.sums }
    var mf: BiasedMF? { inference.context.mf }
    var clusters: ClusterContext? { inference.context.clusters }

    init(options: FeatureOptions, inference: FeatureInference) {
        self.options = options
        self.inference = inference
    }

    /// Fits the serving statistics on every rating of `dataset` (`FeatureBuilder.inferenceContext`,
    /// the statistics `FeatureBuilder.build` uses for test rows).
    static func fit(dataset: Dataset, options: FeatureOptions) throws -> ServingFeatures {
        ServingFeatures(options: options,
                        inference: try FeatureBuilder.inferenceContext(dataset: dataset, trainRows: Array(0..<dataset.ratingCount), options: options))
    }

    /// The feature matrix of the pairs (users[i], movies[i]), at the catalogue's serving time.
    func matrix(users: [Int32], movies: [Int32], catalog: Catalog, threads: Int? = 1) throws -> FeatureMatrix {
        try inference.features(pairs: zip(users, movies).map { (user: Int($0.0), movie: Int($0.1)) }, time: catalog.servingTime,
                               threads: threads)
    }

    // MARK: binary form

    func encode(into w: inout BinaryWriter) {
        let o = options
        w.write(o.likeThreshold); w.write(Int64(o.innerFolds)); w.write(o.moviePrior); w.write(o.userPrior); w.write(o.genrePrior)
        w.write(o.matrixFactorization)
        w.write(Int64(o.mf.factors)); w.write(Int64(o.mf.epochs)); w.write(o.mf.learningRate)
        w.write(o.mf.factorRegularization); w.write(o.mf.biasRegularization); w.write(o.mf.initialScale); w.write(o.mf.seed)
        w.write(o.clusters); w.write(Int64(o.genreClusters)); w.write(Int64(o.ratingClusters)); w.write(o.clusterShrinkage)
        w.write(o.seed)
        w.write(strings: schema.names)
        let s = sums
        w.write(Int64(s.genreCount))
        for a in [s.userN, s.userSum, s.userSq, s.userLikes, s.movieN, s.movieSum, s.movieSq, s.movieLikes, s.userGenreN, s.userGenreSum] {
            w.write(array: a)
        }
        w.write(s.n); w.write(s.sum); w.write(s.sq); w.write(s.likes)
        w.write(mf != nil)
        if let mf {
            w.write(mf.mean); w.write(Int64(mf.factors))
            w.write(array: mf.userBias); w.write(array: mf.itemBias); w.write(array: mf.userFactors); w.write(array: mf.itemFactors)
            w.write(array: mf.userSeen.map { UInt8($0 ? 1 : 0) }); w.write(array: mf.itemSeen.map { UInt8($0 ? 1 : 0) })
        }
        w.write(clusters != nil)
        if let c = clusters {
            w.write(Int64(c.genreAffinity.k)); w.write(Int64(c.ratingAffinity.k))
            w.write(array: c.genreLabels); w.write(array: c.ratingLabels)
            w.write(Self.affinityChecksum(c))
        }
    }

    /// Decodes the statistics; the cluster × movie affinity is recomputed from the catalogue's
    /// ratings and the stored labels (a one-hot × sparse product, about a millisecond on
    /// ml-latest-small) and must reproduce the checksum recorded at training time.
    static func decode(_ r: inout BinaryReader, catalog: Catalog) throws -> ServingFeatures {
        var o = FeatureOptions()
        o.likeThreshold = try r.readFloat("like threshold")
        o.innerFolds = Int(try r.read(Int64.self, "inner folds"))
        o.moviePrior = try r.readDouble(); o.userPrior = try r.readDouble(); o.genrePrior = try r.readDouble()
        o.matrixFactorization = try r.readBool()
        o.mf.factors = Int(try r.read(Int64.self, "mf factors")); o.mf.epochs = Int(try r.read(Int64.self, "mf epochs"))
        o.mf.learningRate = try r.readFloat(); o.mf.factorRegularization = try r.readFloat()
        o.mf.biasRegularization = try r.readFloat(); o.mf.initialScale = try r.readFloat(); o.mf.seed = try r.read(UInt64.self)
        o.clusters = try r.readBool()
        o.genreClusters = Int(try r.read(Int64.self, "genre clusters")); o.ratingClusters = Int(try r.read(Int64.self, "rating clusters"))
        o.clusterShrinkage = try r.readDouble()
        o.seed = try r.read(UInt64.self)
        let names = try r.readStrings("feature names")
        let template = catalog.dataset()
        let schema = FeatureSchema(dataset: template, options: o)
        guard schema.names == names else {
            throw BinaryFormatError.invalid("the stored feature columns (\(names.count)) differ from this build's schema (\(schema.count)): retrain the bundle")
        }
        let g = Int(try r.read(Int64.self, "genre count"))
        guard g == schema.genreCount else { throw BinaryFormatError.invalid("genre count \(g) ≠ \(schema.genreCount)") }
        var s = RatingSums(users: 0, movies: 0, genres: g)
        let u = catalog.userCount, m = catalog.movieCount
        func arr(_ what: String, _ count: Int) throws -> [Double] {
            let a = try r.readArray(Double.self, what)
            guard a.count == count else { throw BinaryFormatError.invalid("\(what): \(a.count) values, expected \(count)") }
            return a
        }
        s.userN = try arr("user counts", u); s.userSum = try arr("user sums", u); s.userSq = try arr("user squares", u)
        s.userLikes = try arr("user likes", u)
        s.movieN = try arr("movie counts", m); s.movieSum = try arr("movie sums", m); s.movieSq = try arr("movie squares", m)
        s.movieLikes = try arr("movie likes", m)
        s.userGenreN = try arr("user-genre counts", u * g); s.userGenreSum = try arr("user-genre sums", u * g)
        s.n = try r.readDouble(); s.sum = try r.readDouble(); s.sq = try r.readDouble(); s.likes = try r.readDouble()
        var mf: BiasedMF? = nil
        if try r.readBool("mf present") {
            let mean = try r.readFloat()
            let k = Int(try r.read(Int64.self, "mf factors"))
            let ub = try r.readArray(Float.self, "user biases"), ib = try r.readArray(Float.self, "movie biases")
            let uf = try r.readArray(Float.self, "user factors"), mfF = try r.readArray(Float.self, "movie factors")
            let us = try r.readArray(UInt8.self, "users seen"), ms = try r.readArray(UInt8.self, "movies seen")
            let (uk, o1) = u.multipliedReportingOverflow(by: max(0, k)), (mk, o2) = m.multipliedReportingOverflow(by: max(0, k))
            guard k >= 0, !o1, !o2, ub.count == u, ib.count == m, uf.count == uk, mfF.count == mk, us.count == u, ms.count == m else {
                throw BinaryFormatError.invalid("factorisation arrays do not match \(u) users × \(m) movies × \(k) factors")
            }
            mf = BiasedMF(mean: mean, factors: k, userBias: ub, itemBias: ib, userFactors: uf, itemFactors: mfF,
                          userSeen: us.map { $0 != 0 }, itemSeen: ms.map { $0 != 0 })
        }
        guard (mf != nil) == o.matrixFactorization else { throw BinaryFormatError.invalid("factorisation presence disagrees with the options") }
        var clusters: ClusterContext? = nil
        if try r.readBool("clusters present") {
            let kg = Int(try r.read(Int64.self, "genre k")), kr = Int(try r.read(Int64.self, "rating k"))
            let gl = try r.readArray(Int32.self, "genre labels"), rl = try r.readArray(Int32.self, "rating labels")
            let expected = try r.read(UInt32.self, "affinity checksum")
            guard kg >= 1, kr >= 1, gl.count == u, rl.count == u,
                  gl.allSatisfy({ $0 >= 0 && Int($0) < kg }), rl.allSatisfy({ $0 >= 0 && Int($0) < kr }) else {
                throw BinaryFormatError.invalid("cluster labels do not match \(u) users and k = \(kg)/\(kr)")
            }
            let raw = try UserMovieMatrix.build(catalog.ratingsDataset(), values: .raw)
            let c = try ClusterContext(raw: raw, genreLabels: gl, genreClusters: kg, ratingLabels: rl, ratingClusters: kr, options: o)
            let found = affinityChecksum(c)
            guard found == expected else {
                throw BinaryFormatError.invalid("the cluster × movie affinity rebuilt from the stored ratings does not match the trained one (CRC \(BundleError.hex(found)) ≠ \(BundleError.hex(expected)))")
            }
            clusters = c
        }
        guard (clusters != nil) == o.clusters else { throw BinaryFormatError.invalid("cluster presence disagrees with the options") }
        let context = FeatureContext(sums: s, mf: mf, clusters: clusters, schema: schema, options: o)
        return ServingFeatures(options: o, inference: FeatureInference(
            schema: schema, trainRowCount: Int(s.n), referenceTime: catalog.servingTime, context: context, dataset: template))
    }

    /// CRC-32C of both affinities' shrunk means (what the features read).
    static func affinityChecksum(_ c: ClusterContext) -> UInt32 {
        var crc = CRC32C()
        crc.update(c.genreAffinity.rating.shrunkMeans.storage); crc.update(c.genreAffinity.like.shrunkMeans.storage)
        crc.update(c.ratingAffinity.rating.shrunkMeans.storage); crc.update(c.ratingAffinity.like.shrunkMeans.storage)
        return crc.checksum
    }
}
