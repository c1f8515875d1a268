@testable import ReasonerData

/// Small suites shared by the tests (generated, never read from disk).
enum SuiteFixtures {
    /// A config with `test` scenes per family and nothing else.
    static func config(seed: UInt64 = 7, test: Int = 300, difficulty: Difficulty = .medium) -> SuiteConfig {
        var config = SuiteConfig()
        config.seed = seed
        config.train = 0
        config.validation = 0
        config.test = test
        config.formatPerFamily = 0
        config.pretrainPerFamily = 0
        config.difficulty = difficulty
        return config
    }

    /// Test items of every family.
    static func items(seed: UInt64 = 7, test: Int = 300, difficulty: Difficulty = .medium) throws -> [SuiteItem] {
        let generator = try SuiteGenerator(config: config(seed: seed, test: test, difficulty: difficulty))
        return try Family.allCases.flatMap { try generator.generate($0).items[.test] ?? [] }
    }
}
