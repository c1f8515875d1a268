"""Builds the PyTorch reference fixtures of TensorTests (Tests/TensorTests/Fixtures/*.safetensors).

Each fixture holds inputs, weights (under the Swift parameter names), a random output weighting `w` (the loss is
sum(out * w), so backward is seeded with w), the forward outputs and the gradients. Run:
    /work/main/.local/torch/bin/python Tests/Reference/make_tensor_fixtures.py
"""
import math
import os

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

OUT = os.path.join(os.path.dirname(__file__), "..", "TensorTests", "Fixtures")
torch.manual_seed(1234)


def attention(x_q, x_k, x_v, heads, causal):
    b, t, d = x_q.shape
    dh = d // heads
    q, k, v = (z.view(b, t, heads, dh).transpose(1, 2) for z in (x_q, x_k, x_v))
    o = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    return o.transpose(1, 2).reshape(b, t, d)


def leaf(*shape):
    return torch.randn(*shape, dtype=torch.float32).requires_grad_(True)


def save(name, tensors):
    save_file({k: v.detach().contiguous() for k, v in tensors.items()}, os.path.join(OUT, name))


def make_attention():
    out = {}
    for causal in (True, False):
        tag = "causal" if causal else "bidirectional"
        q, k, v = leaf(2, 5, 8), leaf(2, 5, 8), leaf(2, 5, 8)
        y = attention(q, k, v, 2, causal)
        w = torch.randn_like(y)
        (y * w).sum().backward()
        out.update({f"{tag}.q": q, f"{tag}.k": k, f"{tag}.v": v, f"{tag}.w": w, f"{tag}.out": y,
                    f"{tag}.grad.q": q.grad, f"{tag}.grad.k": k.grad, f"{tag}.grad.v": v.grad})
    save("attention.safetensors", out)


def make_norms():
    x = leaf(3, 6)
    rw, lw, lb = leaf(6), leaf(6), leaf(6)
    rms = F.rms_norm(x, (6,), rw, eps=1e-5)
    ln = F.layer_norm(x, (6,), lw, lb, eps=1e-5)
    w1, w2 = torch.randn_like(rms), torch.randn_like(ln)
    ((rms * w1).sum() + (ln * w2).sum()).backward()
    save("norms.safetensors", {"x": x, "rms.weight": rw, "ln.weight": lw, "ln.bias": lb, "rms.w": w1, "ln.w": w2,
                               "rms.out": rms, "ln.out": ln, "grad.x": x.grad, "grad.rms.weight": rw.grad,
                               "grad.ln.weight": lw.grad, "grad.ln.bias": lb.grad})


class Block(torch.nn.Module):
    """Pre-norm block with the Swift layer names: attn_norm, attn.{q,k,v,o}_proj, mlp_norm, mlp.{up,down}_proj."""

    def __init__(self, d, heads, hidden, norm, causal, bias):
        super().__init__()
        self.heads, self.causal = heads, causal
        make_norm = (lambda: torch.nn.RMSNorm(d, eps=1e-5)) if norm == "rms" else (lambda: torch.nn.LayerNorm(d, eps=1e-5))
        self.attn_norm, self.mlp_norm = make_norm(), make_norm()
        self.attn = torch.nn.ModuleDict({n: torch.nn.Linear(d, d, bias=bias) for n in ("q_proj", "k_proj", "v_proj", "o_proj")})
        self.mlp = torch.nn.ModuleDict({"up_proj": torch.nn.Linear(d, hidden, bias=bias),
                                        "down_proj": torch.nn.Linear(hidden, d, bias=bias)})
        with torch.no_grad():
            for p in self.parameters():
                p.add_(0.1 * torch.randn_like(p))  # non-trivial norm weights and biases

    def forward(self, x):
        h = self.attn_norm(x)
        a = attention(self.attn["q_proj"](h), self.attn["k_proj"](h), self.attn["v_proj"](h), self.heads, self.causal)
        x = x + self.attn["o_proj"](a)
        return x + self.mlp["down_proj"](F.gelu(self.mlp["up_proj"](self.mlp_norm(x)), approximate="tanh"))


