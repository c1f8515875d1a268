// swift-tools-version:6.0
// Reasoner: vision-language chain-of-thought training (arXiv 2410.16198) as a fleet of Swift workers.
import PackageDescription

/// Project-wide Swift settings: Swift 6 language mode is the tools-version default; warnings are kept visible.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// What every worker executable needs: the pipeline library and the command-line parser.
let workerDependencies: [Target.Dependency] = [
    "Pipeline", .product(name: "ArgumentParser", package: "swift-argument-parser"),
]

let package = Package(
    name: "Reasoner",
    platforms: [.macOS(.v15)],  // Synchronization.Mutex
    products: [
        .executable(name: "reasoner", targets: ["ReasonerCLI"]),
        .executable(name: "reasoner-bench", targets: ["ReasonerBench"]),
        .executable(name: "distiller", targets: ["distiller"]),
        .executable(name: "judge", targets: ["judge"]),
        .executable(name: "coordinator", targets: ["coordinator"]),
        .executable(name: "sampler", targets: ["sampler"]),
        .executable(name: "evaluator", targets: ["evaluator"]),
        .executable(name: "sft-trainer", targets: ["sft-trainer"]),
        .executable(name: "dpo-trainer", targets: ["dpo-trainer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: C libraries (Debian 12 packages named as apt providers, found through pkg-config)
        .systemLibrary(name: "CAMQP", pkgConfig: "librabbitmq", providers: [.apt(["librabbitmq-dev"])]),
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),  // linked in module.modulemap
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"])]),

        // MARK: Safe wrappers (each library's raw C calls live in one folder of one module)
        .target(name: "Messaging", dependencies: ["CAMQP", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "State", dependencies: ["CHiredis"], swiftSettings: strict),
        // Release builds of the engine: no bounds checks in hot loops (they use raw pointers and checked shapes) and
        // AVX2 + FMA code generation (Zen 3 / Haswell and newer).
        .target(name: "Tensor", dependencies: ["COpenBLAS"], swiftSettings: strict + [
            .unsafeFlags(["-Ounchecked", "-target-cpu", "haswell"], .when(configuration: .release)),
        ]),
        .target(name: "HTTP", dependencies: ["CCurl"], swiftSettings: strict),
        // Child processes for tests that run real executables and scripts, and bit-for-bit comparisons.
        .target(name: "TestSupport", swiftSettings: strict),
        // An HTTP/1.1 server on POSIX sockets (`reasoner serve`), and the scripted loopback server built on it that
        // HTTPTests, the teacher tests and the http-throughput benchmark use.
        .target(name: "HTTPServer", swiftSettings: strict),
        .target(name: "HTTPTestServer", dependencies: ["HTTPServer"], swiftSettings: strict),
        .target(name: "Imaging", dependencies: ["CPNG", "CJPEG"], swiftSettings: strict),

        // MARK: The shared volume
        .target(name: "Artifacts", dependencies: [.product(name: "Crypto", package: "swift-crypto")],
                swiftSettings: strict),

        // MARK: Reasoning data and models
        .target(name: "Tokenization", swiftSettings: strict),
        .target(name: "ReasonerData", dependencies: ["Imaging"], swiftSettings: strict),
        // Real data in and out: `reasoner data import` / `export` (checked rows, confined image paths, atomic folders).
        .target(name: "DatasetIO", dependencies: ["ReasonerData", "Artifacts", "Imaging"], swiftSettings: strict),

        .target(name: "Model", dependencies: ["Tensor", "Tokenization", "Imaging", "Artifacts"],
                swiftSettings: strict),

        // Pretraining, SFT mixes, DPO, chain sampling, evaluation and the verifier: what trainer, sampler and
        // evaluator workers and the experiment runner call.
        .target(name: "Training", dependencies: ["Model", "Tensor", "Tokenization", "ReasonerData", "Imaging"],
                swiftSettings: strict),

        .target(name: "Teacher", dependencies: ["Artifacts", "State", "HTTP"], swiftSettings: strict),

        // `reasoner serve`: a student behind an OpenAI-compatible chat-completions endpoint.
        .target(name: "StudentServing", dependencies: ["Model", "Tokenization", "Imaging", "Tensor", "HTTPServer"],
                swiftSettings: strict),

        // MARK: The fleet
        .target(name: "Pipeline", dependencies: [
            "Messaging", "State", "Artifacts", "ReasonerData", "Teacher", "HTTP", "Model", "Tokenization", "Imaging", "Training",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),

        // MARK: Worker executables (thin: options and environment, then library code)
        .executableTarget(name: "distiller", dependencies: workerDependencies, path: "workers/distiller",
                          swiftSettings: strict),
        .executableTarget(name: "judge", dependencies: workerDependencies, path: "workers/judge", swiftSettings: strict),
        .executableTarget(name: "coordinator", dependencies: workerDependencies, path: "workers/coordinator",
                          swiftSettings: strict),
        .executableTarget(name: "sampler", dependencies: workerDependencies, path: "workers/sampler",
                          swiftSettings: strict),
        .executableTarget(name: "evaluator", dependencies: workerDependencies, path: "workers/evaluator",
                          swiftSettings: strict),
        .executableTarget(name: "sft-trainer", dependencies: workerDependencies, path: "workers/sft-trainer",
                          swiftSettings: strict),
        .executableTarget(name: "dpo-trainer", dependencies: workerDependencies, path: "workers/dpo-trainer",
                          swiftSettings: strict),

        // MARK: Command line
        .executableTarget(name: "ReasonerCLI", dependencies: [
            "ReasonerData", "DatasetIO", "StudentServing", "Tensor", "Imaging", "Pipeline", "Training", "Artifacts",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),

        .executableTarget(name: "ReasonerBench", dependencies: [
            "Tensor", "ReasonerData", "Tokenization", "Messaging", "State", "HTTP", "HTTPTestServer", "Imaging", "Teacher",
            "Pipeline", "Model", "Artifacts",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "MessagingTests", dependencies: ["Messaging", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DeploymentTests", dependencies: ["Pipeline", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "StateTests", dependencies: ["State", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "HTTPTestServer"], swiftSettings: strict),
        .testTarget(name: "PipelineTests", dependencies: [
            "Pipeline", "ReasonerData", "Teacher", "HTTP", "HTTPTestServer", "TestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .testTarget(name: "FleetTests", dependencies: [
            "Pipeline", "ReasonerData", "Artifacts", "Messaging", "State", "TestSupport", "Model",
        ], swiftSettings: strict),
        .testTarget(name: "TeacherTests", dependencies: ["Teacher", "State", "HTTP", "HTTPTestServer", "Artifacts"],
                    swiftSettings: strict),
        .testTarget(name: "ArtifactsTests", dependencies: ["Artifacts"], swiftSettings: strict),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strict),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization"], resources: [.copy("Fixtures")],
                    swiftSettings: strict),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"], resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Model", "Tensor", "Tokenization", "ReasonerData", "Imaging",
                                                   "TestSupport"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
        .testTarget(name: "ServeTests", dependencies: ["StudentServing", "HTTP", "Model", "Tokenization", "Imaging"],
                    swiftSettings: strict),
        .testTarget(name: "ReasonerDataTests", dependencies: ["ReasonerData", "DatasetIO", "Imaging"],
                    resources: [.copy("Fixtures")], swiftSettings: strict),
    ]
)
