import Testing
@testable import State

@Test func StateSkeletonBuilds() {}
