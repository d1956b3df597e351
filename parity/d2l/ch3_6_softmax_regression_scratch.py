"""d2l 3.6 softmax回归的从零开始实现 (softmax regression from scratch), the book's code (mirror of
packages/ts-api/examples/d2l/softmax-regression-scratch.ts). W and the demo X are random draws shared with
the port (shared.py). The 10 passes' batch orders (2.4 MB, too big to commit) are shared only with
D2L_SHARE_ORDERS=1, as the live test does; otherwise each side shuffles with its own generator.
The Animator prints each epoch's point instead of plotting it; predict_ch3 prints the labels instead of
the images. Fashion-MNIST is read from the gzip files (no torchvision here)."""
import gzip
import os

import numpy as np
import torch

import d2l_torch as d2l
from common import show
from shared import recording_sampler, shared

torch.manual_seed(0)


def load_data_fashion_mnist(batch_size, root='/usr/share/datasets/fashion-mnist'):
    """d2l.load_data_fashion_mnist: ToTensor's images in [0, 1], the training set shuffled every pass."""
    def read(name, offset):
        with gzip.open(f'{root}/{name}', 'rb') as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)

    def dataset(prefix):
        X = torch.from_numpy(read(f'{prefix}-images-idx3-ubyte.gz', 16).copy()).float().div(255).reshape(-1, 1, 28, 28)
        y = torch.from_numpy(read(f'{prefix}-labels-idx1-ubyte.gz', 8).astype(np.int64))
        return torch.utils.data.TensorDataset(X, y)
    train = dataset('train')
    # shuffle=True's RandomSampler, whose orders are recorded when shared
    sampler = recording_sampler('order', train) if os.environ.get('D2L_SHARE_ORDERS') == '1' else None
    return (torch.utils.data.DataLoader(train, batch_size, shuffle=sampler is None, sampler=sampler),
            torch.utils.data.DataLoader(dataset('t10k'), batch_size, shuffle=False))


def get_fashion_mnist_labels(labels):
    """返回Fashion-MNIST数据集的文本标签"""
    text_labels = ['t-shirt', 'trouser', 'pullover', 'dress', 'coat',
                   'sandal', 'shirt', 'sneaker', 'bag', 'ankle boot']
    return [text_labels[int(i)] for i in labels]


batch_size = 256
train_iter, test_iter = load_data_fashion_mnist(batch_size)

# 3.6.1 初始化模型参数
num_inputs = 784
num_outputs = 10

W = shared('W', torch.normal(0, 0.01, size=(num_inputs, num_outputs), requires_grad=True))
b = torch.zeros(num_outputs, requires_grad=True)

# 3.6.2 定义softmax操作
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
show(X.sum(0, keepdim=True), X.sum(1, keepdim=True))


def softmax(X):
    X_exp = torch.exp(X)
    partition = X_exp.sum(1, keepdim=True)
    return X_exp / partition  # 这里应用了广播机制


X = shared('X', torch.normal(0, 1, (2, 5)))
X_prob = softmax(X)
show(X_prob, X_prob.sum(1))


# 3.6.3 定义模型
def net(X):
    return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)


# 3.6.4 定义损失函数
y = torch.tensor([0, 2])
y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
show(y_hat[[0, 1], y])


def cross_entropy(y_hat, y):
    return - torch.log(y_hat[range(len(y_hat)), y])


show(cross_entropy(y_hat, y))


# 3.6.5 分类精度
def accuracy(y_hat, y):
    """计算预测正确的数量"""
    if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(axis=1)
    cmp = y_hat.type(y.dtype) == y
    return float(cmp.type(y.dtype).sum())


show(accuracy(y_hat, y) / len(y))


def evaluate_accuracy(net, data_iter):
    """计算在指定数据集上模型的精度"""
    if isinstance(net, torch.nn.Module):
        net.eval()  # 将模型设置为评估模式
    metric = Accumulator(2)  # 正确预测数、预测总数
    with torch.no_grad():
        for X, y in data_iter:
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


class Accumulator:
    """在n个变量上累加"""

    def __init__(self, n):
        self.data = [0.0] * n

    def add(self, *args):
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def reset(self):
        self.data = [0.0] * len(self.data)

    def __getitem__(self, idx):
        return self.data[idx]


show(evaluate_accuracy(net, test_iter))


# 3.6.6 训练
def train_epoch_ch3(net, train_iter, loss, updater):
    """训练模型一个迭代周期（定义见第3章）"""
    # 将模型设置为训练模式
    if isinstance(net, torch.nn.Module):
        net.train()
    # 训练损失总和、训练准确度总和、样本数
    metric = Accumulator(3)
    for X, y in train_iter:
        # 计算梯度并更新参数
        y_hat = net(X)
        l = loss(y_hat, y)
        if isinstance(updater, torch.optim.Optimizer):
            # 使用PyTorch内置的优化器和损失函数
            updater.zero_grad()
            l.mean().backward()
            updater.step()
        else:
            # 使用定制的优化器和损失函数
            l.sum().backward()
            updater(X.shape[0])
        metric.add(float(l.sum()), accuracy(y_hat, y), y.numel())
    # 返回训练损失和训练精度
    return metric[0] / metric[2], metric[1] / metric[2]


class Animator:
    """在动画中绘制数据 (stand-in: prints each point, one line per x, instead of plotting it)"""

    def __init__(self, xlabel=None, ylabel=None, legend=None, xlim=None, ylim=None, xscale='linear',
                 yscale='linear', fmts=('-', 'm--', 'g-.', 'r:'), nrows=1, ncols=1, figsize=(3.5, 2.5)):
        self.xlabel, self.legend = xlabel, legend or []

    def add(self, x, y):
        print(f'{self.xlabel} {x}:', ', '.join(f'{name} {v}' for name, v in zip(self.legend, y)))


def train_ch3(net, train_iter, test_iter, loss, num_epochs, updater):
    """训练模型（定义见第3章）"""
    animator = Animator(xlabel='epoch', xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=['train loss', 'train acc', 'test acc'])
    for epoch in range(num_epochs):
        train_metrics = train_epoch_ch3(net, train_iter, loss, updater)
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, train_metrics + (test_acc,))
    train_loss, train_acc = train_metrics
    assert train_loss < 0.5, train_loss
    assert train_acc <= 1 and train_acc > 0.7, train_acc
    assert test_acc <= 1 and test_acc > 0.7, test_acc


lr = 0.1


def updater(batch_size):
    return d2l.sgd([W, b], lr, batch_size)


num_epochs = 10
train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater)


# 3.6.7 预测
def predict_ch3(net, test_iter, n=6):
    """预测标签（定义见第3章） (prints the titles the book draws above the images)"""
    for X, y in test_iter:
        break
    trues = get_fashion_mnist_labels(y)
    preds = get_fashion_mnist_labels(net(X).argmax(axis=1))
    titles = [true + '\n' + pred for true, pred in zip(trues, preds)]
    print('trues:', ', '.join(title.split('\n')[0] for title in titles[0:n]))
    print('preds:', ', '.join(title.split('\n')[1] for title in titles[0:n]))


predict_ch3(net, test_iter)
