"""The article's checkerboard claim on trained weights (issue 19, item 4).

Four x4 upsamplers (two x2 stages each) learn to super-resolve procedural
images: deconv k3 s2, deconv k4 s2, nearest resize + conv 3x3, and sub-pixel
conv 3x3 + pixel shuffle initialised with ICNR. The report measures, before
and after training, each upsampling layer's per-phase kernel-sum spread and
the phase-mean spread of the outputs on held-out images, and says whether
training removes, keeps or creates the grid.

    /usr/bin/python3 scripts/train_checkerboard.py --out DIR

Modules: data (procedural images), models (the four variants), analysis (the
two spreads), train (the seeded, deterministic loop), report (Markdown and
matplotlib figures). Plain torch; tconv's Python module is not needed.
"""
