"""A character-level Transformer language model (2 pre-norm layers, 4 heads, 128 wide, context
64) on Python's own library sources, trained by ember and by PyTorch from the same initial
weights on the same batches in one process, taking turns step by step: validation loss after
the same steps, and the median step time of each.

    python bench/bench_char_transformer.py [--steps 300] [--quick]
"""

from __future__ import annotations

import argparse
import sysconfig
import time
from pathlib import Path
from typing import Any

import numpy as np

import ember
import ember.nn.functional as F
from _common import cpu_model
from ember import nn, optim


def library_text(chars: int) -> str:
    """The first ``chars`` characters of the standard library's top-level modules, in name
    order (the same text wherever this Python is installed)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    parts, total = [], 0
    for path in sorted(root.glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        parts.append(text)
        total += len(text)
        if total >= chars:
            break
    return "".join(parts)[:chars]


class CharLM(nn.Module):
    def __init__(self, vocab: int, width: int = 128, heads: int = 4, layers: int = 2,
                 context: int = 64) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, width)
        self.position = nn.Embedding(context, width)
        block = nn.TransformerEncoderLayer(width, heads, 4 * width, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(block, layers)
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab)
        self.causal = nn.Transformer.generate_square_subsequent_mask(context)

    def forward(self, ids: ember.Tensor) -> ember.Tensor:
        steps = ids.shape[1]
        x = self.embed(ids) + self.position(ember.arange(steps))
        x = self.encoder(x, mask=self.causal[:steps, :steps], is_causal=True)
        return self.head(self.norm(x))


def torch_twin(model: CharLM, vocab: int, context: int) -> Any:
    import torch

    class TorchCharLM(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            width = model.embed.embedding_dim
            self.embed = torch.nn.Embedding(vocab, width)
            self.position = torch.nn.Embedding(context, width)
            block = torch.nn.TransformerEncoderLayer(width, 4, 4 * width, dropout=0.0,
                                                     batch_first=True, norm_first=True)
            self.encoder = torch.nn.TransformerEncoder(block, len(model.encoder.layers),
                                                       enable_nested_tensor=False)
            self.norm = torch.nn.LayerNorm(width)
            self.head = torch.nn.Linear(width, vocab)
            self.causal = torch.nn.Transformer.generate_square_subsequent_mask(context)

        def forward(self, ids: Any) -> Any:
            steps = ids.shape[1]
            x = self.embed(ids) + self.position(torch.arange(steps))
            x = self.encoder(x, mask=self.causal[:steps, :steps], is_causal=True)
            return self.head(self.norm(x))

    twin = TorchCharLM()
    twin.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy())
                          for k, v in model.state_dict().items()})
    return twin


def run(steps: int = 300, batch: int = 32, context: int = 64, chars: int = 400_000,
        threads: int = 2, seed: int = 0, log: Any = print) -> dict[str, dict[str, float]]:
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    text = library_text(chars)
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    codes = np.array([index[c] for c in text], dtype=np.int64)
    split = int(len(codes) * 0.9)
    rng = np.random.default_rng(seed)

    def windows(start: int, end: int, count: int) -> np.ndarray:
        begins = rng.integers(start, end - context - 1, count)
        return np.stack([codes[b:b + context + 1] for b in begins])

    train_batches = [windows(0, split, batch) for _ in range(steps)]
    val_batches = [windows(split, len(codes), batch) for _ in range(10)]
    ember.manual_seed(seed)
    model = CharLM(len(vocab), context=context)
    twin = torch_twin(model, len(vocab), context)
    ember_opt = optim.Adam(model.parameters(), lr=1e-3)
    torch_opt = torch.optim.Adam(twin.parameters(), lr=1e-3)

    def ember_loss(chunk: np.ndarray) -> ember.Tensor:
        logits = model(ember.tensor(chunk[:, :-1]))
        return F.cross_entropy(logits.reshape(-1, len(vocab)), ember.tensor(chunk[:, 1:].ravel()))

    def torch_loss(chunk: np.ndarray) -> Any:
        logits = twin(torch.from_numpy(chunk[:, :-1]))
        return torch.nn.functional.cross_entropy(logits.reshape(-1, len(vocab)),
                                                 torch.from_numpy(chunk[:, 1:].ravel()))

    def ember_step(chunk: np.ndarray) -> None:
        loss = ember_loss(chunk)
        ember_opt.zero_grad()
        loss.backward()
        ember_opt.step()

    def torch_step(chunk: np.ndarray) -> None:
        loss = torch_loss(chunk)
        torch_opt.zero_grad()
        loss.backward()
        torch_opt.step()

    def ember_val() -> float:
        with ember.no_grad():
            return float(np.mean([ember_loss(c).item() for c in val_batches]))

    def torch_val() -> float:
        with torch.no_grad():
            return float(np.mean([torch_loss(c).item() for c in val_batches]))

    results: dict[str, dict[str, float]] = {}
    runs = {"ember": (ember_step, ember_val), "torch": (torch_step, torch_val)}
    times: dict[str, list[float]] = {name: [] for name in runs}
    with threadpool_limits(limits=threads):
        initial = {name: val() for name, (_, val) in runs.items()}
        for chunk in train_batches:
            for name, (step, _) in runs.items():  # turns, so load falls on both alike
                began = time.perf_counter()
                step(chunk)
                times[name].append(time.perf_counter() - began)
        for name, (_, val) in runs.items():
            results[name] = {"initial_val_loss": initial[name], "val_loss": val(),
                             "step_seconds": float(np.median(times[name]))}
            log(f"{name}: validation loss {initial[name]:.4f} -> "
                f"{results[name]['val_loss']:.4f} after {steps} steps, median step "
                f"{results[name]['step_seconds'] * 1000:.1f} ms")
    gap = results["ember"]["val_loss"] / results["torch"]["val_loss"] - 1
    ratio = results["ember"]["step_seconds"] / results["torch"]["step_seconds"]
    log(f"ember's validation loss is {gap * 100:+.2f}% of PyTorch's; step time {ratio:.2f}x")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="10 steps")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}")
    run(steps=10 if args.quick else args.steps, threads=args.threads)


if __name__ == "__main__":
    main()
