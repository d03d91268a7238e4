import Boosting
import Foundation
import MovieLens
import Runtime
import Similarity

/// Trains every model of a bundle on all the ratings of a data set ("train everything").
///
/// Stages (each reported to `progress` and timed in the manifest):
/// 1. `features` — leak-free features of every rating (out-of-fold statistics, `FeatureBuilder`);
/// 2. `classifier`, `regressor` — the boosted like-classifier and rating regressor on them;
/// 3. `serving statistics` — the whole-data statistics, factorisation and user clusters that
///    describe a (user, movie) pair at serving time (`ServingFeatures`), the genre clusters' centres;
/// 4. `similar movies` — TF-IDF of genres, tags and title words, top neighbours of every movie;
/// 5. the catalogue (movies, users, seen lists) and popularity.
///
/// The manifest's `metrics` hold the models' fit on the training features (`*.train_*`; the
/// features are out-of-fold, but the trees saw these rows — for honest numbers run `evaluate`).
public enum ModelTrainer {
    /// Trains the bundle's models on every rating of `dataset`.
    public static func train(dataset original: Dataset, options: TrainingOptions = TrainingOptions(),
                             progress: any ProgressReporter = SilentProgress()) throws -> ModelBundle {
        // Every model is trained on the catalogue's canonical ratings (one per user and movie,
        // ordered by user and movie), which a loaded bundle rebuilds bit for bit.
        let catalog = Catalog(original)
        let dataset = catalog.ratingsDataset()
        guard dataset.ratingCount >= 2 * max(2, options.features.innerFolds) else {
            throw RecommenderError.insufficientData("\(dataset.ratingCount) ratings are too few to train on")
        }
        let threads = Threads.resolve(options.threads)
        var timer = StageTimer()
        var featureOptions = options.features
        featureOptions.seed = options.seed
        featureOptions.threads = threads

        let all = Array(0..<dataset.ratingCount)
        let data = try progress.stage("features") {
            try timer.measure("features") {
                try TrainingRows.build(dataset: dataset, options: featureOptions, limit: options.boostRowLimit)
            }
        }
        var cp = options.classifier
        cp.objective = .binaryLogistic
        var rp = options.regressor
        rp.objective = .squaredError
        let (classifier, regressor) = try boostBoth(data, classifier: cp, regressor: rp, seed: options.seed, threads: threads,
                                                    timer: &timer, progress: progress)

        var metrics: [String: Double] = [:]
        try progress.stage("train metrics") { try timer.measure("train metrics") {
            let p = try classifier.predict(data.train, threads: threads)
            let r = try regressor.predict(data.train, threads: threads)
            metrics["classifier.train_auc"] = Metrics.auc(scores: p, labels: data.trainLike)
            metrics["classifier.train_logloss"] = Metrics.logloss(probabilities: p, labels: data.trainLike)
            metrics["regressor.train_rmse"] = Metrics.rmse(predictions: r, targets: data.trainRating)
        } }

        let serving = try progress.stage("serving statistics") {
            try timer.measure("serving statistics") { try ServingFeatures.fit(dataset: dataset, options: featureOptions) }
        }
        let centroids = try timer.measure("genre centroids") { try genreCentroids(dataset, labels: serving.clusters?.genreLabels) }
        let similar = try progress.stage("similar movies", total: nil) {
            try timer.measure("similar movies") {
                try neighbourLists(original, k: options.similarNeighbours, options: options, threads: threads)
            }
        }
        var rankers: RankerComponents? = nil
        if options.rankers {
            var hybridOptions = options.hybrid
            hybridOptions.features = featureOptions
            hybridOptions.seed = options.seed
            hybridOptions.threads = threads
            hybridOptions.als.seed = options.seed
            hybridOptions.als.threads = threads
            hybridOptions.als.backend = options.backend
            if dataset.ratingCount > options.hybridNegativeRatings {
                hybridOptions.negativeRate *= Double(options.hybridNegativeRatings) / Double(dataset.ratingCount)
            }
            let lists = RatingLists(dataset: dataset, rows: all)
            let als = try progress.stage("ALS") {
                try timer.measure("als") { try ALSRanker.fit(lists, parameters: hybridOptions.als, progress: progress) }
            }
            let hybrid = try timer.measure("hybrid") {
                try TwoStageHybridRanker.fit(dataset: dataset, trainRows: all, options: hybridOptions, als: als, progress: progress)
            }
            var catalogue = [Bool](repeating: false, count: dataset.movieCount)
            for m in dataset.ratingMovie { catalogue[Int(m)] = true }
            let notebook = try progress.stage("notebook hybrid") {
                try timer.measure("notebook hybrid") {
                    let tuning = UserSubset.dataset(dataset, ratings: options.notebookTuningRatings, seed: options.seed)
                    return try NotebookHybridRanker.fit(
                        dataset: tuning, trainRows: Array(0..<tuning.ratingCount),
                        final: ClassifierRanker(inference: serving.inference, classifier: classifier, catalogue: catalogue),
                        features: featureOptions, booster: cp, tuningUsers: options.notebookTuningUsers, seed: options.seed,
                        threads: threads)
                }
            }
            metrics["notebook_hybrid.weight"] = Double(notebook.weight)
            rankers = RankerComponents(als: als, hybrid: hybrid, hybridOptions: hybridOptions, notebook: notebook)
        }
        let popularity = Popularity(catalog, likeThreshold: featureOptions.likeThreshold)

        let manifest = BundleManifest(
            format: BundleManifest.formatName, formatVersion: BundleManifest.currentVersion,
            createdAt: ISO8601DateFormatter().string(from: Date()),
            dataset: .init(source: options.source, format: original.format.rawValue, users: original.userCount,
                           movies: original.movieCount, ratings: original.ratingCount, crc32c: BundleError.hex(original.fingerprint)),
            featureSchema: serving.schema.names, parameters: options.parameterStrings, metrics: metrics,
            trainingSeconds: Dictionary(uniqueKeysWithValues: timer.order.map { ($0, timer.seconds[$0] ?? 0) }),
            models: [], files: [])
        var bundle = ModelBundle(manifest: manifest, catalog: catalog, classifier: classifier, regressor: regressor,
                                 features: serving, genreCentroids: centroids, similar: similar, popularity: popularity, rankers: rankers)
        bundle.manifest.models = bundle.servableModels.map(\.rawValue)
        return bundle
    }

