"""PyTorch peer of `reasoner-bench sampling` and `reasoner-bench scoring`, on the same checkpoint and inputs that the
Swift side wrote (a Reasoner checkpoint directory + `inputs.safetensors`), as a PyTorch user would write it:
torch.inference_mode(), fp32, a KV cache, every sequence batched.

- sampling: for each prompt (all prompts of one length) `--samples` chains of `--new-tokens` tokens at temperature
  1; the prompt prefix runs once per prompt and its cache is repeated for the chains; all chains decode together.
- scoring: summed response log-probs of every (image, prompt, response) pair, pairs sorted by length and run
  `--batch` at a time, right-padded.

Untimed warm-up rounds come first. Prints one line:
`RESULT seconds=<median round> best=<fastest round> units=<tokens or pairs per round> checksum=<sum of scores>`
(the checksum is 0 for sampling).
"""
import argparse
import os
import sys
import time

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from student_vlm import generate, load_checkpoint, score  # noqa: E402


def sampling(model, inputs, args):
    images, prompts = inputs["images"].to(torch.uint8), inputs["prompts"].long()
    out = generate(model, images, prompts, args.samples, args.new_tokens, temperature=1.0, seed=args.round_seed)
    return out.numel(), 0.0


def scoring(model, inputs, args):
    images, prompts = inputs["images"].to(torch.uint8), inputs["prompts"].long()
    responses, lengths, image_of = inputs["responses"].long(), inputs["lengths"].tolist(), inputs["image_of"].long()
    t = prompts.shape[1]
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    total = 0.0
    with torch.inference_mode():
        for start in range(0, len(order), args.batch):
            chunk = order[start:start + args.batch]
            width = t + max(lengths[i] for i in chunk)
            ids = torch.zeros(len(chunk), width, dtype=torch.long)
            mask = torch.zeros(len(chunk), width)
            for row, i in enumerate(chunk):
                ids[row, :t] = prompts[image_of[i]]
                ids[row, t:t + lengths[i]] = responses[i, :lengths[i]]
                mask[row, t:t + lengths[i]] = 1
            total += score(model, images[image_of[chunk]], ids, mask).sum().item()
    return len(lengths), total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", choices=["sampling", "scoring"], required=True)
    ap.add_argument("--dir", required=True, help="folder with config.json, model.safetensors, inputs.safetensors")
    ap.add_argument("--samples", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = load_checkpoint(args.dir)
    inputs = load_file(os.path.join(args.dir, "inputs.safetensors"))
    task = sampling if args.task == "sampling" else scoring
    times, units, checksum = [], 0, 0.0
    for r in range(args.warmup + args.rounds):
        args.round_seed = r
        t0 = time.perf_counter()
        units, checksum = task(model, inputs, args)
        if r >= args.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    print(f"RESULT seconds={times[len(times) // 2]:.4f} best={times[0]:.4f} units={units} checksum={checksum:.4f}")


if __name__ == "__main__":
    main()
