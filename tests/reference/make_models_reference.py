"""PyTorch references for the pneumo model tests (tests/pneumo/test_albunet.cpp,
test_encoder_decoder.cpp, test_resnet.cpp, test_senet.cpp, test_model_factory.cpp).

The three architectures of the first-place solution are restated here in
PyTorch, from the original repository's structure (models/ternausnets.py and
models/selim_zoo/{unet,senet}.py) with torchvision's ResNet as the encoder;
the original repository is not imported. Writes, under
tests/data/reference/models/:

  keys_<model>.txt   "# parameters N" (the count of model.parameters(), each
                     tensor once) and then one line per state-dict key,
                     sorted: "<key> <dtype> <d0>x<d1>x..." (a 0-d tensor's
                     shape is written "-").
  <model>.bin        reftensors.save: eval-mode outputs, train-mode outputs,
                     input gradients and sampled weight gradients (below).

Weights are not stored (ResNet34's AlbuNet alone is 100 MB). Every
parameter and buffer, the input and the upstream gradient are instead filled
from a formula both sides compute bit for bit (tests/pneumo/model_test_util.h
is the C++ twin of fill_values below): element i of the tensor named NAME is
    u  = splitmix64(fnv1a64(NAME) + (i + 1) * 0x9E3779B97F4A7C15) >> 11
    s  = 2 * u * 2^-53 - 1                       (uniform in [-1, 1), float64)
and the tensor holds float32 of a scaling of s that depends on the name and
the shape (fill_values). A tensor shared under two names (AlbuNet's encoder)
is filled once, under the name that named_parameters()/named_buffers() give
it first. albunet.bin also stores
a few filled tensors ("fill.<name>"), so that a drift of the formula is
reported as such rather than as a wrong model.

The reference itself is computed in float64 (the float32 weights and inputs
converted exactly) and stored as float32: it is then the exact answer for
the C++ float32 computation to approach, not another float32 rounding. The
C++ tests compare eval mode in float32 and train mode (gradients) in float64:
float32 gradients through dozens of ReLUs differ from float64 ones by ~1e-2
in PyTorch itself, as a pre-activation within rounding of zero flips a mask.

Each model file holds, for each case CASE, flattened and sampled to keep the
files small (sample(): the whole tensor when it has at most 16384 elements,
else 4096 elements at stride numel // 4096 from the start):
  CASE.out           eval-mode output for the input fill("input") of the case's shape
  CASE.train_out     train-mode output (batch statistics), when trained
  CASE.grad_input    d sum(train_out * g)/d input, with g = fill("grad_output")
  CASE.grad.<param>  that loss's gradient for a few parameters
  CASE.after.<buf>   a BatchNorm running_mean after the train-mode forward

Files: albunet.bin, scse_unet.bin, resnet_unet.bin, and encoders.bin (the
ImageNet classifiers ResNet18 and SE-ResNeXt50 on their own).

Run with Debian's python3-torch and python3-torchvision (1.13 / 0.14):

    /usr/bin/python3 tests/reference/make_models_reference.py
"""
import math
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import reftensors  # noqa: E402

OUT_DIR = os.path.join(HERE, "..", "data", "reference", "models")

# ---------------------------------------------------------------------------
# The deterministic fill (keep in step with tests/pneumo/model_test_util.h).

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def fnv1a64(name):
    h = 0xCBF29CE484222325
    for b in name.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def uniform_signed(name, n):
    """n float64 values in [-1, 1), a function of (name, index) only."""
    with np.errstate(over="ignore"):
        z = np.uint64(fnv1a64(name)) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * np.uint64(GOLDEN)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    u = (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)
    return 2.0 * u - 1.0


def fill_values(name, shape):
    """The float32 values of the tensor NAME of the given shape (see the docstring)."""
    n = int(np.prod(shape)) if len(shape) else 1
    s = uniform_signed(name, n)
    leaf = name.rsplit(".", 1)[-1]
    if leaf == "running_mean":
        v = 0.1 * s
    elif leaf == "running_var":
        v = 1.0 + 0.5 * s
    elif leaf == "weight" and len(shape) >= 2:
        # Convolution and linear weights: He-uniform on fan_in = size(1) * kernel
        # (PyTorch's fan_in, also for transposed convolutions).
        fan_in = int(np.prod(shape[1:]))
        v = s * math.sqrt(6.0 / fan_in)
    elif leaf == "weight" and name.split(".")[-2] in ("bn2", "bn3"):
        # BatchNorm's scale at the end of a residual branch (and in the middle
        # of a bottleneck): small, so that each block adds a fraction of its
        # input instead of doubling it. With all scales near 1 the eval-mode
        # activations grow ~1000x through the encoder, the SE gates' logits
        # reach hundreds, and PyTorch's own float32 result then differs from
        # its float64 one by 1e-2: no parity could be checked.
        v = 0.25 + 0.05 * s
    elif leaf == "weight":
        v = 1.0 + 0.2 * s  # BatchNorm's scale
    elif leaf == "bias":
        v = 0.1 * s
    else:  # model inputs and upstream gradients
        v = s
    return v.astype(np.float32).reshape(shape)


