// swift-tools-version:6.0
//
// MovieRec — a native Swift recommendation engine.
//
// Build flags: the numeric targets are compiled with `-march=native` so that Swift SIMD types
// lower to the CPU's vector units (without it `SIMD.addingProduct` becomes a call to `fmaf`
// and SIMD loops run ~100x slower). For a binary that runs on any x86-64 / arm64 machine, build
// with `MOVIEREC_PORTABLE=1 swift build -c release` (see README, "Portable builds").
import PackageDescription

let portable = Context.environment["MOVIEREC_PORTABLE"].map { $0 != "0" && !$0.isEmpty } ?? false
let native: [SwiftSetting] = portable ? [] : [.unsafeFlags(["-Xcc", "-march=native"])]
let nativeC: [CSetting] = portable ? [] : [.unsafeFlags(["-march=native"])]

let package = Package(
    name: "MovieRec",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "movierec", targets: ["movierec"]),
        .executable(name: "movierec-bench", targets: ["movierec-bench"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "Boosting", targets: ["Boosting"]),
        .library(name: "Clustering", targets: ["Clustering"]),
        .library(name: "Similarity", targets: ["Similarity"]),
        .library(name: "Factorization", targets: ["Factorization"]),
        .library(name: "MovieLens", targets: ["MovieLens"]),
        .library(name: "Recommender", targets: ["Recommender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // OpenBLAS + LAPACKE, wrapped by a module map. apt: libopenblas-dev liblapacke-dev.
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // Processor hints (cache prefetch) for hot loops: a header of static inline C, nothing to link.
        .systemLibrary(name: "CHints"),
        // Shared primitives with no domain knowledge: parallel loops, atomic files, checksums,
        // binary encoding. Every other module may use it.
        .target(name: "Runtime", swiftSettings: native),
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS", "Runtime"], swiftSettings: native),
        .target(name: "Boosting", dependencies: ["Runtime"], swiftSettings: native),
        .target(name: "Clustering", dependencies: ["LinearAlgebra", "Runtime", "CHints"], swiftSettings: native),
        .target(name: "Similarity", dependencies: ["LinearAlgebra", "Runtime"], swiftSettings: native),
        // Matrix factorisation: implicit and explicit ALS, fold-in of new users.
        .target(name: "Factorization", dependencies: ["LinearAlgebra", "Runtime"], swiftSettings: native),
        .target(
            name: "MovieLens",
            dependencies: ["Runtime", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: native
        ),
        .target(
            name: "Recommender",
            dependencies: [
                "MovieLens", "LinearAlgebra", "Boosting", "Clustering", "Similarity", "Factorization", "Runtime", "CHints",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: native
        ),
        .executableTarget(
            name: "movierec",
            dependencies: [
                "Recommender", "MovieLens", "Boosting", "Clustering", "Similarity", "Factorization", "LinearAlgebra",
                "Runtime", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: native
        ),
        .executableTarget(
            name: "movierec-bench",
            dependencies: ["LinearAlgebra", "Boosting", "Clustering", "Similarity", "Factorization", "MovieLens", "Runtime"],
            path: "Benchmarks/movierec-bench",
            swiftSettings: native
        ),
        // Serving latency of a model bundle: load, recommend per model, predict (medians).
        .executableTarget(
            name: "movierec-serve-bench",
            dependencies: ["Recommender"],
            path: "Benchmarks/serve-bench",
            swiftSettings: native
        ),
        // Test-only helpers: locating the shared MovieLens data, temporary directories.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "TestSupport"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["TestSupport", "LinearAlgebra"]),
        .testTarget(name: "BoostingTests", dependencies: ["TestSupport", "Boosting"]),
        .testTarget(name: "ClusteringTests", dependencies: ["TestSupport", "Clustering", "LinearAlgebra"]),
        .testTarget(name: "FactorizationTests", dependencies: ["TestSupport", "Factorization", "LinearAlgebra"]),
        .testTarget(name: "SimilarityTests", dependencies: ["TestSupport", "Similarity", "LinearAlgebra"]),
        .testTarget(
            name: "MovieLensTests",
            dependencies: ["TestSupport", "MovieLens", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "RecommenderTests", dependencies: ["TestSupport", "Recommender", "MovieLens"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "movierec"]),
    ]
)
