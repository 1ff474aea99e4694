"""tconv.torch without autograd: under torch.no_grad (or with nothing that
requires grad) the forward skips the autograd.Function and records no
graph, with the same values as the recorded path and torch's."""
import torch

import tconv.torch as tt


def make(cache_plan):
    torch.manual_seed(0)
    ref = torch.nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1)
    return ref, tt.convert(torch.nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), cache_plan=cache_plan)


def test_no_grad_forward_records_no_graph_and_matches():
    for cache_plan in (False, True):
        ref, mine = make(cache_plan)
        mine.load_state_dict(ref.state_dict())
        x = torch.randn(2, 4, 5, 6)
        recorded = mine(x)  # the parameters require grad: the Function runs
        assert recorded.grad_fn is not None
        with torch.no_grad():
            y = mine(x)
            want = ref(x)
        assert y.grad_fn is None and not y.requires_grad
        assert torch.equal(y, recorded.detach())
        torch.testing.assert_close(y, want, rtol=1e-5, atol=1e-5)


def test_nothing_requires_grad_records_no_graph():
    _, mine = make(False)
    for p in mine.parameters():
        p.requires_grad_(False)
    y = mine(torch.randn(1, 4, 3, 3))
    assert y.grad_fn is None
    x = torch.randn(1, 4, 3, 3, requires_grad=True)  # the input alone still records
    assert mine(x).grad_fn is not None
