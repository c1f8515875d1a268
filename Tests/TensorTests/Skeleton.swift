import Testing
@testable import Tensor

@Test func TensorSkeletonBuilds() {}
