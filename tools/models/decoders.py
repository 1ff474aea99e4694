"""Well-known decoder architectures, small, with seeded weights, for `tconv inspect`.

Each builder returns (module, example_input). The geometry of every
upsampling layer is the published one; the channel counts are cut down so
that exporting and inspecting takes well under a second (the checkerboard
analysis depends on the geometry and on the per-phase kernel sums, not on
the width). Weights are seeded (torch.manual_seed), so the exported models
are the same on every run of the same torch.

    dcgan           DCGAN generator (Radford et al. 2016): ConvTranspose k4 s1 p0, then k4 s2 p1 x4
    unet            U-Net decoder (Ronneberger et al. 2015): ConvTranspose k2 s2 + skip + two 3x3 convs, x3
    unet_bilinear   the same with bilinear Upsample x2 + 3x3 conv instead of the ConvTranspose
    fcn8s           FCN-8s head (Long et al. 2015): upscore2 k4 s2, upscore_pool4 k4 s2, upscore8 k16 s8,
                    initialised with bilinear kernels as in the paper
    hifigan         HiFi-GAN V1-style 1-D upsampler (Kong et al. 2020): ConvTranspose1d k16 s8, k16 s8,
                    k4 s2, k4 s2, each followed by dilated residual 1-D convs
    espcn           ESPCN (Shi et al. 2016): 5x5, 3x3, 3x3 convs to r^2 channels + PixelShuffle(3)
    espcn_icnr      the same with its last conv initialised with ICNR (Aitken et al. 2017)
    style_transfer  fast style transfer decoder (Johnson et al. 2016): ConvTranspose k3 s2 p1 op1 x2,
                    the classic checkerboard case

Debian's python3-torch only; tools/models/export.py writes them as ONNX.
"""
import torch
from torch import nn

NAMES = ["dcgan", "unet", "unet_bilinear", "fcn8s", "hifigan", "espcn", "espcn_icnr", "style_transfer"]


def dcgan(nz=16, ngf=8, nc=3):
    def up(cin, cout, stride, pad, last=False):
        layers = [nn.ConvTranspose2d(cin, cout, 4, stride, pad, bias=False)]
        layers += [nn.Tanh()] if last else [nn.BatchNorm2d(cout), nn.ReLU(True)]
        return layers

    net = nn.Sequential(*up(nz, ngf * 8, 1, 0), *up(ngf * 8, ngf * 4, 2, 1), *up(ngf * 4, ngf * 2, 2, 1),
                        *up(ngf * 2, ngf, 2, 1), *up(ngf, nc, 2, 1, last=True))
    for m in net.modules():  # the paper's initialisation
        if isinstance(m, nn.ConvTranspose2d):
            nn.init.normal_(m.weight, 0.0, 0.02)
    return net, torch.randn(1, nz, 1, 1)


def _double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(True), nn.Conv2d(cout, cout, 3, padding=1),
                         nn.ReLU(True))


