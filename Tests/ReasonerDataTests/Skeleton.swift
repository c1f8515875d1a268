import Testing
@testable import ReasonerData

@Test func ReasonerDataSkeletonBuilds() {}
