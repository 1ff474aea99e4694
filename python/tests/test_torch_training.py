"""Training through tconv.torch: a small decoder trained with torch's
modules and with convert()-ed ones from the same initialisation and data
gives the same loss curve; and DistributedDataParallel (gloo, two
processes) over the converted model gives single-process training's
weights on the same global batch."""
import copy
import os
import socket

import torch
import torch.multiprocessing as mp
import torch.nn as nn

import tconv.torch as tt


def decoder(seed):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.ConvTranspose2d(8, 16, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 3, 3, stride=1, padding=1, groups=1))


def data(seed, batch=8):
    """Inputs, and targets a decoder of the same shape can reach (another
    initialisation's outputs), so the loss falls well within 50 steps."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 8, 4, 4, generator=gen)
    with torch.no_grad():
        return x, decoder(seed + 100)(x)


def train(model, x, t, steps, lr=0.05):
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), t)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def test_loss_curve_equals_torchs():
    """50 SGD steps. Both runs compute the same float32 function, summed in
    other orders: differences start at float32 rounding (~1e-7 relative)
    and the allowed 1e-3 relative leaves room for their growth over 50
    steps; a wrong gradient (say a missing bias term or a flipped kernel)
    changes the curve by far more (checked once by hand: zeroing grad_bias
    moved it by up to 9x; the two runs differed by at most 3e-7)."""
    ref = decoder(0)
    mine = tt.convert(copy.deepcopy(ref))
    assert sum(isinstance(m, tt.ConvTranspose2d) for m in mine.modules()) == 3
    x, t = data(1)
    want = train(ref, x, t, 50)
    got = train(mine, x, t, 50)
    assert want[-1] < 0.9 * want[0]  # it trains
    for step, (a, b) in enumerate(zip(got, want)):
        assert abs(a - b) <= 1e-3 * abs(b), "step {}: {} vs {}".format(step, a, b)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


STEPS = 5


def ddp_worker(rank, world, port, out_path):
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = "127.0.0.1", str(port)
    torch.set_num_threads(1)  # two processes on two cores
    torch.distributed.init_process_group("gloo", rank=rank, world_size=world)
    try:
        model = nn.parallel.DistributedDataParallel(tt.convert(decoder(0)))
        x, t = data(1)
        share = x.shape[0] // world
        train(model, x[rank * share:(rank + 1) * share], t[rank * share:(rank + 1) * share], STEPS)
        if rank == 0:
            torch.save(model.module.state_dict(), out_path)
    finally:
        torch.distributed.destroy_process_group()


def test_ddp_matches_single_process(tmp_path):
    """DDP averages the two ranks' gradients of their half-batch mean losses:
    the gradient of the full batch's mean loss, so single-process training
    on the whole batch must reach the same weights. Only summation order
    differs (float32, 5 steps): 1e-5 relative + 1e-7 absolute (measured:
    <= 1e-8; one rank training alone on its half ends 2e-4 to 5e-4 away)."""
    assert torch.distributed.is_available() and torch.distributed.is_gloo_available()
    out = str(tmp_path / "ddp.pt")
    mp.spawn(ddp_worker, args=(2, free_port(), out), nprocs=2, join=True)
    got = torch.load(out)
    single = tt.convert(decoder(0))
    x, t = data(1)
    train(single, x, t, STEPS)
    want = single.state_dict()
    init = decoder(0).state_dict()
    assert got.keys() == want.keys()
    for k in want:
        assert not torch.equal(want[k], init[k]), k  # training moved it
        assert torch.allclose(got[k], want[k], rtol=1e-5, atol=1e-7), (k, (got[k] - want[k]).abs().max())
