"""d2l 7.7 Densely Connected Networks (稠密连接网络, DenseNet), the book's code with one print per value it
displays (mirror of packages/ts-api/examples/d2l/densenet.ts). Only output shapes are printed, as lists:
the random inputs and weights are not shared. The book has no shape walk through the whole net in this
section; the last loop walks a 96×96 image (the size the book trains on) as 7.6 does. The book's training
call is left out here and in the port."""
import torch
from torch import nn
from common import show


# 7.7.2 Dense blocks (稠密块体)
def conv_block(input_channels, num_channels):
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, input_channels, num_channels):
        super(DenseBlock, self).__init__()
        layer = []
        for i in range(num_convs):
            layer.append(conv_block(
                num_channels * i + input_channels, num_channels))
        self.net = nn.Sequential(*layer)

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            # 连接通道维度上每个块的输入和输出
            X = torch.cat((X, Y), dim=1)
        return X


blk = DenseBlock(2, 3, 10)
X = torch.randn(4, 3, 8, 8)
Y = blk(X)
show(list(Y.shape))


# 7.7.3 Transition layers (过渡层)
def transition_block(input_channels, num_channels):
    return nn.Sequential(
        nn.BatchNorm2d(input_channels), nn.ReLU(),
        nn.Conv2d(input_channels, num_channels, kernel_size=1),
        nn.AvgPool2d(kernel_size=2, stride=2))


blk = transition_block(23, 10)
show(list(blk(Y).shape))

# 7.7.4 The DenseNet model (DenseNet模型)
b1 = nn.Sequential(
    nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
    nn.BatchNorm2d(64), nn.ReLU(),
    nn.MaxPool2d(kernel_size=3, stride=2, padding=1))

# num_channels为当前的通道数
num_channels, growth_rate = 64, 32
num_convs_in_dense_blocks = [4, 4, 4, 4]
blks = []
for i, num_convs in enumerate(num_convs_in_dense_blocks):
    blks.append(DenseBlock(num_convs, num_channels, growth_rate))
    # 上一个稠密块的输出通道数
    num_channels += num_convs * growth_rate
    # 在稠密块之间添加一个转换层，使通道数量减半
    if i != len(num_convs_in_dense_blocks) - 1:
        blks.append(transition_block(num_channels, num_channels // 2))
        num_channels = num_channels // 2

net = nn.Sequential(
    b1, *blks,
    nn.BatchNorm2d(num_channels), nn.ReLU(),
    nn.AdaptiveAvgPool2d((1, 1)),
    nn.Flatten(),
    nn.Linear(num_channels, 10))

# Not in the book: the shape walk of 7.6, on a 96×96 image.
X = torch.rand(size=(1, 1, 96, 96))
for layer in net:
    X = layer(X)
    show(layer.__class__.__name__, 'output shape:\t', list(X.shape))

# 7.7.5 Training (训练模型): the book's d2l.train_ch6(net, ...) for 10 epochs on Fashion-MNIST at 96×96
# (lr 0.1, batch 256) is left out: it runs for many minutes.
