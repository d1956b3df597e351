"""d2l 3.6 softmax回归的从零开始实现 (softmax regression from scratch), the book's code (mirror of
packages/ts-api/examples/d2l/softmax-regression-scratch.ts). W and the demo X are random draws shared with
the port (shared.py). The 10 passes' batch orders (2.4 MB, too big to commit) are shared only with
D2L_SHARE_ORDERS=1, as the live test does; otherwise each side shuffles with its own generator.
What the book defines here for later chapters (accuracy, Accumulator, evaluate_accuracy, train_epoch_ch3 /
train_ch3, predict_ch3) lives in d2l_torch.py, where the 4.x mirrors take it, as the book's d2l library has it.
The Animator prints each epoch's point instead of plotting it; predict_ch3 prints the labels instead of
the images. Fashion-MNIST is read from the gzip files (no torchvision here)."""
import torch

import d2l_torch as d2l
from common import show
from shared import shared

torch.manual_seed(0)


load_data_fashion_mnist = d2l.load_data_fashion_mnist

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
accuracy = d2l.accuracy  # 计算预测正确的数量
show(accuracy(y_hat, y) / len(y))


evaluate_accuracy = d2l.evaluate_accuracy  # 计算在指定数据集上模型的精度 (and its Accumulator)
show(evaluate_accuracy(net, test_iter))


# 3.6.6 训练
train_ch3 = d2l.train_ch3  # train_epoch_ch3, the Animator (printing each epoch) and train_ch3

lr = 0.1


def updater(batch_size):
    return d2l.sgd([W, b], lr, batch_size)


num_epochs = 10
train_ch3(net, train_iter, test_iter, cross_entropy, num_epochs, updater)


# 3.6.7 预测
predict_ch3 = d2l.predict_ch3  # 预测标签


predict_ch3(net, test_iter)
