"""PyTorch implementation of Reasoner's student VLM (Sources/Model), for parity fixtures and benchmarks only.

It loads a Reasoner checkpoint directory (`config.json` + `model.safetensors`, read with
`safetensors.torch.load_file`; strict: every tensor name and shape must match) and computes the same function:

- image: RGB uint8 `[H, W, 3]` at `image_size` (already fitted), scaled to [-1, 1], cut into row-major
  `patch_size` patches, each flattened as (row, col, channel);
- vision: `patch_embed` + `patch_pos`, bidirectional pre-LayerNorm blocks with biases, final `norm`, then the
  LLaVA projector `projector.0` -> GELU (tanh) -> `projector.2` to the decoder width;
- decoder: the projected patches, then the token embeddings, plus learned positions; causal pre-norm blocks
  (RMSNorm or LayerNorm per `norm`, no biases), final `norm`, untied `lm_head`.

Attention heads split the model width into contiguous slices; GELU is the tanh approximation everywhere.
"""
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file


def make_norm(kind, d):
    return nn.RMSNorm(d, eps=1e-5) if kind == "rms" else nn.LayerNorm(d, eps=1e-5)


class Attention(nn.Module):
    def __init__(self, d, heads, bias):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(d, d, bias=bias) for _ in range(4))

    def split(self, x):
        b, t, d = x.shape
        return x.view(b, t, self.heads, d // self.heads).transpose(1, 2)  # (B, H, T, dh)

    def forward(self, x, causal, cache=None, start=0):
        """Self-attention over x (B, T, D). With `cache` (k, v buffers (B, H, capacity, dh)), the new keys and values
        are written at positions start..start+T and the queries attend to everything up to their own position."""
        b, t, d = x.shape
        q, k, v = self.split(self.q_proj(x)), self.split(self.k_proj(x)), self.split(self.v_proj(x))
        if cache is not None:
            cache[0][:, :, start:start + t] = k
            cache[1][:, :, start:start + t] = v
            k, v = cache[0][:, :, :start + t], cache[1][:, :, :start + t]
            causal = t > 1  # a prefill (start 0) is causal; one new token sees the whole cache
            assert start == 0 or t == 1, "decode one token at a time after the prefill"
        a = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
        return self.o_proj(a.transpose(1, 2).reshape(b, t, d))


class MLP(nn.Module):
    def __init__(self, d, hidden, bias):
        super().__init__()
        self.up_proj, self.down_proj = nn.Linear(d, hidden, bias=bias), nn.Linear(hidden, d, bias=bias)

    def forward(self, x):
        return self.down_proj(F.gelu(self.up_proj(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, d, heads, hidden, norm, bias):
        super().__init__()
        self.attn_norm, self.mlp_norm = make_norm(norm, d), make_norm(norm, d)
        self.attn, self.mlp = Attention(d, heads, bias), MLP(d, hidden, bias)

    def forward(self, x, causal, cache=None, start=0):
        x = x + self.attn(self.attn_norm(x), causal, cache, start)
        return x + self.mlp(self.mlp_norm(x))


class VisionTower(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, patches = c["vision_dim"], (c["image_size"] // c["patch_size"]) ** 2
        self.patch_size = c["patch_size"]
        self.patch_embed = nn.Linear(c["patch_size"] ** 2 * 3, d)
        self.patch_pos = nn.Embedding(patches, d)
        self.layers = nn.ModuleList(Block(d, c["vision_heads"], c["vision_mlp"], "layer", True)
                                    for _ in range(c["vision_layers"]))
        self.norm = nn.LayerNorm(d, eps=1e-5)
        self.projector = nn.Sequential(nn.Linear(d, c["decoder_dim"]), nn.GELU(approximate="tanh"),
                                       nn.Linear(c["decoder_dim"], c["decoder_dim"]))

    def patches(self, images):
        """uint8 images (B, H, W, 3) -> normalised flattened patches (B, patches, p*p*3)."""
        x = images.float() / 255.0 * 2.0 - 1.0
        b, h, w, ch = x.shape
        p = self.patch_size
        x = x.view(b, h // p, p, w // p, p, ch).permute(0, 1, 3, 2, 4, 5)
        return x.reshape(b, (h // p) * (w // p), p * p * ch)

    def forward(self, images):
        x = self.patch_embed(self.patches(images)) + self.patch_pos.weight
        for layer in self.layers:
            x = layer(x, causal=False)
        return self.projector(self.norm(x))


class StudentVLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        c = self.config = config
        d = c["decoder_dim"]
        self.patches = (c["image_size"] // c["patch_size"]) ** 2
        self.vision = VisionTower(c)
        self.tok_embeddings = nn.Embedding(c["vocab_size"], d)
        self.pos_embeddings = nn.Embedding(c["context_length"], d)
        self.layers = nn.ModuleList(Block(d, c["decoder_heads"], c["decoder_mlp"], c.get("norm", "rms"), False)
                                    for _ in range(c["decoder_layers"]))
        self.norm = make_norm(c.get("norm", "rms"), d)
        self.lm_head = nn.Linear(d, c["vocab_size"], bias=False)

    def forward(self, images, ids, caches=None, start=0):
        """Logits (B, patches + T, vocab) of uint8 images (B, H, W, 3) and token ids (B, T); with `caches` (one per
        layer, from `make_caches`) this is the prefill. With `images` None, ids (B, 1) are one decoding step at
        position `start`."""
        x = self.tok_embeddings(ids)
        if images is not None:
            x = torch.cat([self.vision(images), x], dim=1)
        x = x + self.pos_embeddings.weight[start:start + x.shape[1]]
        for i, layer in enumerate(self.layers):
            x = layer(x, causal=True, cache=None if caches is None else caches[i], start=start)
        return self.lm_head(self.norm(x))

    def make_caches(self, batch, capacity):
        c = self.config
        shape = (batch, c["decoder_heads"], capacity, c["decoder_dim"] // c["decoder_heads"])
        return [(torch.empty(shape), torch.empty(shape)) for _ in self.layers]


def load_checkpoint(directory):
    """The model of a Reasoner checkpoint directory, in eval mode; rejects missing, extra or mis-shaped tensors."""
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    model = StudentVLM(config)
    model.load_state_dict(load_file(os.path.join(directory, "model.safetensors")), strict=True)
    return model.eval()


def sample_next(logits, temperature, top_k, top_p, generator):
    """Next tokens (B,) from logits (B, V): greedy at temperature 0, else softmax sampling after top-k and top-p."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits / temperature
    if top_k > 0:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p < 1:
        sorted_logits, order = logits.sort(dim=-1, descending=True)
        probs = sorted_logits.softmax(dim=-1)
        drop = probs.cumsum(dim=-1) - probs >= top_p  # keep the smallest prefix reaching top_p
        logits = logits.scatter(-1, order, sorted_logits.masked_fill(drop, float("-inf")))
    return torch.multinomial(logits.softmax(dim=-1), 1, generator=generator).squeeze(-1)


@torch.inference_mode()
def generate(model, images, prompts, samples, max_new_tokens, temperature=1.0, top_k=0, top_p=1.0, seed=0):
    """`samples` continuations of each prompt (images (B, H, W, 3) uint8, prompts (B, T) ids of one length), all
    B x samples sequences decoded together with a KV cache; the prompt prefix runs once per prompt and its cache is
    repeated for the samples. Returns new tokens (B * samples, max_new_tokens), no stopping."""
    b, t = prompts.shape
    prefix = model.patches + t
    generator = torch.Generator().manual_seed(seed)
    prompt_caches = model.make_caches(b, prefix)
    logits = model(images, prompts, caches=prompt_caches)[:, -1]
    capacity = prefix + max_new_tokens
    caches = []
    for k, v in prompt_caches:
        kk, vv = model.make_caches(b * samples, capacity)[0]
        kk[:, :, :prefix] = k.repeat_interleave(samples, dim=0)
        vv[:, :, :prefix] = v.repeat_interleave(samples, dim=0)
        caches.append((kk, vv))
    logits = logits.repeat_interleave(samples, dim=0)
    out = torch.empty(b * samples, max_new_tokens, dtype=torch.long)
    for step in range(max_new_tokens):
        token = sample_next(logits, temperature, top_k, top_p, generator)
        out[:, step] = token
        if step + 1 < max_new_tokens:
            logits = model(None, token[:, None], caches=caches, start=prefix + step)[:, -1]
    return out


@torch.inference_mode()
def score(model, images, ids, response_mask):
    """Summed log-probabilities (B,) of the tokens where response_mask (B, T) is 1, given everything before them
    (ids right-padded; padding masked out), as Reasoner's `sequenceLogProbs`."""
    logits = model(images, ids)[:, model.patches - 1:-1]  # position patches-1+j predicts token j
    logp = torch.log_softmax(logits.float(), dim=-1).gather(-1, ids[:, :, None]).squeeze(-1)
    return (logp * response_mask).sum(dim=-1)