    /// Trains the classifier and the regressor on one binning of `data.train` (the sketch uses
    /// the shared seed, so each model is bitwise the one `BoostedModel.train(features:…)` gives).
    /// With 2 or more threads both train at once, each on half the threads, as cross-validation
    /// does: trees over ~10⁵ rows have many nodes too small to split across threads.
    static func boostBoth(_ data: FoldFeatures, classifier cp: BoostingParameters, regressor rp: BoostingParameters,
                          seed: UInt64, threads: Int, timer: inout StageTimer,
                          progress: any ProgressReporter) throws -> (BoostedModel, BoostedModel) {
        let concurrent = threads >= 2
        var jobs = [(cp, data.trainLike, "classifier"), (rp, data.trainRating, "regressor")]
        for j in jobs.indices {
            jobs[j].0.seed = seed
            jobs[j].0.threads = concurrent ? max(1, threads / 2) : threads
        }
        let binned = try progress.stage("binning") {
            try timer.measure("binning") {
                guard cp.maxBin == rp.maxBin, cp.sketchRows == rp.sketchRows else {
                    throw RecommenderError.invalidArgument("the classifier and the regressor must share max_bin and sketch rows")
                }
                return BinnedMatrix(data.train, cuts: BinCuts.sketch(data.train, maxBin: cp.maxBin, sampleRows: cp.sketchRows,
                                                                     seed: seed, threads: threads), threads: threads)
            }
        }
        let pair = try progress.stage("classifier + regressor", total: cp.rounds + rp.rounds) {
            try ModelPairTraining.train(binned: binned, featureNames: data.train.names,
                                        jobs: jobs.map { ModelPairTraining.Job(parameters: $0.0, labels: $0.1, name: $0.2) },
                                        concurrent: concurrent, advance: { progress.advance(1) })
        }
        timer.add("classifier", pair.seconds[0])
        timer.add("regressor", pair.seconds[1])
        return (pair.models[0], pair.models[1])
    }

    /// Mean genre-average row of each genre cluster's members (users without ratings have the
    /// global mean in every column, as in the clustering itself).
    static func genreCentroids(_ dataset: Dataset, labels: [Int32]?) throws -> GenreCentroids {
        let matrix = UserGenreMatrix(dataset).matrix
        let g = matrix.cols
        guard let labels, let k = labels.max().map({ Int($0) + 1 }), labels.count == matrix.rows else {
            return try GenreCentroids(values: [Float](repeating: 0, count: g), k: 1, genres: g)
        }
        var sums = [Double](repeating: 0, count: k * g), counts = [Double](repeating: 0, count: k)
        for u in 0..<matrix.rows {
            let c = Int(labels[u])
            guard c >= 0, c < k else { continue }
            counts[c] += 1
            for j in 0..<g { sums[c * g + j] += Double(matrix[u, j]) }
        }
        return try GenreCentroids(values: (0..<(k * g)).map { Float(counts[$0 / g] > 0 ? sums[$0] / counts[$0 / g] : 0) }, k: k, genres: g)
    }

    /// Top-`k` TF-IDF cosine neighbours of every movie (genres, tags, title words).
    static func neighbourLists(_ dataset: Dataset, k: Int, options: TrainingOptions, threads: Int) throws -> NeighbourLists {
        let model = try TfidfVectorizer().fitTransform(MovieDocuments(dataset).documents)
        let nb = try CosineNeighbours(vectors: model.matrix, k: max(1, min(k, max(1, dataset.movieCount - 1))),
                                      backend: options.backend, threads: threads)
        var offsets: [Int64] = [0], index: [Int32] = [], score: [Float] = []
        for m in 0..<dataset.movieCount {
            for (j, s) in try nb.neighbours(of: m) {
                index.append(Int32(j))
                score.append(s)
            }
            offsets.append(Int64(index.count))
        }
        return try NeighbourLists(offsets: offsets, index: index, score: score)
    }
}
