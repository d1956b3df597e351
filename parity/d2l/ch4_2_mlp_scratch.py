"""d2l 4.2 多层感知机的从零开始实现 (multilayer perceptrons from scratch), the book's code (mirror of
packages/ts-api/examples/d2l/mlp-scratch.ts). W1 and W2 are random draws shared with the port (shared.py);
the 10 passes' batch orders only with D2L_SHARE_ORDERS=1, as the live test does. d2l.train_ch3's Animator
prints each epoch's point; predict_ch3 prints the labels. D2L_EPOCHS=n trains n epochs instead of 10."""
import torch
from torch import nn

import d2l_torch as d2l
from shared import shared

torch.manual_seed(0)

batch_size = 256
train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size)

# 4.2.1 初始化模型参数
num_inputs, num_outputs, num_hiddens = 784, 10, 256

W1 = shared('W1', nn.Parameter(torch.randn(
    num_inputs, num_hiddens, requires_grad=True) * 0.01))
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = shared('W2', nn.Parameter(torch.randn(
    num_hiddens, num_outputs, requires_grad=True) * 0.01))
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

params = [W1, b1, W2, b2]


# 4.2.2 激活函数
def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


# 4.2.3 模型
def net(X):
    X = X.reshape((-1, num_inputs))
    H = relu(X@W1 + b1)  # 这里“@”代表矩阵乘法
    return (H@W2 + b2)


# 4.2.4 损失函数
loss = nn.CrossEntropyLoss(reduction='none')

# 4.2.5 训练
num_epochs, lr = d2l.num_epochs_or(10), 0.1
updater = torch.optim.SGD(params, lr=lr)
d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, updater)

d2l.predict_ch3(net, test_iter)
