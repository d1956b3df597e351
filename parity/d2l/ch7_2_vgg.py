"""d2l 7.2 Networks Using Blocks (VGG) (使用块的网络（VGG）), the book's network and its block-by-block output
shapes (mirror of packages/ts-api/examples/d2l/vgg.ts). The shapes are printed as lists (the ports'
arrays), not torch.Size; the random input only feeds them, so it is not shared. print(...) of a block and
of the small net is not in the book: it checks the ports' printed models. No training (see the port)."""
import torch
from torch import nn
from common import show


# 7.2.1 VGG blocks (VGG块)
def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels,
                                kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


show(vgg_block(2, 64, 128))

# 7.2.2 The VGG network (VGG网络)
conv_arch = ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))


def vgg(conv_arch):
    conv_blks = []
    in_channels = 1
    # 卷积层部分
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels

    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        # 全连接层部分
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))


net = vgg(conv_arch)

X = torch.randn(size=(1, 1, 224, 224))
for blk in net:
    X = blk(X)
    show(blk.__class__.__name__, 'output shape:\t', list(X.shape))

# 7.2.3 Training the model (训练模型)
ratio = 4
small_conv_arch = [(pair[0], pair[1] // ratio) for pair in conv_arch]
net = vgg(small_conv_arch)
show(net)

# Training (d2l.train_ch6 at 224×224): not run (see the port).