class UNet(nn.Module):
    """Encoder of 4 levels (max-pool), decoder of 3 up steps with skip connections."""

    def __init__(self, c=4, bilinear=False):
        super().__init__()
        self.enc = nn.ModuleList([_double_conv(3, c), _double_conv(c, 2 * c), _double_conv(2 * c, 4 * c),
                                  _double_conv(4 * c, 8 * c)])
        self.ups = nn.ModuleList()
        self.dec = nn.ModuleList()
        for cin in (8 * c, 4 * c, 2 * c):
            if bilinear:
                self.ups.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False),
                                              nn.Conv2d(cin, cin // 2, 3, padding=1)))
            else:
                self.ups.append(nn.ConvTranspose2d(cin, cin // 2, 2, stride=2))
            self.dec.append(_double_conv(cin, cin // 2))
        self.head = nn.Conv2d(c, 2, 1)

    def forward(self, x):
        skips = []
        for i, e in enumerate(self.enc):
            x = e(x if i == 0 else nn.functional.max_pool2d(x, 2))
            skips.append(x)
        for up, dec, skip in zip(self.ups, self.dec, reversed(skips[:-1])):
            x = dec(torch.cat([up(x), skip], dim=1))
        return self.head(x)


def _bilinear_kernel(channels, k):
    """FCN's upsampling initialisation: a separable bilinear kernel per channel, no channel mixing."""
    factor = (k + 1) // 2
    center = factor - 1 if k % 2 == 1 else factor - 0.5
    og = torch.arange(k, dtype=torch.float32)
    filt = 1 - (og - center).abs() / factor
    w = torch.zeros(channels, channels, k, k)
    for c in range(channels):
        w[c, c] = filt[:, None] * filt[None, :]
    return w


class FCN8sHead(nn.Module):
    """A small stride-8/16/32 backbone and the FCN-8s score and upsampling layers."""

    def __init__(self, classes=3, c=8):
        super().__init__()
        self.to8 = nn.Sequential(nn.Conv2d(3, c, 3, stride=2, padding=1), nn.ReLU(True),
                                 nn.Conv2d(c, c, 3, stride=2, padding=1), nn.ReLU(True),
                                 nn.Conv2d(c, c, 3, stride=2, padding=1), nn.ReLU(True))
        self.to16 = nn.Sequential(nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), nn.ReLU(True))
        self.to32 = nn.Sequential(nn.Conv2d(2 * c, 4 * c, 3, stride=2, padding=1), nn.ReLU(True))
        self.score32 = nn.Conv2d(4 * c, classes, 1)
        self.score_pool4 = nn.Conv2d(2 * c, classes, 1)
        self.score_pool3 = nn.Conv2d(c, classes, 1)
        self.upscore2 = nn.ConvTranspose2d(classes, classes, 4, stride=2, padding=1, bias=False)
        self.upscore_pool4 = nn.ConvTranspose2d(classes, classes, 4, stride=2, padding=1, bias=False)
        self.upscore8 = nn.ConvTranspose2d(classes, classes, 16, stride=8, padding=4, bias=False)
        with torch.no_grad():
            for up in (self.upscore2, self.upscore_pool4, self.upscore8):
                up.weight.copy_(_bilinear_kernel(classes, up.kernel_size[0]))

    def forward(self, x):
        p3 = self.to8(x)
        p4 = self.to16(p3)
        p5 = self.to32(p4)
        x = self.upscore2(self.score32(p5)) + self.score_pool4(p4)
        x = self.upscore_pool4(x) + self.score_pool3(p3)
        return self.upscore8(x)


class ResBlock1d(nn.Module):
    """HiFi-GAN's ResBlock1 cut down: LeakyReLU + dilated k3 conv, residual, dilations 1, 3, 5."""

    def __init__(self, c):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(c, c, 3, dilation=d, padding=d) for d in (1, 3, 5)])

    def forward(self, x):
        for conv in self.convs:
            x = x + conv(nn.functional.leaky_relu(x, 0.1))
        return x


class HiFiGAN(nn.Module):
    """Mel (80 bins) -> waveform, upsample rates 8, 8, 2, 2 with kernels 16, 16, 4, 4 (the V1 config)."""

    def __init__(self, mels=80, c=16):
        super().__init__()
        self.pre = nn.Conv1d(mels, c, 7, padding=3)
        self.ups = nn.ModuleList()
        self.res = nn.ModuleList()
        ch = c
        for s, k in zip((8, 8, 2, 2), (16, 16, 4, 4)):
            self.ups.append(nn.ConvTranspose1d(ch, max(ch // 2, 2), k, stride=s, padding=(k - s) // 2))
            ch = max(ch // 2, 2)
            self.res.append(ResBlock1d(ch))
        self.post = nn.Conv1d(ch, 1, 7, padding=3)

    def forward(self, x):
        x = self.pre(x)
        for up, res in zip(self.ups, self.res):
            x = res(up(nn.functional.leaky_relu(x, 0.1)))
        return torch.tanh(self.post(nn.functional.leaky_relu(x)))


def icnr_(weight, r):
    """ICNR: every group of r*r output channels (torch's PixelShuffle order) copies one kernel."""
    cout, cin, kh, kw = weight.shape
    base = torch.empty(cout // (r * r), cin, kh, kw)
    nn.init.kaiming_normal_(base)
    with torch.no_grad():
        weight.copy_(base.repeat_interleave(r * r, dim=0))


def espcn(r=3, icnr=False):
    net = nn.Sequential(nn.Conv2d(1, 16, 5, padding=2), nn.Tanh(), nn.Conv2d(16, 8, 3, padding=1), nn.Tanh(),
                        nn.Conv2d(8, r * r, 3, padding=1), nn.PixelShuffle(r))
    if icnr:
        icnr_(net[4].weight, r)
        with torch.no_grad():
            net[4].bias.fill_(0.0)
    return net, torch.randn(1, 1, 16, 16)


def style_transfer(c=8):
    """The upsampling half of Johnson et al.'s transformation network."""
    net = nn.Sequential(nn.ConvTranspose2d(4 * c, 2 * c, 3, stride=2, padding=1, output_padding=1),
                        nn.InstanceNorm2d(2 * c, affine=True), nn.ReLU(True),
                        nn.ConvTranspose2d(2 * c, c, 3, stride=2, padding=1, output_padding=1),
                        nn.InstanceNorm2d(c, affine=True), nn.ReLU(True), nn.Conv2d(c, 3, 9, padding=4))
    return net, torch.randn(1, 4 * c, 16, 16)


def build(name, seed=0):
    """(module in eval mode, example input) of one architecture, weights seeded."""
    torch.manual_seed(seed)
    builders = {
        "dcgan": dcgan,
        "unet": lambda: (UNet(), torch.randn(1, 3, 32, 32)),
        "unet_bilinear": lambda: (UNet(bilinear=True), torch.randn(1, 3, 32, 32)),
        "fcn8s": lambda: (FCN8sHead(), torch.randn(1, 3, 64, 64)),
        "hifigan": lambda: (HiFiGAN(), torch.randn(1, 80, 8)),
        "espcn": espcn,
        "espcn_icnr": lambda: espcn(icnr=True),
        "style_transfer": style_transfer,
    }
    if name not in builders:
        raise ValueError(f"unknown model '{name}' (known: {', '.join(NAMES)})")
    module, example = builders[name]()
    return module.eval(), example
