"""d2l 5.4 Custom Layers (自定义层), the book's code with one print per value it displays (mirror of
packages/ts-api/examples/d2l/custom-layers.ts). The inputs and weights are random draws, shared with the
port (shared.py) so that it prints the same numbers."""
import torch
import torch.nn.functional as F
from torch import nn
from common import show
from shared import shared

# Seed 1, not 0: with seed 0 both MyLinear outputs are all zeros (after the ReLU) and would check nothing.
torch.manual_seed(1)


# 5.4.1 Layers without parameters (不带参数的层)
class CenteredLayer(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, X):
        return X - X.mean()


layer = CenteredLayer()
show(layer(torch.FloatTensor([1, 2, 3, 4, 5])))

net = shared('net', nn.Sequential(nn.Linear(8, 128), CenteredLayer()))

Y = net(shared('X', torch.rand(4, 8)))
show(Y.mean())


# 5.4.2 Layers with parameters (带参数的层)
class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units,))

    def forward(self, X):
        linear = torch.matmul(X, self.weight.data) + self.bias.data
        return F.relu(linear)


linear = shared('linear', MyLinear(5, 3))
show(linear.weight)

show(linear(shared('X', torch.rand(2, 5))))

net = shared('net', nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)))
show(net(shared('X', torch.rand(2, 64))))