# Tensors stored as "fill.<name>" in albunet.bin, one per branch of
# fill_values, so that the C++ test can tell a drift of the formula apart from
# a wrong model (tests/pneumo/test_albunet.cpp lists the same).
FILL_CHECKS = [
    ("input", (2, 3, 4, 4)),
    ("layer1.0.conv2.weight", (8, 4, 3, 3)),
    ("fc.weight", (10, 16)),
    ("layer1.0.bn1.weight", (16,)),
    ("layer1.0.bn3.weight", (16,)),
    ("layer1.0.bn2.bias", (16,)),
    ("bn1.running_mean", (16,)),
    ("bn1.running_var", (16,)),
]


def fill_model(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.from_numpy(fill_values(name, tuple(p.shape))))
        for name, b in model.named_buffers():
            if name.endswith("num_batches_tracked"):
                continue
            b.copy_(torch.from_numpy(fill_values(name, tuple(b.shape))))


# ---------------------------------------------------------------------------
# SE-ResNeXt50 32x4d, as in Cadene's pretrained-models (the selim_zoo copy).


class SEModule(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, kernel_size=1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        s = self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x)))))
        return x * s


class SCSEModule(nn.Module):
    def __init__(self, channels, reduction, mode):
        super().__init__()
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, channels // reduction, kernel_size=1)
        self.relu = nn.ReLU(inplace=True)
        self.fc2 = nn.Conv2d(channels // reduction, channels, kernel_size=1)
        self.sigmoid = nn.Sigmoid()
        self.spatial_se = nn.Sequential(nn.Conv2d(channels, 1, kernel_size=1, bias=False), nn.Sigmoid())
        self.mode = mode

    def forward(self, x):
        chn = self.sigmoid(self.fc2(self.relu(self.fc1(self.avg_pool(x))))) * x
        spa = self.spatial_se(x) * x
        assert self.mode == "maxout"
        return torch.max(chn, spa)


class SEResNeXtBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, groups, reduction, stride=1, downsample=None, base_width=4):
        super().__init__()
        width = math.floor(planes * (base_width / 64)) * groups
        self.conv1 = nn.Conv2d(inplanes, width, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, kernel_size=3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, kernel_size=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.se_module = SEModule(planes * 4, reduction=reduction)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        residual = self.downsample(x) if self.downsample is not None else x
        return self.relu(self.se_module(out) + residual)


class SEResNeXt(nn.Module):
    """SENet(SEResNeXtBottleneck, groups=32, reduction=16, inplanes=64,
    input_3x3=False, downsample 1x1 / padding 0, no dropout)."""

    def __init__(self, layers=(3, 4, 6, 3), num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.layer0 = nn.Sequential(OrderedDict([
            ("conv1", nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)),
            ("bn1", nn.BatchNorm2d(64)),
            ("relu1", nn.ReLU(inplace=True)),
        ]))
        self.layer1 = self._make_layer(64, layers[0], stride=1)
        self.layer2 = self._make_layer(128, layers[1], stride=2)
        self.layer3 = self._make_layer(256, layers[2], stride=2)
        self.layer4 = self._make_layer(512, layers[3], stride=2)
        self.avg_pool = nn.AvgPool2d(7, stride=1)
        self.last_linear = nn.Linear(2048, num_classes)

    def _make_layer(self, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * 4:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * 4, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * 4),
            )
        layers = [SEResNeXtBottleneck(self.inplanes, planes, 32, 16, stride, downsample)]
        self.inplanes = planes * 4
        for _ in range(1, blocks):
            layers.append(SEResNeXtBottleneck(self.inplanes, planes, 32, 16))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.pool(self.layer0(x))))))
        x = self.avg_pool(x)
        return self.last_linear(x.view(x.size(0), -1))


# ---------------------------------------------------------------------------
# AlbuNet (TernausNet's, models/ternausnets.py).


class ConvRelu(nn.Module):
    def __init__(self, in_, out):
        super().__init__()
        self.conv = nn.Conv2d(in_, out, 3, padding=1)
        self.activation = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.activation(self.conv(x))


class Interpolate(nn.Module):
    def forward(self, x):
        return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


