"""Loads folders written by `reasoner data export` the way the trainers' users do, with Hugging Face `datasets`.

For each folder: reads export.json, loads the rows file with `datasets.load_dataset("json", ...)`, checks the
columns the trainer reads (TRL: messages/images or prompt/chosen/rejected/images; LLaMA-Factory: the columns its
dataset_info.json entry names; paper: id/image/question/chosen/rejected or LLaVA rows), casts the image column to
`datasets.Image()` (which opens every image with Pillow) and checks TRL's content parts and LLaMA-Factory's
<image> markers against the images. Prints one line per folder; exits non-zero on the first mismatch.

This is a separate check, not part of the Swift tests (which check the rows' shapes themselves and need no
Python). It needs a virtual environment with `datasets` and `pillow`:

    python3 -m venv .local/venv && .local/venv/bin/pip install datasets pillow
    .local/venv/bin/python Tests/Reference/check_exports.py EXPORT_FOLDER [EXPORT_FOLDER ...]
"""

import json
import os
import sys

import datasets


def fail(folder, message):
    print(f"FAIL {folder}: {message}")
    sys.exit(1)


def image_column(folder, dataset, column):
    """Resolves image paths against the export folder and decodes each image."""
    if column == "images":
        resolved = dataset.map(lambda row: {"images": [os.path.join(folder, p) for p in row["images"]]})
        resolved = resolved.cast_column("images", datasets.Sequence(datasets.Image()))
        return sum(len(row["images"]) for row in resolved)
    resolved = dataset.map(lambda row: {column: os.path.join(folder, row[column]) if row[column] else None})
    resolved = resolved.cast_column(column, datasets.Image())
    return sum(1 for row in resolved if row[column] is not None)


def check_trl(folder, kind, dataset):
    expected = {"messages", "images"} if kind == "sft" else {"prompt", "chosen", "rejected", "images"}
    if set(dataset.column_names) != expected:
        fail(folder, f"columns {dataset.column_names}, TRL expects {sorted(expected)}")
    for row in dataset:
        turns = row["messages"] if kind == "sft" else row["prompt"] + row["chosen"] + row["rejected"]
        image_parts = sum(1 for turn in turns for part in turn["content"] if part["type"] == "image")
        if image_parts != len(row["images"]):
            fail(folder, f"{image_parts} image parts but {len(row['images'])} images")
        for turn in turns:
            if turn["role"] not in ("system", "user", "assistant"):
                fail(folder, f"role {turn['role']}")
            for part in turn["content"]:
                if part["type"] == "text" and not part["text"]:
                    fail(folder, "a text part without text")


def check_llama_factory(folder, kind, dataset, rows_file):
    with open(os.path.join(folder, "dataset_info.json")) as handle:
        info = json.load(handle)
    entries = [entry for entry in info.values() if entry["file_name"] == rows_file]
    if len(entries) != 1:
        fail(folder, f"dataset_info.json has no single entry for {rows_file}")
    entry = entries[0]
    if entry["formatting"] != "sharegpt" or bool(entry.get("ranking", False)) != (kind == "preference"):
        fail(folder, f"entry {entry} does not describe a sharegpt {kind} dataset")
    for column in entry["columns"].values():
        if column not in dataset.column_names:
            fail(folder, f"dataset_info names column {column}, the rows have {dataset.column_names}")
    tags = entry["tags"]
    for row in dataset:
        turns = row["conversations"] + ([row["chosen"], row["rejected"]] if kind == "preference" else [])
        markers = sum(turn[tags["content_tag"]].count("<image>") for turn in turns)
        if markers != len(row["images"]):
            fail(folder, f"{markers} <image> markers but {len(row['images'])} images")
        if turns[0][tags["role_tag"]] not in (tags["user_tag"], tags["system_tag"]):
            fail(folder, "the first turn is not the user's")


def check_paper(folder, kind, dataset):
    expected = {"id", "image", "conversations"} if kind == "sft" else {"id", "image", "question", "chosen", "rejected"}
    if not expected <= set(dataset.column_names):
        fail(folder, f"columns {dataset.column_names}, the paper's rows have {sorted(expected)}")


def check(folder):
    with open(os.path.join(folder, "export.json")) as handle:
        manifest = json.load(handle)
    rows_file, kind, trainer = manifest["rows"], manifest["kind"], manifest["format"]
    dataset = datasets.load_dataset("json", data_files=os.path.join(folder, rows_file), split="train")
    if len(dataset) != manifest["exported"]:
        fail(folder, f"{len(dataset)} rows loaded, export.json says {manifest['exported']}")
    if trainer == "trl":
        check_trl(folder, kind, dataset)
    elif trainer == "llama-factory":
        check_llama_factory(folder, kind, dataset, rows_file)
    else:
        check_paper(folder, kind, dataset)
    images = image_column(folder, dataset, "image" if trainer == "paper" else "images")
    print(f"ok {folder}: {trainer} {kind}, {len(dataset)} rows, columns {sorted(dataset.column_names)}, "
          f"{images} images decoded")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    for path in sys.argv[1:]:
        check(path)
