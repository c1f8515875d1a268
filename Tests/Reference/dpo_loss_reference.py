"""Reference DPO losses (sigmoid, IPO, hinge, each with and without the chosen NLL term) and their gradients with
respect to the policy's summed log-probs, by torch autograd in float64, written the way TRL's DPOTrainer writes them.
Writes Tests/TrainingTests/Fixtures/dpo_loss_reference.json, which DPOObjectiveTests compares against.

Run: /work/main/.local/torch/bin/python Tests/Reference/dpo_loss_reference.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(7)
PAIRS = 6
policy_chosen0 = -torch.rand(PAIRS, dtype=torch.float64) * 40 - 5
policy_rejected0 = -torch.rand(PAIRS, dtype=torch.float64) * 40 - 5
reference_chosen = policy_chosen0 + torch.randn(PAIRS, dtype=torch.float64) * 3
reference_rejected = policy_rejected0 + torch.randn(PAIRS, dtype=torch.float64) * 3
chosen_tokens = torch.randint(5, 60, (PAIRS,))


def loss_of(kind, beta, nll_weight, policy_chosen, policy_rejected):
    chosen_ratio = policy_chosen - reference_chosen
    rejected_ratio = policy_rejected - reference_rejected
    h = chosen_ratio - rejected_ratio
    if kind == "sigmoid":
        losses = -F.logsigmoid(beta * h)
    elif kind == "ipo":
        losses = (h - 1 / (2 * beta)) ** 2
    elif kind == "hinge":
        losses = torch.relu(1 - beta * h)
    else:
        raise ValueError(kind)
    nll = -policy_chosen / chosen_tokens.to(torch.float64)
    return (losses + nll_weight * nll).mean(), chosen_ratio, rejected_ratio


cases = []
for kind in ["sigmoid", "ipo", "hinge"]:
    for beta in [0.1, 0.5]:
        for nll_weight in [0.0, 1.0]:
            pc = policy_chosen0.clone().requires_grad_(True)
            pr = policy_rejected0.clone().requires_grad_(True)
            loss, cr, rr = loss_of(kind, beta, nll_weight, pc, pr)
            loss.backward()
            rewards_chosen, rewards_rejected = beta * cr.detach(), beta * rr.detach()
            cases.append({
                "kind": kind, "beta": beta, "nll_weight": nll_weight,
                "loss": loss.item(),
                "grad_chosen": pc.grad.tolist(), "grad_rejected": pr.grad.tolist(),
                "rewards_chosen": rewards_chosen.mean().item(),
                "rewards_rejected": rewards_rejected.mean().item(),
                "rewards_accuracies": (rewards_chosen > rewards_rejected).double().mean().item(),
                "rewards_margins": (rewards_chosen - rewards_rejected).mean().item(),
            })

fixture = {
    "policy_chosen": policy_chosen0.tolist(), "policy_rejected": policy_rejected0.tolist(),
    "reference_chosen": reference_chosen.tolist(), "reference_rejected": reference_rejected.tolist(),
    "chosen_tokens": chosen_tokens.tolist(), "cases": cases,
}
out = os.path.join(os.path.dirname(__file__), "..", "TrainingTests", "Fixtures", "dpo_loss_reference.json")
with open(out, "w") as f:
    json.dump(fixture, f, indent=1)
print(f"wrote {len(cases)} cases to {os.path.normpath(out)}")
