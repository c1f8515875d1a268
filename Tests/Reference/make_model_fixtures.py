"""Builds the student-VLM parity fixture of ModelTests (Tests/ModelTests/Fixtures/parity/):

- `config.json` + `model.safetensors`: a tiny student (8x8 images in 4x4 patches, width 32, one vision and two
  decoder blocks, vocab 64) with random weights, saved under Reasoner's parameter names by PyTorch;
- `expected.safetensors`: two uint8 images (`images`, stored as i32), token ids (`ids`, i32), a response mask
  (`mask`), and the reference outputs `logits` (B, patches + T, vocab) and `logprobs` (B,), from student_vlm.py,
  and `grad.<parameter>`: the gradient of the training loss (the mean masked cross-entropy, `-logprobs.sum() /
  mask.sum()`) for every parameter, vision tower and projector included.

The Swift test loads the weights strictly and must match the logits within 1e-4 relative. Run:
    /work/main/.local/torch/bin/python Tests/Reference/make_model_fixtures.py
"""
import json
import os

import torch
from safetensors.torch import save_file

from student_vlm import StudentVLM, load_checkpoint, score

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ModelTests", "Fixtures", "parity")
CONFIG = {"image_size": 8, "patch_size": 4, "vision_dim": 32, "vision_layers": 1, "vision_heads": 2,
          "vision_mlp": 64, "decoder_dim": 32, "decoder_layers": 2, "decoder_heads": 2, "decoder_mlp": 64,
          "vocab_size": 64, "context_length": 32, "norm": "rms"}


def main():
    torch.manual_seed(2410)
    os.makedirs(OUT, exist_ok=True)
    model = StudentVLM(CONFIG)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))  # norms away from identity, so a wrong norm shows
            else:
                p.copy_(0.2 * torch.randn_like(p))
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(CONFIG, f, indent=2, sort_keys=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(OUT, "model.safetensors"),
              metadata={"format": "pt"})
    model = load_checkpoint(OUT)  # what a user of the checkpoint does
    images = torch.randint(0, 256, (2, 8, 8, 3), dtype=torch.uint8)
    ids = torch.randint(0, 64, (2, 9))
    mask = torch.zeros(2, 9)
    mask[0, 4:] = 1
    mask[1, 6:8] = 1
    with torch.inference_mode():
        logits = model(images, ids)
        logprobs = score(model, images, ids, mask)
    # score() runs in inference mode; the same sum with gradients (position patches-1+j predicts token j):
    logp = torch.log_softmax(model(images, ids)[:, model.patches - 1:-1], dim=-1).gather(-1, ids[:, :, None])
    loss = -(logp.squeeze(-1) * mask).sum() / mask.sum()
    loss.backward()
    grads = {"grad." + name: p.grad.contiguous() for name, p in model.named_parameters()}
    save_file({"images": images.to(torch.int32), "ids": ids.to(torch.int32), "mask": mask,
               "logits": logits.contiguous(), "logprobs": logprobs, **grads},
              os.path.join(OUT, "expected.safetensors"))
    print(f"wrote {OUT}: logits {tuple(logits.shape)}, |logits| max {logits.abs().max():.3f}, logprobs {logprobs}")


if __name__ == "__main__":
    main()
