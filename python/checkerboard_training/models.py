"""The four x4 upsamplers: the same low-resolution head (conv 3x3, 3 -> C,
ReLU), then two x2 upsampling layers of one kind (C -> C, ReLU, then
C -> 3, linear output).

    deconv_k3s2    ConvTranspose2d k3 s2 p1 output_padding 1 (k not a multiple of s)
    deconv_k4s2    ConvTranspose2d k4 s2 p1 (k a multiple of s)
    resize_conv    nearest upsample x2, then Conv2d k3 p1
    subpixel_icnr  Conv2d k3 p1 to 4x the channels, PixelShuffle(2); ICNR init

The upsampling layer is last, so whatever grid it makes reaches the output
unfiltered."""
import torch
import torch.nn as nn

VARIANTS = ("deconv_k3s2", "deconv_k4s2", "resize_conv", "subpixel_icnr")
LABELS = {
    "deconv_k3s2": "deconv k3 s2",
    "deconv_k4s2": "deconv k4 s2",
    "resize_conv": "nearest resize + conv 3x3",
    "subpixel_icnr": "sub-pixel + ICNR",
}


def icnr_(conv, scale):
    """ICNR (Aitken et al. 2017): every sub-position of an output channel gets
    the same kernel, so conv + pixel shuffle starts as nearest upsampling of
    one convolution, with no grid. Weight (Cout*r^2, Cin, k, k); channel
    c*r^2 + p feeds phase p of output channel c."""
    r2 = scale * scale
    with torch.no_grad():
        base = conv.weight[::r2].clone()  # (Cout, Cin, k, k): the default init of a conv to Cout
        conv.weight.copy_(base.repeat_interleave(r2, dim=0))
        if conv.bias is not None:
            conv.bias.copy_(conv.bias[::r2].repeat_interleave(r2))


class ResizeConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)

    def forward(self, x):
        return self.conv(self.up(x))


class SubPixel(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout * 4, 3, padding=1)
        self.shuffle = nn.PixelShuffle(2)
        icnr_(self.conv, 2)

    def forward(self, x):
        return self.shuffle(self.conv(x))


def up_layer(variant, cin, cout):
    if variant == "deconv_k3s2":
        return nn.ConvTranspose2d(cin, cout, 3, stride=2, padding=1, output_padding=1)
    if variant == "deconv_k4s2":
        return nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1)
    if variant == "resize_conv":
        return ResizeConv(cin, cout)
    if variant == "subpixel_icnr":
        return SubPixel(cin, cout)
    raise ValueError("unknown variant {!r} (one of {})".format(variant, ", ".join(VARIANTS)))


class Upsampler(nn.Module):
    def __init__(self, variant, channels):
        super().__init__()
        self.head = nn.Conv2d(3, channels, 3, padding=1)
        self.up1 = up_layer(variant, channels, channels)
        self.up2 = up_layer(variant, channels, 3)

    def forward(self, x):
        x = torch.relu(self.head(x))
        x = torch.relu(self.up1(x))
        return self.up2(x)
