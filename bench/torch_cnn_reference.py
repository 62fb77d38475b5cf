#!/usr/bin/python3
"""PyTorch side of JacFlux's cnn-jacobian and cnn-grads cases (bench/src/main/java/dev/jacflux/bench/ConvNet.java).

The second conv architecture of the benchmark suite, kept so that nothing is tuned to LeNet's shapes:
conv 3x3 padding 1 3->16, ReLU, avg-pool 2, conv 3x3 padding 1 16->32, ReLU, avg-pool 2, flatten,
dense 2048->10, on x (N, 3, 32, 32) for N in 16, 64, 256 (float32, 2 threads, seeded).

Needs PyTorch with functorch (Debian's python3-torch, run with /usr/bin/python3):
    /usr/bin/python3 bench/torch_cnn_reference.py cnn-grads
Prints one JSON line per batch size: {"case":..., "group": "N=16", "methods": {name: median_ms}, "best_ms": ...}.
Run it right before or after `bin/jacflux bench --case cnn-grads` and compare ratios.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

try:
    from functorch import grad, jacrev, make_functional, vmap
except ImportError:  # an older or newer torch without functorch: only the plain methods
    grad = jacrev = make_functional = vmap = None

torch.set_num_threads(2)
BATCHES = (16, 64, 256)


def median_ms(fn, reps=5):
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def network():
    torch.manual_seed(7)
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(),
                         nn.Linear(2048, 10)).eval()


def batch(n):
    torch.manual_seed(8)
    return torch.randn(n, 3, 32, 32), torch.randint(0, 10, (n,))


def rows_by_loop(net, x):
    x = x.clone().requires_grad_(True)
    y = net(x)
    ones = torch.ones(y.shape[0])
    return torch.stack([torch.autograd.grad(y[:, i], x, ones, retain_graph=True)[0].reshape(x.shape[0], -1)
                        for i in range(y.shape[1])], 1)


def jacobian_methods(net, x):
    m = {"loop": median_ms(lambda: rows_by_loop(net, x)),
         "vectorize": median_ms(lambda: torch.autograd.functional.jacobian(lambda z: net(z).sum(0), x, vectorize=True))}
    if jacrev:
        m["functorch_vmap_jacrev"] = median_ms(lambda: vmap(jacrev(lambda z: net(z.unsqueeze(0)).squeeze(0)))(x))
    return m


def grads_methods(net, x, y):
    n = x.shape[0]
    params = list(net.parameters())

    def loop():
        return torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(
            F.cross_entropy(net(x[i:i + 1]), y[i:i + 1]), params)]) for i in range(n)])

    m = {"loop": median_ms(loop, reps=3)}
    if vmap:
        fnet, ps = make_functional(net)

        def one(p, xi, yi):
            return F.cross_entropy(fnet(p, xi.unsqueeze(0)), yi.unsqueeze(0))

        def per_sample():
            gs = vmap(grad(one), in_dims=(None, 0, 0))(ps, x, y)
            return torch.cat([g.reshape(n, -1) for g in gs], 1)

        m["functorch_vmap_grad"] = median_ms(per_sample)
    return m


def main(case):
    if case not in ("cnn-jacobian", "cnn-grads"):
        sys.exit("case must be cnn-jacobian or cnn-grads")
    net = network()
    for n in BATCHES:
        x, y = batch(n)
        m = jacobian_methods(net, x) if case == "cnn-jacobian" else grads_methods(net, x, y)
        print(json.dumps({"case": case, "group": "N=%d" % n, "torch": torch.__version__,
                          "methods": {k: round(v, 2) for k, v in m.items()}, "best_ms": round(min(m.values()), 2)}))


if __name__ == "__main__":
    main(sys.argv[1])
