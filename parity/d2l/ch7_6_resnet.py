"""d2l 7.6 Residual Networks (残差网络, ResNet), the book's code with one print per value it displays (mirror
of packages/ts-api/examples/d2l/resnet.ts). Only output shapes are printed, as lists (as the port's
console.log shows its arrays): the random inputs and weights are not shared. The book then trains the
net on Fashion-MNIST for 10 epochs; that call is left out here and in the port."""
import torch
from torch import nn
from torch.nn import functional as F
from common import show


# 7.6.2 Residual blocks (残差块)
class Residual(nn.Module):  #@save
    def __init__(self, input_channels, num_channels,
                 use_1x1conv=False, strides=1):
        super().__init__()
        self.conv1 = nn.Conv2d(input_channels, num_channels,
                               kernel_size=3, padding=1, stride=strides)
        self.conv2 = nn.Conv2d(num_channels, num_channels,
                               kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(input_channels, num_channels,
                                   kernel_size=1, stride=strides)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(num_channels)
        self.bn2 = nn.BatchNorm2d(num_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3:
            X = self.conv3(X)
        Y += X
        return F.relu(Y)


blk = Residual(3, 3)
X = torch.rand(4, 3, 6, 6)
Y = blk(X)
show(list(Y.shape))

blk = Residual(3, 6, use_1x1conv=True, strides=2)
show(list(blk(X).shape))

# 7.6.3 The ResNet model (ResNet模型)
b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                   nn.BatchNorm2d(64), nn.ReLU(),
                   nn.MaxPool2d(kernel_size=3, stride=2, padding=1))


def resnet_block(input_channels, num_channels, num_residuals,
                 first_block=False):
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(input_channels, num_channels,
                                use_1x1conv=True, strides=2))
        else:
            blk.append(Residual(num_channels, num_channels))
    return blk


b2 = nn.Sequential(*resnet_block(64, 64, 2, first_block=True))
b3 = nn.Sequential(*resnet_block(64, 128, 2))
b4 = nn.Sequential(*resnet_block(128, 256, 2))
b5 = nn.Sequential(*resnet_block(256, 512, 2))

net = nn.Sequential(b1, b2, b3, b4, b5,
                    nn.AdaptiveAvgPool2d((1, 1)),
                    nn.Flatten(), nn.Linear(512, 10))

X = torch.rand(size=(1, 1, 224, 224))
for layer in net:
    X = layer(X)
    show(layer.__class__.__name__, 'output shape:\t', list(X.shape))

# 7.6.4 Training (训练模型): the book's d2l.train_ch6(net, ...) for 10 epochs on Fashion-MNIST at 96×96
# (lr 0.05, batch 256) is left out: it runs for many minutes.
