"""Text-only learnability probe of the synthetic suite's rationale design (reference only, never a dependency).

calibration.md found that a tiny VLM reads whole charts well in captions but cannot look values up inside a
rationale or keep its arithmetic straight. The suite's rationales therefore start from the caption, copy look-ups
from it, and do one short arithmetic line per step. This probe removes the vision part: the caption is given in the
prompt (as the student's own caption would be), and a tiny character-level decoder (the calibration's size) learns
the suite's drills in two modes at once: chain of thought (rationale, then `### Answer: X`) and direct (X only).
If the design makes reasoning learnable, CoT should beat direct on the multi-step questions.

Measured (2026-11-26, 1 thread, d 128, 4 layers, from scratch, greedy decoding, exact-match answers):
    chart+math drills, 1,200 steps (batch 32, ~20 min): chart direct 0.12 / CoT 0.20 (chain exact 0.13);
    math direct 0.07 / CoT 0.05. The chain format is learned early; copying the named value from the caption
    is not yet ("The blue bar is 8." for "blue 1"), and arithmetic lines are often off by a little. Look-up drills
    ("What is the value of the red bar?" -> "The red bar is 7.") were added to drills.jsonl after this run.
    chart drills with look-ups (then without their answer line), 1,000 steps (~16 min): direct 0.28 / CoT 0.18
    (chain exact 0.05); one-step CoT look-ups then stopped after the sentence, which is why look-up drills now end
    with `### Answer: X` too. n = 60 per family, so +-6 points: too small a run to call CoT against direct.

Usage (two suites with different seeds, e.g. `reasoner data generate -o A --seed 1` and `... -o B --seed 2`):
    python Tests/Reference/data_learnability.py --train A/drills.jsonl --test B/drills.jsonl --steps 600
"""
import argparse
import json
import math
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path, families, limit_per_family=None, arithmetic=None):
    rows, counts = [], {}
    for line in open(path):
        row = json.loads(line)
        prompt, target = row["conversations"][0]["value"], row["conversations"][1]["value"]
        family = row["id"].split("-")[0]
        if families and family not in families:
            continue
        if "\n" not in prompt or "### Answer:" not in target:
            if arithmetic is not None:
                arithmetic.append((prompt, target))  # "7 - 3 =" -> "7 - 3 = 4."
            continue
        if limit_per_family and counts.get(family, 0) >= limit_per_family:
            continue
        counts[family] = counts.get(family, 0) + 1
        answer = target.split("### Answer:")[-1].strip()
        rows.append((family, prompt, target, answer))
    return rows


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d))

    def forward(self, x, mask):
        h = self.ln1(x)
        x = x + self.attn(h, h, h, attn_mask=mask, need_weights=False)[0]
        return x + self.mlp(self.ln2(x))


class Decoder(nn.Module):
    def __init__(self, vocab, d=128, layers=4, heads=4, context=320):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab)

    def forward(self, ids):
        t = ids.shape[1]
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        x = self.tok(ids) + self.pos(torch.arange(t))
        for block in self.blocks:
            x = block(x, mask)
        return self.head(self.ln(x))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--eval-per-family", type=int, default=60)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--families", default="", help="comma-separated; empty means all")
    parser.add_argument("--show", type=int, default=2, help="sample chains to print per family")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    families = set(filter(None, args.families.split(",")))
    arithmetic = []
    train = load(args.train, families, arithmetic=arithmetic)
    test = load(args.test, families, args.eval_per_family)
    chars = sorted({c for rows in (train, test) for _, p, t, _ in rows for c in p + t}
                   | {c for p, t in arithmetic for c in p + t} | {"\x00", "\x01", "\x02", "\x03"})
    index = {c: i for i, c in enumerate(chars)}
    BOS_COT, BOS_DIRECT, EOS = "\x01", "\x02", "\x03"

    def encode(text):
        return [index[c] for c in text]

    examples = []  # (ids, first target position)
    for _, prompt, target, answer in train:
        for tag, out in ((BOS_COT, target), (BOS_DIRECT, answer)):
            head = encode(prompt + tag)
            examples.append((head + encode(out + EOS), len(head)))
    for prompt, target in arithmetic:
        head = encode(prompt + BOS_COT)
        examples.append((head + encode(target + EOS), len(head)))
    context = max(len(ids) for ids, _ in examples) + 8
    model = Decoder(len(chars), context=max(context, 320))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    print(f"{len(train)} training drills x 2 modes + {len(arithmetic)} arithmetic lines, {len(test)} test drills, vocab {len(chars)}, "
          f"{sum(p.numel() for p in model.parameters()) / 1e6:.2f} M params, context {context}")

    start = time.time()
    for step in range(args.steps):
        lr = 1e-3 * min(1, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for group in optimizer.param_groups:
            group["lr"] = lr
        batch = random.sample(examples, args.batch)
        width = max(len(ids) for ids, _ in batch)
        ids = torch.zeros(args.batch, width, dtype=torch.long)
        labels = torch.full((args.batch, width), -100, dtype=torch.long)
        for row, (seq, first) in enumerate(batch):
            ids[row, : len(seq)] = torch.tensor(seq)
            labels[row, first - 1 : len(seq) - 1] = torch.tensor(seq[first:])
        loss = F.cross_entropy(model(ids).reshape(-1, len(chars)), labels.reshape(-1), ignore_index=-100)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 100 == 0 or step == args.steps - 1:
            print(f"step {step} loss {loss.item():.3f} ({time.time() - start:.0f} s)", flush=True)

    @torch.no_grad()
    def generate(prompt, tag, limit):
        seq = encode(prompt + tag)
        out = []
        for _ in range(limit):
            nxt = int(model(torch.tensor([seq]))[0, -1].argmax())
            if chars[nxt] == EOS:
                break
            seq.append(nxt)
            out.append(chars[nxt])
        return "".join(out)

    model.eval()
    results = {}
    for family, prompt, target, answer in test:
        cot = generate(prompt, BOS_COT, 160)
        direct = generate(prompt, BOS_DIRECT, 12).strip()
        cot_answer = cot.split("### Answer:")[-1].strip() if "### Answer:" in cot else None
        stats = results.setdefault(family, [0, 0, 0, 0])
        if stats[0] < args.show:
            print(f"--- {family}\n{prompt}\nexpected: {target!r}\ncot:      {cot!r}\ndirect:   {direct!r}")
        stats[0] += 1
        stats[1] += direct == answer
        stats[2] += cot_answer == answer
        stats[3] += cot.strip() == target.strip()
    print("family   n  direct  cot  cot-chain-exact")
    for family, (n, direct, cot, exact) in sorted(results.items()):
        print(f"{family:8} {n:3}  {direct / n:.2f}   {cot / n:.2f}  {exact / n:.2f}")
    print(f"total time {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
