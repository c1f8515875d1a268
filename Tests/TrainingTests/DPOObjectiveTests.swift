import Foundation
import Testing
@testable import Training

/// The DPO objective against PyTorch autograd (Tests/Reference/dpo_loss_reference.py): loss, gradients with respect
/// to the policy log-probs and TRL's reward metrics, for every variant.
@Suite struct DPOObjectiveTests {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var kind: String
            var beta: Double
            var nll_weight: Double
            var loss: Double
            var grad_chosen: [Double]
            var grad_rejected: [Double]
            var rewards_chosen: Double
            var rewards_rejected: Double
            var rewards_accuracies: Double
            var rewards_margins: Double
        }
        var policy_chosen: [Double]
        var policy_rejected: [Double]
        var reference_chosen: [Double]
        var reference_rejected: [Double]
        var chosen_tokens: [Int]
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/dpo_loss_reference", withExtension: "json"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 + 1e-9 * abs(b) }

    @Test func lossGradientsAndMetricsMatchPyTorchForEveryVariant() throws {
        let fixture = try Self.fixture()
        let pairs = fixture.policy_chosen.indices.map {
            PreferenceLogProbs(policyChosen: fixture.policy_chosen[$0], policyRejected: fixture.policy_rejected[$0],
                               referenceChosen: fixture.reference_chosen[$0],
                               referenceRejected: fixture.reference_rejected[$0],
                               chosenTokens: fixture.chosen_tokens[$0])
        }
        #expect(fixture.cases.count == 12)
        for reference in fixture.cases {
            let kind = try #require(DPOLossKind(rawValue: reference.kind))
            let result = DPOObjective(kind: kind, beta: reference.beta, nllWeight: reference.nll_weight).evaluate(pairs)
            let label = "\(reference.kind) β \(reference.beta) α \(reference.nll_weight)"
            #expect(close(result.loss, reference.loss), "\(label): loss \(result.loss) vs \(reference.loss)")
            for (swift, torch) in zip(result.gradChosen, reference.grad_chosen) {
                #expect(close(swift, torch), "\(label): d/dchosen \(swift) vs \(torch)")
            }
            for (swift, torch) in zip(result.gradRejected, reference.grad_rejected) {
                #expect(close(swift, torch), "\(label): d/drejected \(swift) vs \(torch)")
            }
            #expect(close(result.metrics["rewards/chosen"]!, reference.rewards_chosen), "\(label)")
            #expect(close(result.metrics["rewards/rejected"]!, reference.rewards_rejected), "\(label)")
            #expect(close(result.metrics["rewards/accuracies"]!, reference.rewards_accuracies), "\(label)")
            #expect(close(result.metrics["rewards/margins"]!, reference.rewards_margins), "\(label)")
        }
    }

    @Test func sigmoidLossIsStableForLargeMargins() {
        let objective = DPOObjective(kind: .sigmoid, beta: 1)
        let (low, lowSlope) = objective.lossAndSlope(-1000)
        let (high, highSlope) = objective.lossAndSlope(1000)
        #expect(low == 1000 && lowSlope == -1)
        #expect(high == 0 && highSlope == 0)
    }
}