def make_block(name, norm, causal, bias):
    block = Block(16, 4, 32, norm, causal, bias)
    x = leaf(2, 6, 16)
    y = block(x)
    w = torch.randn_like(y)
    (y * w).sum().backward()
    out = {"x": x, "w": w, "out": y, "grad.x": x.grad}
    for n, p in block.named_parameters():
        out[f"layers.0.{n}"] = p
        out[f"grad.layers.0.{n}"] = p.grad
    save(name, out)


class Decoder(torch.nn.Module):
    """DecoderLM with the Swift parameter names: tok_embeddings, pos_embeddings, layers.i.*, norm, lm_head."""

    def __init__(self, vocab, context, d, heads, hidden, layers):
        super().__init__()
        self.tok_embeddings = torch.nn.Embedding(vocab, d)
        self.pos_embeddings = torch.nn.Embedding(context, d)
        self.layers = torch.nn.ModuleList(Block(d, heads, hidden, "rms", True, False) for _ in range(layers))
        self.norm = torch.nn.RMSNorm(d, eps=1e-5)
        self.lm_head = torch.nn.Linear(d, vocab, bias=False)

    def forward(self, ids):
        x = self.tok_embeddings(ids) + self.pos_embeddings.weight[: ids.shape[1]]
        for layer in self.layers:
            x = layer(x)
        return self.lm_head(self.norm(x))


def make_decoder():
    model = Decoder(11, 8, 16, 2, 32, 2)
    ids = torch.randint(0, 11, (2, 7), dtype=torch.int64)
    targets = torch.randint(0, 11, (2, 7), dtype=torch.int64)
    mask = (torch.rand(2, 7) > 0.3).float()
    logits = model(ids)
    tok = F.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1), reduction="none")
    loss = (tok * mask.reshape(-1)).sum() / mask.sum()
    loss.backward()
    out = {"ids": ids, "targets": targets, "mask": mask, "loss": loss.reshape(1)}
    for n, p in model.named_parameters():
        out[n] = p
        out[f"grad.{n}"] = p.grad
    save("decoder.safetensors", out)


def make_losses():
    logits = leaf(2, 4, 7)
    targets = torch.randint(0, 7, (2, 4), dtype=torch.int64)
    mask = torch.tensor([[1, 1, 0, 1], [0, 1, 1, 0]], dtype=torch.float32)
    ce_tok = F.cross_entropy(logits.reshape(-1, 7), targets.reshape(-1), reduction="none")
    ce = (ce_tok * mask.reshape(-1)).sum() / mask.sum()
    ce.backward()
    ce_grad = logits.grad.clone()
    logits.grad = None
    lp = torch.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    seq = (lp * mask).sum(-1)
    w = torch.randn(2)
    (seq * w).sum().backward()
    save("losses.safetensors", {"logits": logits, "targets": targets, "mask": mask, "ce": ce.reshape(1),
                                "grad.ce": ce_grad, "seq": seq, "seq.w": w, "grad.seq": logits.grad})


def make_adamw():
    p = torch.nn.Parameter(torch.randn(10))
    q = torch.nn.Parameter(torch.randn(4))
    opt = torch.optim.AdamW([{"params": [p], "weight_decay": 0.1}, {"params": [q], "weight_decay": 0.0}],
                            lr=1e-2, betas=(0.9, 0.95), eps=1e-8)
    out = {"p0": p.detach().clone(), "q0": q.detach().clone()}
    for step, lr in enumerate((1e-2, 5e-3, 2e-3)):
        for g in opt.param_groups:
            g["lr"] = lr
        p.grad, q.grad = torch.randn(10) * 3, torch.randn(4) * 3
        out[f"gp{step}"], out[f"gq{step}"] = p.grad.clone(), q.grad.clone()
        norm = torch.nn.utils.clip_grad_norm_([p, q], 1.0)
        out[f"norm{step}"] = norm.reshape(1)
        opt.step()
        out[f"p{step + 1}"], out[f"q{step + 1}"] = p.detach().clone(), q.detach().clone()
    save("adamw.safetensors", out)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_attention()
    make_norms()
    make_block("block_rms_causal.safetensors", "rms", True, True)
    make_block("block_ln_bidirectional.safetensors", "layer", False, False)
    make_losses()
    make_adamw()
    make_decoder()
