"""PyTorch peer of `reasoner-bench train-step`: one training step (forward + backward + AdamW) of the reference
decoder (d_model 128, 4 layers, 4 heads, MLP 512, vocab 256, context 256, batch 16), fp32, 2 threads,
F.scaled_dot_product_attention; `--variant vlm` prefixes a 2-layer d128 ViT over 64x64 images in 8x8 patches.
Prints one line: `RESULT step_ms=<median ms> tokens_per_s=<tokens/s at the median> best_ms=<fastest step>`.
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, heads, hidden, norm, causal):
        super().__init__()
        self.heads, self.causal = heads, causal
        make = (lambda: nn.RMSNorm(d, eps=1e-5)) if norm == "rms" else (lambda: nn.LayerNorm(d, eps=1e-5))
        self.attn_norm, self.mlp_norm = make(), make()
        self.q, self.k, self.v, self.o = (nn.Linear(d, d, bias=False) for _ in range(4))
        self.up, self.down = nn.Linear(d, hidden, bias=False), nn.Linear(hidden, d, bias=False)

    def forward(self, x):
        b, t, d = x.shape
        h = self.attn_norm(x)
        q, k, v = (p(h).view(b, t, self.heads, d // self.heads).transpose(1, 2) for p in (self.q, self.k, self.v))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(a)
        return x + self.down(F.gelu(self.up(self.mlp_norm(x)), approximate="tanh"))


class Model(nn.Module):
    def __init__(self, vlm, d=128, layers=4, heads=4, hidden=512, vocab=256, context=256):
        super().__init__()
        self.vlm = vlm
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(d, heads, hidden, "rms", True) for _ in range(layers))
        self.norm = nn.RMSNorm(d, eps=1e-5)
        self.head = nn.Linear(d, vocab, bias=False)
        if vlm:
            self.patch = nn.Linear(8 * 8 * 3, d)
            self.patch_pos = nn.Embedding(64, d)
            self.vit = nn.ModuleList(Block(d, heads, hidden, "layer", False) for _ in range(2))
            self.vit_norm = nn.LayerNorm(d, eps=1e-5)
            self.proj = nn.Sequential(nn.Linear(d, d), nn.GELU(approximate="tanh"), nn.Linear(d, d))

    def forward(self, ids, patches=None):
        x = self.tok(ids)
        if self.vlm:
            v = self.patch(patches) + self.patch_pos.weight
            for b in self.vit:
                v = b(v)
            x = torch.cat([self.proj(self.vit_norm(v)), x], dim=1)
        x = x + self.pos.weight[: x.shape[1]]
        for b in self.blocks:
            x = b(x)
        return self.head(self.norm(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", choices=["lm", "vlm"], default="lm")
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    vlm = args.variant == "vlm"
    batch, context = 16, 256
    text = context - 64 if vlm else context
    model = Model(vlm)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    ids = torch.randint(0, 256, (batch, text))
    targets = torch.randint(0, 256, (batch, context))
    mask = torch.ones(batch, context)
    if vlm:
        mask[:, :64] = 0
    patches = torch.randn(batch, 64, 192) if vlm else None
    times = []
    for step in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        logits = model(ids, patches)
        tok = F.cross_entropy(logits.reshape(-1, 256), targets.reshape(-1), reduction="none")
        loss = (tok * mask.reshape(-1)).sum() / mask.sum()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step >= args.warmup:
            times.append(time.perf_counter() - t0)
    times.sort()
    med = times[len(times) // 2]
    print(f"RESULT step_ms={med * 1e3:.2f} tokens_per_s={batch * context / med:.0f} best_ms={times[0] * 1e3:.2f}")


if __name__ == "__main__":
    main()
