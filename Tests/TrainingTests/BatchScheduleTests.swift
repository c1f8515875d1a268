import Testing
@testable import Training

/// Batches of the presets mix lengths (bucketed batches kept the student from reading its images: docs/seeing.md).
@Suite struct BatchScheduleTests {
    /// 3-, 4- and 5-bar captions, interleaved, as the suite's caption lengths are.
    let lengths = (0..<960).map { 20 + 3 * ($0 % 3) }

    func distinctLengthsPerBatch(window: Int, batchSize: Int) -> [Int] {
        BatchSchedule(lengths: lengths, batchSize: batchSize, window: window, seed: 1).epoch(0)
            .map { Set($0.map { lengths[$0] }).count }
    }

    @Test func unbucketedBatchesMixLengths() throws {
        #expect(OptimizationConfig(steps: 1, batchSize: 1, learningRate: 1).bucketWindow == 1, "the default")
        for batchSize in [8, 16, 32] {
            #expect(distinctLengthsPerBatch(window: 1, batchSize: batchSize).allSatisfy { $0 > 1 })
        }
    }

    @Test func bucketingOnRequestGivesBatchesOfOneLength() {
        #expect(distinctLengthsPerBatch(window: 16, batchSize: 32).filter { $0 == 1 }.count >= 25)
        let epoch = BatchSchedule(lengths: lengths, batchSize: 32, window: 16, seed: 1).epoch(0)
        #expect(Set(epoch.joined()).count == lengths.count, "every example once per epoch")
    }
}
