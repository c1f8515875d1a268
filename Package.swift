// swift-tools-version:6.0
// Reasoner: vision-language chain-of-thought training (arXiv 2410.16198) as a fleet of Swift workers.
import PackageDescription

/// Project-wide Swift settings: Swift 6 language mode is the tools-version default; warnings are kept visible.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Reasoner",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "reasoner", targets: ["ReasonerCLI"]),
        .executable(name: "reasoner-bench", targets: ["ReasonerBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: C libraries (Debian 12 packages named as apt providers, found through pkg-config)
        .systemLibrary(name: "CAMQP", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

        // MARK: Safe wrappers (each library's raw C calls live in one folder of one module)
        .target(name: "Messaging", dependencies: ["CAMQP", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "State", dependencies: ["CHiredis"], swiftSettings: strict),
        .target(name: "Tensor", dependencies: ["COpenBLAS"], swiftSettings: strict),
        .target(name: "HTTP", dependencies: ["CCurl"], swiftSettings: strict),
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG"], swiftSettings: strict),

        // MARK: Reasoning data and models
        .target(name: "Tokenization", swiftSettings: strict),
        .target(name: "ReasonerData", dependencies: ["Imaging"], swiftSettings: strict),

        // MARK: Command line
        .executableTarget(name: "ReasonerCLI", dependencies: [
            "ReasonerData", "Tensor", "Imaging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        .executableTarget(name: "ReasonerBench", dependencies: [
            "Tensor", "ReasonerData", "Tokenization", "Messaging", "State", "HTTP", "Imaging",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "MessagingTests", dependencies: ["Messaging"], swiftSettings: strict),
        .testTarget(name: "StateTests", dependencies: ["State"], swiftSettings: strict),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"], swiftSettings: strict),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strict),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "ReasonerDataTests", dependencies: ["ReasonerData"], swiftSettings: strict),
    ]
)
