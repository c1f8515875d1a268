"""Does the student's architecture learn to read chart captions in PyTorch? (reference only, never a dependency)

Cross-check of `reasoner experiment probe` runs: the same model (`student_vlm.py`), started from the same fresh
checkpoint the Swift trainer starts from, trained on the same caption rows with the same recipe (AdamW 0.9/0.999,
weight decay 0.01 on matrices only, clip 1.0, linear warmup then cosine to the minimum, batch 32, loss on the caption
and its end token). Every `--every` steps it prints the mean caption loss per token on held-out scenes with their
own image and with the next scene's image (equal: the image is ignored) and the greedy exact-match rate.

Captions are tokenized with the checkpoint's own vocabulary (`Bars`, `:`, `Ġblue`, `Ġ`, digits, `,`, `.`: the
byte-level BPE's pieces for these captions); the constant prompt is `<|user|>` `Ċ` `<|end|>` `<|assistant|>`, a
stand-in for "Describe the image." that carries no information either way.

Usage:
    python Tests/Reference/caption_reading.py --start RUN/student --suite RUN/suite \\
        --rows RUN/suite/pretrain.jsonl --family chart --steps 1500 --lr 2e-3 --min-lr 2e-4
"""
import argparse
import json
import math
import os
import random
import struct
import zlib

import torch
import torch.nn.functional as F

from student_vlm import load_checkpoint


def read_png(path):
    """RGB uint8 (H, W, 3) of an 8-bit RGB/RGBA non-interlaced PNG (what the suite writes)."""
    data = open(path, "rb").read()
    pos, chunks, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "8-bit RGB or RGBA only"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            chunks += body
        pos += 12 + length
    raw, stride = zlib.decompress(chunks), width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    pixels = torch.frombuffer(bytearray(b"".join(rows)), dtype=torch.uint8).view(height, width, channels)
    return pixels[:, :, :3].clone()


class Captions:
    def __init__(self, tokenizer_path):
        t = json.load(open(tokenizer_path))
        self.vocab = t["model"]["vocab"]
        for added in t["added_tokens"]:
            self.vocab[added["content"]] = added["id"]
        self.inverse = {i: s for s, i in self.vocab.items()}
        v = self.vocab
        self.prompt = [v["<|user|>"], v["Ċ"], v["<|end|>"], v["<|assistant|>"]]
        self.end = v["<|end|>"]

    def encode(self, caption):
        ids, word = [], ""
        for ch in caption + "\0":
            if ch.isalpha():
                word += ch
                continue
            if word:
                ids.append(self.vocab[word])
                word = ""
            if ch == " ":
                word = "Ġ"
                continue
            if ch != "\0":
                ids.append(self.vocab[ch])
        return [self.vocab[w] if isinstance(w, str) else w for w in ids]

    def decode(self, ids):
        return "".join(self.inverse[i] for i in ids).replace("Ġ", " ")


def load_rows(path, family, suite, captions, limit=None):
    rows = []
    for line in open(path):
        row = json.loads(line)
        if "image" not in row or not row["id"].startswith(family + "-"):
            continue
        text = row["conversations"][1]["value"] if "conversations" in row else row["scene_caption"]
        rows.append((read_png(os.path.join(suite, row["image"])), captions.encode(text), text))
        if limit and len(rows) >= limit:
            break
    return rows


def held_out(suite, family, captions, count):
    """(image, ids, caption) of the first `count` validation scenes of `family`, caption from the scene."""
    rows, seen = [], set()
    for line in open(os.path.join(suite, "validation.jsonl")):
        item = json.loads(line)
        if item["family"] != family or item["image"] in seen:
            continue
        seen.add(item["image"])
        bars = item["scene"]["chart"]["bars"]
        text = "Bars: " + ", ".join(f"{b['colour']} {b['value']}" for b in bars) + "."
        rows.append((read_png(os.path.join(suite, item["image"])), captions.encode(text), text))
        if len(rows) >= count:
            break
    return rows


def batch_loss(model, captions, rows, images=None):
    """Mean loss per caption token (caption + end), and the token count."""
    prompt = captions.prompt
    length = max(len(ids) for _, ids, _ in rows) + 1
    ids = torch.zeros(len(rows), len(prompt) + length, dtype=torch.long)
    targets = torch.full_like(ids, -100)
    for b, (_, caption, _) in enumerate(rows):
        seq = prompt + caption + [captions.end]
        ids[b, :len(seq)] = torch.tensor(seq)
        targets[b, len(prompt) - 1:len(seq) - 1] = torch.tensor(caption + [captions.end])
    pixels = torch.stack([image for image, _, _ in rows]) if images is None else images
    logits = model(pixels, ids)[:, model.patches:]
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100,
                           reduction="sum"), int((targets != -100).sum())


@torch.no_grad()
def probe(model, captions, rows):
    own, tokens = batch_loss(model, captions, rows)
    shifted = torch.stack([rows[(i + 1) % len(rows)][0] for i in range(len(rows))])
    other, _ = batch_loss(model, captions, rows, images=shifted)
    exact = 0
    for image, _, text in rows:
        seq = list(captions.prompt)
        out = []
        for _ in range(40):
            token = int(model(image[None], torch.tensor([seq]))[0, -1].argmax())
            if token == captions.end:
                break
            out.append(token)
            seq.append(token)
        exact += captions.decode(out) == text
    return own.item() / tokens, other.item() / tokens, exact / len(rows)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--rows", required=True)
    parser.add_argument("--family", default="chart")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--min-lr", type=float, default=2e-4)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--probe-items", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    model = load_checkpoint(args.start).train()
    captions = Captions(os.path.join(args.start, "tokenizer.json"))
    train = load_rows(args.rows, args.family, args.suite, captions)
    test = held_out(args.suite, args.family, captions, args.probe_items)
    # As the Swift layers register them: Linear weights decay; embeddings, positions, norms and biases do not.
    embeddings = ("tok_embeddings.weight", "pos_embeddings.weight", "vision.patch_pos.weight")
    decays = {n: p.dim() == 2 and n not in embeddings for n, p in model.named_parameters()}
    decay = [p for n, p in model.named_parameters() if decays[n]]
    other = [p for n, p in model.named_parameters() if not decays[n]]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": other, "weight_decay": 0}],
                                  lr=args.lr, betas=(0.9, 0.999), eps=1e-8)
    order = []
    for step in range(1, args.steps + 1):
        if step <= args.warmup:
            lr = args.lr * step / args.warmup
        else:
            t = (step - args.warmup) / max(1, args.steps - args.warmup)
            lr = args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * t))
        for group in optimizer.param_groups:
            group["lr"] = lr
        if len(order) < args.batch:
            order += random.sample(range(len(train)), len(train))
        batch, order = [train[i] for i in order[:args.batch]], order[args.batch:]
        loss, tokens = batch_loss(model, captions, batch)
        optimizer.zero_grad()
        (loss / tokens).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % args.every == 0 or step == args.steps:
            model.eval()
            own, shifted, exact = probe(model, captions, test)
            model.train()
            print(f"step {step} lr {lr:.2e} train {loss.item() / tokens:.3f} | held-out loss own image {own:.3f} "
                  f"other image {shifted:.3f} exact {exact:.2f}", flush=True)


if __name__ == "__main__":
    main()
