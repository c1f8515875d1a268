import Foundation

/// The DPO family of preference losses on summed response log-probabilities (Rafailov et al. 2023; IPO: Azar et
/// al. 2023; hinge: SLiC, Zhao et al. 2023), in TRL's conventions, with their gradients written out so the trainer
/// can seed back-propagation through the policy's log-probs.
///
/// With `h = (log π(y⁺) − log π_ref(y⁺)) − (log π(y⁻) − log π_ref(y⁻))`:
/// - sigmoid: `−log σ(β h)` (the paper's loss)
/// - IPO: `(h − 1/(2β))²`
/// - hinge: `max(0, 1 − β h)`
///
/// and optionally `+ α · (−log π(y⁺) / |y⁺|)`, the NLL of the chosen response per token (TRL's `rpo_alpha`).
/// Losses are averaged over the batch.
public enum DPOLossKind: String, Codable, Sendable, CaseIterable {
    /// −log σ(β h).
    case sigmoid
    /// (h − 1/(2β))².
    case ipo
    /// max(0, 1 − β h).
    case hinge
}

/// One pair's four summed log-probabilities and the chosen response's token count.
public struct PreferenceLogProbs: Codable, Sendable, Equatable {
    /// log π(y⁺|x) under the policy.
    public var policyChosen: Double
    /// log π(y⁻|x) under the policy.
    public var policyRejected: Double
    /// log π_ref(y⁺|x).
    public var referenceChosen: Double
    /// log π_ref(y⁻|x).
    public var referenceRejected: Double
    /// Tokens of the chosen response (the NLL term's denominator).
    public var chosenTokens: Int

    /// The four log-probs of a pair.
    public init(policyChosen: Double, policyRejected: Double, referenceChosen: Double, referenceRejected: Double,
                chosenTokens: Int) {
        self.policyChosen = policyChosen
        self.policyRejected = policyRejected
        self.referenceChosen = referenceChosen
        self.referenceRejected = referenceRejected
        self.chosenTokens = chosenTokens
    }
}

/// The loss of a batch of pairs, its gradients with respect to the policy log-probs, and TRL's metrics.
public struct DPOEvaluation: Sendable, Equatable {
    /// Mean loss over the batch.
    public var loss: Double
    /// d loss / d log π(y⁺) per pair.
    public var gradChosen: [Double]
    /// d loss / d log π(y⁻) per pair.
    public var gradRejected: [Double]
    /// TRL's metric names: `rewards/chosen`, `rewards/rejected`, `rewards/accuracies`, `rewards/margins`,
    /// `logps/chosen`, `logps/rejected` (batch means), and `nll` when the NLL term is on.
    public var metrics: [String: Double]
}

/// The DPO objective's settings and its evaluation.
public struct DPOObjective: Codable, Sendable, Equatable {
    /// Which loss.
    public var kind: DPOLossKind = .sigmoid
    /// β: the strength of the tie to the reference (the paper's 0.1).
    public var beta: Double = 0.1
    /// Weight α of the chosen response's per-token NLL (0: off, as in the paper).
    public var nllWeight: Double = 0

    /// An objective.
    public init(kind: DPOLossKind = .sigmoid, beta: Double = 0.1, nllWeight: Double = 0) {
        self.kind = kind
        self.beta = beta
        self.nllWeight = nllWeight
    }

    /// Loss, gradients and metrics of a batch.
    public func evaluate(_ pairs: [PreferenceLogProbs]) -> DPOEvaluation {
        let n = Double(max(1, pairs.count))
        var loss = 0.0, nll = 0.0
        var gradChosen: [Double] = [], gradRejected: [Double] = []
        var rewardChosen = 0.0, rewardRejected = 0.0, accurate = 0.0, logpChosen = 0.0, logpRejected = 0.0
        for pair in pairs {
            let chosenRatio = pair.policyChosen - pair.referenceChosen
            let rejectedRatio = pair.policyRejected - pair.referenceRejected
            let h = chosenRatio - rejectedRatio
            let (value, slope) = lossAndSlope(h)
            let tokens = Double(max(1, pair.chosenTokens))
            let pairNLL = -pair.policyChosen / tokens
            loss += (value + nllWeight * pairNLL) / n
            nll += pairNLL / n
            gradChosen.append((slope - nllWeight / tokens) / n)
            gradRejected.append(-slope / n)
            rewardChosen += beta * chosenRatio / n
            rewardRejected += beta * rejectedRatio / n
            accurate += (chosenRatio > rejectedRatio ? 1 : 0) / n
            logpChosen += pair.policyChosen / n
            logpRejected += pair.policyRejected / n
        }
        var metrics = ["loss": loss, "rewards/chosen": rewardChosen, "rewards/rejected": rewardRejected,
                       "rewards/accuracies": accurate, "rewards/margins": rewardChosen - rewardRejected,
                       "logps/chosen": logpChosen, "logps/rejected": logpRejected]
        if nllWeight != 0 { metrics["nll"] = nll }
        return DPOEvaluation(loss: loss, gradChosen: gradChosen, gradRejected: gradRejected, metrics: metrics)
    }

    /// The per-pair loss at margin `h` and its derivative d loss / d h.
    func lossAndSlope(_ h: Double) -> (Double, Double) {
        switch kind {
        case .sigmoid:
            let z = beta * h
            // −log σ(z) = softplus(−z), computed without overflow.
            let value = z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z))
            return (value, -beta * sigmoid(-z))
        case .ipo:
            let d = h - 1 / (2 * beta)
            return (d * d, 2 * d)
        case .hinge:
            let z = 1 - beta * h
            return z > 0 ? (z, -beta) : (0, 0)
        }
    }

    private func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
}