class DecoderBlockV2(nn.Module):
    def __init__(self, in_channels, middle_channels, out_channels, is_deconv):
        super().__init__()
        if is_deconv:
            self.block = nn.Sequential(
                ConvRelu(in_channels, middle_channels),
                nn.ConvTranspose2d(middle_channels, out_channels, kernel_size=4, stride=2, padding=1),
                nn.ReLU(inplace=True),
            )
        else:
            self.block = nn.Sequential(
                Interpolate(),
                ConvRelu(in_channels, middle_channels),
                ConvRelu(middle_channels, out_channels),
            )

    def forward(self, x):
        return self.block(x)


class AlbuNet(nn.Module):
    def __init__(self, num_classes=1, num_filters=32, is_deconv=False):
        super().__init__()
        self.num_classes = num_classes
        self.pool = nn.MaxPool2d(2, 2)
        self.encoder = torchvision.models.resnet34(weights=None)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Sequential(self.encoder.conv1, self.encoder.bn1, self.encoder.relu, self.pool)
        self.conv2 = self.encoder.layer1
        self.conv3 = self.encoder.layer2
        self.conv4 = self.encoder.layer3
        self.conv5 = self.encoder.layer4
        nf = num_filters
        self.center = DecoderBlockV2(512, nf * 8 * 2, nf * 8, is_deconv)
        self.dec5 = DecoderBlockV2(512 + nf * 8, nf * 8 * 2, nf * 8, is_deconv)
        self.dec4 = DecoderBlockV2(256 + nf * 8, nf * 8 * 2, nf * 8, is_deconv)
        self.dec3 = DecoderBlockV2(128 + nf * 8, nf * 4 * 2, nf * 2, is_deconv)
        self.dec2 = DecoderBlockV2(64 + nf * 2, nf * 2 * 2, nf * 2 * 2, is_deconv)
        self.dec1 = DecoderBlockV2(nf * 2 * 2, nf * 2 * 2, nf, is_deconv)
        self.dec0 = ConvRelu(nf, nf)
        self.final = nn.Conv2d(nf, num_classes, kernel_size=1)

    def forward(self, x):
        conv1 = self.conv1(x)
        conv2 = self.conv2(conv1)
        conv3 = self.conv3(conv2)
        conv4 = self.conv4(conv3)
        conv5 = self.conv5(conv4)
        center = self.center(self.pool(conv5))
        dec5 = self.dec5(torch.cat([center, conv5], 1))
        dec4 = self.dec4(torch.cat([dec5, conv4], 1))
        dec3 = self.dec3(torch.cat([dec4, conv3], 1))
        dec2 = self.dec2(torch.cat([dec3, conv2], 1))
        dec0 = self.dec0(self.dec1(dec2))
        out = self.final(dec0)
        return F.log_softmax(out, dim=1) if self.num_classes > 1 else out


# ---------------------------------------------------------------------------
# selim_zoo's EncoderDecoder with its Resnet and SCSEUnet variants.

ENCODER_PARAMS = {
    "resnet18": dict(filters=[64, 64, 128, 256, 512], decoder_filters=[64, 128, 256, 256], last_upsample=64),
    "resnet34": dict(filters=[64, 64, 128, 256, 512], decoder_filters=[64, 128, 256, 256], last_upsample=64),
    "resnet50": dict(filters=[64, 256, 512, 1024, 2048], decoder_filters=[64, 128, 256, 256], last_upsample=64),
    "resnet101": dict(filters=[64, 256, 512, 1024, 2048], decoder_filters=[64, 128, 256, 256], last_upsample=64),
    # No 'last_upsample' entry: decoder_filters[0] // 2.
    "seresnext50": dict(filters=[64, 256, 512, 1024, 2048], decoder_filters=[64, 128, 256, 384], last_upsample=32),
}


class ConvBottleneck(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.seq = nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(inplace=True))

    def forward(self, dec, enc):
        return self.seq(torch.cat([dec, enc], dim=1))


class ConvSCSEBottleneckNoBn(nn.Module):
    def __init__(self, in_channels, out_channels, reduction=2):
        super().__init__()
        self.seq = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            SCSEModule(out_channels, reduction=reduction, mode="maxout"),
        )

    def forward(self, dec, enc):
        return self.seq(torch.cat([dec, enc], dim=1))


class UnetDecoderBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.layer = nn.Sequential(
            nn.Upsample(scale_factor=2),
            nn.Conv2d(in_channels, out_channels, 3, padding=1),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.layer(x)


class EncoderDecoder(nn.Module):
    """first_layer_stride_two is True for both variants used here."""

    def __init__(self, num_classes, arch, bottleneck_type):
        super().__init__()
        p = ENCODER_PARAMS[arch]
        self.filters, self.decoder_filters = p["filters"], p["decoder_filters"]
        self.bottlenecks = nn.ModuleList([
            bottleneck_type(self.filters[-i - 2] + f, f) for i, f in enumerate(reversed(self.decoder_filters))
        ])
        self.decoder_stages = nn.ModuleList([self.get_decoder(i) for i in range(len(self.decoder_filters))])
        self.last_upsample = UnetDecoderBlock(self.decoder_filters[0], p["last_upsample"])
        self.final = nn.Sequential(nn.Conv2d(p["last_upsample"], num_classes, 1, padding=0))
        encoder = self.make_encoder(arch)
        self.encoder_stages = nn.ModuleList([self.get_encoder(encoder, i) for i in range(5)])

    def get_decoder(self, layer):
        n = len(self.decoder_filters)
        in_channels = self.filters[layer + 1] if layer + 1 == n else self.decoder_filters[layer + 1]
        return UnetDecoderBlock(in_channels, self.decoder_filters[layer])

    def forward(self, x):
        enc_results = []
        for stage in self.encoder_stages:
            x = stage(x)
            enc_results.append(x)
        x = enc_results[-1]
        for idx, bottleneck in enumerate(self.bottlenecks):
            rev_idx = -(idx + 1)
            x = self.decoder_stages[rev_idx](x)
            x = bottleneck(x, enc_results[rev_idx - 1])
        return self.final(self.last_upsample(x))


class ResnetUnet(EncoderDecoder):
    def __init__(self, seg_classes, backbone_arch):
        super().__init__(seg_classes, backbone_arch, ConvBottleneck)

    def make_encoder(self, arch):
        return getattr(torchvision.models, arch)(weights=None)

    def get_encoder(self, e, layer):
        return [nn.Sequential(e.conv1, e.bn1, e.relu), nn.Sequential(e.maxpool, e.layer1),
                e.layer2, e.layer3, e.layer4][layer]


class SCSEUnet(EncoderDecoder):
    def __init__(self, seg_classes, backbone_arch="seresnext50"):
        super().__init__(seg_classes, backbone_arch, ConvSCSEBottleneckNoBn)

    def make_encoder(self, arch):
        return SEResNeXt()

    def get_encoder(self, e, layer):
        return [e.layer0, nn.Sequential(e.pool, e.layer1), e.layer2, e.layer3, e.layer4][layer]


# ---------------------------------------------------------------------------
# Writing.


def write_keys(name, model):
    count = sum(p.numel() for p in model.parameters())
    lines = ["# parameters %d" % count]
    for key, t in sorted(model.state_dict().items()):
        shape = "x".join(str(d) for d in t.shape) if t.dim() else "-"
        dtype = {torch.float32: "float32", torch.int64: "int64"}[t.dtype]
        lines.append("%s %s %s" % (key, dtype, shape))
    with open(os.path.join(OUT_DIR, "keys_%s.txt" % name), "w") as f:
        f.write("\n".join(lines) + "\n")
    return count


def sample(t):
    flat = t.reshape(-1)
    if flat.numel() <= 16384:
        return flat
    stride = flat.numel() // 4096
    return flat[: 4096 * stride : stride]


def run_case(model, tensors, case, size, eval_batch=1, train_batch=0, grads=(), after=()):
    """Fills the model, then evaluates it (and trains one step's forward/backward) in float64."""
    fill_model(model)
    model.double()
    x = torch.from_numpy(fill_values("input", (eval_batch, 3, size, size))).double()
    model.eval()
    with torch.no_grad():
        tensors[case + ".out"] = sample(model(x)).float()
    if train_batch:
        model.train()
        x = torch.from_numpy(fill_values("input", (train_batch, 3, size, size))).double().requires_grad_(True)
        out = model(x)
        g = torch.from_numpy(fill_values("grad_output", tuple(out.shape))).double()
        params = dict(model.named_parameters())
        model.zero_grad()
        (out * g).sum().backward()
        tensors[case + ".train_out"] = sample(out.detach()).float()
        tensors[case + ".grad_input"] = sample(x.grad).float()
        for p in grads:
            tensors[case + ".grad." + p] = sample(params[p].grad).float()
        buffers = dict(model.named_buffers())
        for b in after:
            tensors[case + ".after." + b] = buffers[b].float()
    model.float()


def albunet():
    tensors = {"fill." + n: torch.from_numpy(fill_values(n, shape)) for n, shape in FILL_CHECKS}
    grads = ["encoder.conv1.weight", "encoder.bn1.bias", "encoder.layer1.0.conv1.weight",
             "encoder.layer2.0.downsample.0.weight", "encoder.layer4.1.bn2.weight",
             "center.block.1.conv.weight", "dec2.block.2.conv.bias", "dec0.conv.weight",
             "final.weight", "final.bias"]
    m = AlbuNet()
    run_case(m, tensors, "s64", 64, train_batch=2, grads=grads, after=["encoder.bn1.running_mean"])
    run_case(m, tensors, "s256", 256)
    deconv_grads = ["encoder.conv1.weight", "center.block.0.conv.weight", "center.block.1.weight",
                    "dec1.block.1.bias", "dec0.conv.weight", "final.weight"]
    run_case(AlbuNet(is_deconv=True), tensors, "deconv64", 64, train_batch=2, grads=deconv_grads)
    run_case(AlbuNet(num_classes=3), tensors, "classes3_64", 64, train_batch=1, grads=["final.bias"])
    reftensors.save(os.path.join(OUT_DIR, "albunet.bin"), tensors)


def scse_unet():
    tensors = {}
    grads = ["encoder_stages.0.conv1.weight", "encoder_stages.1.1.0.se_module.fc1.weight",
             "encoder_stages.1.1.0.downsample.1.weight", "encoder_stages.3.2.conv2.weight",
             "encoder_stages.4.2.bn3.bias", "bottlenecks.0.seq.2.spatial_se.0.weight",
             "bottlenecks.3.seq.2.fc2.bias", "bottlenecks.3.seq.0.weight", "decoder_stages.0.layer.1.weight",
             "last_upsample.layer.1.weight", "final.0.weight", "final.0.bias"]
    m = SCSEUnet(1)
    run_case(m, tensors, "s64", 64, train_batch=2, grads=grads,
             after=["encoder_stages.0.bn1.running_mean", "encoder_stages.4.2.bn3.running_mean"])
    run_case(m, tensors, "s256", 256)
    reftensors.save(os.path.join(OUT_DIR, "scse_unet.bin"), tensors)


def resnet_unet():
    tensors = {}
    grads = ["encoder_stages.0.0.weight", "encoder_stages.0.1.weight", "encoder_stages.1.1.0.downsample.0.weight",
             "encoder_stages.4.2.conv3.weight", "bottlenecks.1.seq.0.weight", "decoder_stages.3.layer.1.bias",
             "last_upsample.layer.1.weight", "final.0.weight"]
    m = ResnetUnet(1, "resnet50")
    run_case(m, tensors, "resnet50_64", 64, train_batch=2, grads=grads,
             after=["encoder_stages.0.1.running_mean"])
    run_case(m, tensors, "resnet50_256", 256)
    run_case(ResnetUnet(1, "resnet34"), tensors, "resnet34_64", 64, train_batch=1,
             grads=["encoder_stages.1.1.0.conv2.weight", "final.0.weight"])
    reftensors.save(os.path.join(OUT_DIR, "resnet_unet.bin"), tensors)


def encoders():
    """The ImageNet classifiers themselves: torchvision's ResNet18 at 64x64 and
    Cadene's SE-ResNeXt50 at 224x224 (its 7x7 average pool needs that size)."""
    tensors = {}
    run_case(torchvision.models.resnet18(weights=None), tensors, "resnet18_64", 64, train_batch=2,
             grads=["fc.weight", "fc.bias", "layer3.0.downsample.0.weight"])
    run_case(SEResNeXt(), tensors, "se_resnext50_224", 224)
    reftensors.save(os.path.join(OUT_DIR, "encoders.bin"), tensors)


def key_lists():
    counts = {}
    counts["albunet"] = write_keys("albunet", AlbuNet())
    counts["albunet_deconv"] = write_keys("albunet_deconv", AlbuNet(is_deconv=True))
    counts["scse_unet"] = write_keys("scse_unet", SCSEUnet(1))
    for arch in ["resnet18", "resnet34", "resnet50", "resnet101"]:
        counts[arch + "_unet"] = write_keys(arch + "_unet", ResnetUnet(1, arch))
        # The encoders as their ImageNet files name them (torchvision, with fc).
        counts[arch] = write_keys(arch, getattr(torchvision.models, arch)(weights=None))
    counts["se_resnext50_32x4d"] = write_keys("se_resnext50_32x4d", SEResNeXt())
    for k, v in counts.items():
        print("%-20s %d parameters" % (k, v))


if __name__ == "__main__":
    torch.manual_seed(0)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    os.makedirs(OUT_DIR, exist_ok=True)
    key_lists()
    encoders()
    albunet()
    scse_unet()
    resnet_unet()
