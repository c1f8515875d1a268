import Testing
@testable import Tokenization

@Test func TokenizationSkeletonBuilds() {}
