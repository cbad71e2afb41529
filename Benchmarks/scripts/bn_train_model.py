#!/usr/bin/env python3
"""A NumPy model of bn-train, used to choose its default network and learning rates.

It trains the same MLP (dense -> batch norm -> activation per hidden layer, softmax cross-entropy,
plain SGD) with and without batch norm from the same initial weights, and prints per seed the
first epoch at which the held-out accuracy (running statistics) reaches the target. Its random
streams are NumPy's, not bn-train's, so single runs differ; the medians over seeds are what was
compared.

    python3 Benchmarks/scripts/bn_train_model.py --data circles --hidden 32,32 --lr 0.1 --std 0.5 \
        --epochs 200 --target 90 --seeds 1,2,3,4,5
    python3 Benchmarks/scripts/bn_train_model.py --data digits --hidden 100,100,100 --lr 0.5 --std 0.1 \
        --epochs 100 --target 90 --seeds 1,2,3
"""
import argparse
import gzip
import pathlib

import numpy as np

DIGITS = pathlib.Path(__file__).resolve().parents[2] / "Examples/bn-train/Data/digits.csv.gz"


def circles(count, noise, factor, rng):
    labels = rng.integers(0, 2, count)
    angles = rng.uniform(0, 2 * np.pi, count)
    radii = np.where(labels == 1, factor, 1.0)
    points = np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1) + rng.normal(0, noise, (count, 2))
    return points.astype(np.float32), labels


def digits(rng, held_out=0.25):
    table = np.loadtxt(gzip.open(DIGITS), delimiter=",")
    inputs, labels = table[:, :64] / 16.0, table[:, 64].astype(int)
    order = rng.permutation(len(labels))
    cut = int(round(len(labels) * held_out))
    held, train = order[:cut], order[cut:]
    return inputs[train].astype(np.float32), labels[train], inputs[held].astype(np.float32), labels[held]


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def train(batch_norm, data, hidden, lr, batch, epochs, std, seed, target, momentum=0.1, eps=1e-5):
    x_train, y_train, x_held, y_held = data
    rng = np.random.default_rng(seed)
    sizes = [x_train.shape[1]] + hidden + [int(y_train.max()) + 1]
    weights = [rng.normal(0, std, (a, b)).astype(np.float32) for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [np.zeros(s, np.float32) for s in sizes[1:]]
    gammas = [np.ones(s, np.float32) for s in hidden]
    betas = [np.zeros(s, np.float32) for s in hidden]
    running_mean = [np.zeros(s) for s in hidden]
    running_var = [np.ones(s) for s in hidden]
    order_rng = np.random.default_rng(seed + 1)

    def forward(x, training):
        trace, h = [], x
        for i in range(len(hidden)):
            z = h @ weights[i] + biases[i]
            normalized = inv_std = None
            if batch_norm:
                if training:
                    mean, var, m = z.mean(0), z.var(0), len(z)
                    running_mean[i] = (1 - momentum) * running_mean[i] + momentum * mean
                    running_var[i] = (1 - momentum) * running_var[i] + momentum * var * m / (m - 1)
                else:
                    mean, var = running_mean[i], running_var[i]
                inv_std = 1 / np.sqrt(var + eps)
                normalized = (z - mean) * inv_std
                z = gammas[i] * normalized + betas[i]
            a = sigmoid(z)
            trace.append((h, normalized, inv_std, a))
            h = a
        return h @ weights[-1] + biases[-1], trace, h

    reached, history = None, []
    for epoch in range(1, epochs + 1):
        order = order_rng.permutation(len(y_train))
        for start in range(0, len(order) - batch + 1, batch):
            rows = order[start:start + batch]
            logits, trace, last = forward(x_train[rows], True)
            p = np.exp(logits - logits.max(1, keepdims=True))
            p /= p.sum(1, keepdims=True)
            p[np.arange(batch), y_train[rows]] -= 1
            d = p / batch
            grad_h = d @ weights[-1].T
            weights[-1] -= lr * (last.T @ d)
            biases[-1] -= lr * d.sum(0)
            for i in reversed(range(len(hidden))):
                h, normalized, inv_std, a = trace[i]
                du = grad_h * a * (1 - a)
                if batch_norm:
                    d_gamma, d_beta, m = (du * normalized).sum(0), du.sum(0), len(du)
                    du = gammas[i] * inv_std / m * (m * du - d_beta - normalized * d_gamma)
                    gammas[i] -= lr * d_gamma
                    betas[i] -= lr * d_beta
                grad_h = du @ weights[i].T
                weights[i] -= lr * (h.T @ du)
                biases[i] -= lr * du.sum(0)
        logits, _, _ = forward(x_held, False)
        accuracy = (logits.argmax(1) == y_held).mean()
        history.append(accuracy)
        if reached is None and accuracy * 100 >= target:
            reached = epoch
    return reached, history


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", choices=["circles", "digits"], default="circles")
    parser.add_argument("--hidden", default="32,32")
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--batch", type=int, default=60)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--std", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--factor", type=float, default=0.5)
    parser.add_argument("--target", type=float, default=90)
    parser.add_argument("--seeds", default="1,2,3,4,5")
    args = parser.parse_args()
    hidden = [int(w) for w in args.hidden.split(",")]
    for seed in map(int, args.seeds.split(",")):
        rng = np.random.default_rng(seed)
        if args.data == "circles":
            data = circles(args.samples, args.noise, args.factor, rng) + circles(args.samples // 2, args.noise, args.factor, rng)
        else:
            data = digits(rng)
        results = [train(bn, data, hidden, args.lr, args.batch, args.epochs, args.std, seed, args.target)
                   for bn in (True, False)]
        print(f"seed {seed}: epochs to {args.target:g}%: with batch norm {results[0][0]}, without {results[1][0]}; "
              f"final held-out accuracy {results[0][1][-1]:.3f} and {results[1][1][-1]:.3f}")


if __name__ == "__main__":
    main()
