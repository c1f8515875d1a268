import Testing
@testable import Messaging

@Test func MessagingSkeletonBuilds() {}
