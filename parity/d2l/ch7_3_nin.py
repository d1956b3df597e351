"""d2l 7.3 Network in Network (NiN) (网络中的网络（NiN）), the book's network and its layer-by-layer output
shapes (mirror of packages/ts-api/examples/d2l/nin.ts). The shapes are printed as lists (the ports'
arrays), not torch.Size; the random input only feeds them, so it is not shared. print(net) is not in the
book: it checks the ports' printed models. No training (see the port)."""
import torch
from torch import nn
from common import show


# 7.3.1 NiN blocks (NiN块)
def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding),
        nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
        nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


# 7.3.2 The NiN model (NiN模型)
net = nn.Sequential(
    nin_block(1, 96, kernel_size=11, strides=4, padding=0),
    nn.MaxPool2d(3, stride=2),
    nin_block(96, 256, kernel_size=5, strides=1, padding=2),
    nn.MaxPool2d(3, stride=2),
    nin_block(256, 384, kernel_size=3, strides=1, padding=1),
    nn.MaxPool2d(3, stride=2),
    nn.Dropout(0.5),
    # 标签类别数是10
    nin_block(384, 10, kernel_size=3, strides=1, padding=1),
    nn.AdaptiveAvgPool2d((1, 1)),
    # 将四维的输出转成二维的输出，其形状为(批量大小,10)
    nn.Flatten())

X = torch.rand(size=(1, 1, 224, 224))
for layer in net:
    X = layer(X)
    show(layer.__class__.__name__, 'output shape:\t', list(X.shape))

show(net)

# 7.3.3 Training the model (训练模型): not run (see the port).
