"""The pieces of the book's d2l library (`from d2l import torch as d2l`) that the mirrors call, as the
library writes them; their random draws are shared with the port (shared.py). d2l.Animator draws the
curves; its stand-in prints their last point. Mirrored by packages/ts-api/examples/d2l/d2l.ts."""
import torch
from torch.utils import data

from shared import recording_sampler, shared


def synthetic_data(w, b, num_examples):
    """生成y=Xw+b+噪声"""
    X = shared('synthetic_data.X', torch.normal(0, 1, (num_examples, len(w))))
    y = torch.matmul(X, w) + b
    y += shared('synthetic_data.noise', torch.normal(0, 0.01, y.shape))
    return X, y.reshape((-1, 1))


def load_array(data_arrays, batch_size, is_train=True):
    """构造一个PyTorch数据迭代器 (shuffle=is_train, through the recording sampler)"""
    dataset = data.TensorDataset(*data_arrays)
    if is_train:
        return data.DataLoader(dataset, batch_size, sampler=recording_sampler('order', dataset))
    return data.DataLoader(dataset, batch_size, shuffle=False)


def linreg(X, w, b):
    """线性回归模型"""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """均方损失"""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def sgd(params, lr, batch_size):
    """小批量随机梯度下降"""
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()


class Accumulator:
    """在n个变量上累加"""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, idx):
        return self.data[idx]


def evaluate_loss(net, data_iter, loss):
    """评估给定数据集上模型的损失"""
    metric = Accumulator(2)  # 损失的总和,样本数量
    for X, y in data_iter:
        out = net(X)
        y = y.reshape(out.shape)
        l = loss(out, y)
        metric.add(l.sum(), l.numel())
    return metric[0] / metric[1]


class Animator:
    """Stand-in for d2l.Animator: prints the last point of the curves (x == xlim[1]) instead of drawing them."""

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale='linear',
                 yscale='linear', **kwargs):
        self.xlabel, self.legend, self.xlim = xlabel, legend or [], xlim

    def add(self, x, y):
        if self.xlim is not None and x == self.xlim[1]:
            print(f'{self.xlabel} {x}:', ', '.join(f'{name} {v}' for name, v in zip(self.legend, y)))


def corr2d(X, K):
    """计算二维互相关运算"""
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
