"""Reference ids for the Tokenization tests, from HuggingFace `tokenizers` reading our tokenizer.json.

Usage (venv with `pip install tokenizers`):
    python Tests/Reference/tokenizer_hf_reference.py \
        Tests/TokenizationTests/Fixtures/tokenizer.json texts.json \
        > Tests/TokenizationTests/Fixtures/hf-reference.json

texts.json is a JSON list of strings (the tests' tricky texts); 300 random strings over a mixed alphabet
(letters of several scripts, digits of several kinds, marks, punctuation, apostrophes, every kind of whitespace,
emoji, NUL) are added with a fixed seed. Specials are encoded as plain text (`encode_special_tokens`), as ours are.
"""
import json
import random
import sys

import tokenizers
from tokenizers import Tokenizer

tokenizer_path, texts_path = sys.argv[1:3]
tok = Tokenizer.from_file(tokenizer_path)
tok.encode_special_tokens = True
texts = json.load(open(texts_path))
alphabet = list("abcxyzABC  '''sdtmlrev\t\n\r\u000b\u000c\u00a0\u2003\u3000\u2028") + list("0123456789٣①Ⅻ") \
    + list("é\u0301\u0308漢字かなー한!?.,-+=<|>()[]\"$%😀👍🏽\u200d\u0000\u007f\ufeff\ufffd")
rng = random.Random(20261126)
for _ in range(300):
    texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))))
print(json.dumps({"tokenizers_version": tokenizers.__version__, "texts": texts,
                  "ids": [e.ids for e in tok.encode_batch(texts)]}, ensure_ascii=True))
