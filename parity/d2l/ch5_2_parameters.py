"""d2l 5.2 Parameter Management (参数管理), the book's code with one print per value it displays (mirror of
packages/ts-api/examples/d2l/parameters.ts). Shapes print as lists and name/shape pairs as lists, as
JavaScript's console.log shows the port's arrays; the book's type(...) prints the class name. The random
draws (input, initial weights, the initialisers' draws) are shared with the port (shared.py)."""
import torch
from torch import nn
from common import show
from shared import shared as shared_draw

torch.manual_seed(0)

net = shared_draw('net', nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1)))
X = shared_draw('X', torch.rand(size=(2, 4)))
show(net(X))

# 5.2.1 Parameter access (参数访问)
show(net[2].state_dict())

# 5.2.1.1 Targeted parameters (目标参数)
show(type(net[2].bias).__name__)
show(net[2].bias)
show(net[2].bias.data)

show(net[2].weight.grad == None)  # noqa: E711 (the book's comparison)

# 5.2.1.2 All parameters at once (一次性访问所有参数)
show(*[[name, list(param.shape)] for name, param in net[0].named_parameters()])
show(*[[name, list(param.shape)] for name, param in net.named_parameters()])

show(net.state_dict()['2.bias'].data)


# 5.2.1.3 Collecting parameters from nested blocks (从嵌套块收集参数)
def block1():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                         nn.Linear(8, 4), nn.ReLU())


def block2():
    net = nn.Sequential()
    for i in range(4):
        # 在这里嵌套
        net.add_module(f'block {i}', block1())
    return net


rgnet = shared_draw('rgnet', nn.Sequential(block2(), nn.Linear(4, 1)))
show(rgnet(X))

show(rgnet)

show(rgnet[0][1][0].bias.data)


# 5.2.2 Parameter initialization (参数初始化)
# 5.2.2.1 Built-in initialization (内置初始化)
def init_normal(m):
    if type(m) == nn.Linear:
        shared_draw('weight', nn.init.normal_(m.weight, mean=0, std=0.01))
        nn.init.zeros_(m.bias)


net.apply(init_normal)
show(net[0].weight.data[0], net[0].bias.data[0])


def init_constant(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 1)
        nn.init.zeros_(m.bias)


net.apply(init_constant)
show(net[0].weight.data[0], net[0].bias.data[0])


def init_xavier(m):
    if type(m) == nn.Linear:
        shared_draw('weight', nn.init.xavier_uniform_(m.weight))


def init_42(m):
    if type(m) == nn.Linear:
        nn.init.constant_(m.weight, 42)


net[0].apply(init_xavier)
net[2].apply(init_42)
show(net[0].weight.data[0])
show(net[2].weight.data)


# 5.2.2.2 Custom initialization (自定义初始化)
def my_init(m):
    if type(m) == nn.Linear:
        print("Init", *[[name, list(param.shape)]
                        for name, param in m.named_parameters()][0])
        shared_draw('weight', nn.init.uniform_(m.weight, -10, 10))
        m.weight.data *= m.weight.data.abs() >= 5


net.apply(my_init)
show(net[0].weight[:2])

net[0].weight.data[:] += 1
net[0].weight.data[0, 0] = 42
show(net[0].weight.data[0])

# 5.2.3 Tied parameters (参数绑定)
# 我们需要给共享层一个名称，以便可以引用它的参数
shared = shared_draw('shared', nn.Linear(8, 8))
net = shared_draw('net', nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
                                      shared, nn.ReLU(),
                                      shared, nn.ReLU(),
                                      nn.Linear(8, 1)))
net(X)
# 检查参数是否相同
show(net[2].weight.data[0] == net[4].weight.data[0])
net[2].weight.data[0, 0] = 100
# 确保它们实际上是同一个对象，而不只是有相同的值
show(net[2].weight.data[0] == net[4].weight.data[0])
