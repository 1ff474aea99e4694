"""tconv: transposed convolution for numpy arrays, with torch's semantics.

    import numpy as np, tconv
    x = np.random.rand(1, 8, 16, 16).astype(np.float32)   # (N, Cin, H, W)
    w = np.random.rand(8, 4, 4, 4).astype(np.float32)     # (Cin, Cout/groups, kH, kW)
    y = tconv.conv_transpose(x, w, stride=2, padding=1)   # (1, 4, 32, 32)

    plan = tconv.Plan(w, input_shape=x.shape, stride=2, padding=1, threads=2)
    y = plan(x)                                           # create once, run many times

Arrays are read in place: float32, C-contiguous (anything else raises
ValueError rather than being copied). Every bad argument raises ValueError
with the library's message.

bf16: conv_transpose and Plan take dtype="bf16" (x and w in bf16, float32
accumulation); bf16 arrays are uint16 arrays of bf16 bits, or float32 arrays
rounded on the way in (to_bf16_bits / from_bf16_bits convert):

    plan = tconv.Plan(w, input_shape=x.shape, stride=2, padding=1, dtype="bf16")
    y = plan(tconv.to_bf16_bits(x))                        # float32 output
    y_bits = plan(x, out_dtype=np.uint16)                  # bf16 bits output

int8: dtype="int8" with uint8/int8 x, int8 weight, int32 bias and the
quantization keywords (ONNX QLinearConv's names, the CLI's flags):

    y_u8 = tconv.conv_transpose(x_u8, w_s8, b_s32, stride=2, dtype="int8", x_scale=0.02,
                                x_zero_point=128, w_scale=0.01, y_scale=0.05, y_zero_point=10)
"""
from tconv._checkerboard import checkerboard_score, icnr, overlap_map, phase_sums
from tconv._functional import conv, conv_transpose, explain, algorithm_names, from_bf16_bits, to_bf16_bits
from tconv._ops import interpolate, pixel_shuffle, pixel_unshuffle, upsample
from tconv._plan import Plan
from tconv._inspect import inspect, inspect_figures_supported, onnx_supported

__all__ = ["conv_transpose", "conv", "explain", "algorithm_names", "Plan", "pixel_shuffle", "pixel_unshuffle",
           "interpolate", "upsample", "overlap_map", "checkerboard_score", "phase_sums", "icnr",
           "inspect", "inspect_figures_supported", "onnx_supported", "to_bf16_bits", "from_bf16_bits"]
