"""d2l 4.4 Model Selection, Underfitting, and Overfitting (模型选择、欠拟合和过拟合), the book's polynomial
regression (mirror of packages/ts-api/examples/d2l/model-selection.ts). NumPy's draws (the features after
the shuffle, the label noise) and the initial weights are shared with the port (shared.py); the batch
orders too with D2L_SHARE_ORDERS=1 (d2l_torch.py). d2l.Animator's stand-in prints a point every 20 epochs."""
import math
import os

import numpy as np
import torch
from torch import nn
from torch.utils import data
import d2l_torch as d2l
from common import show
from shared import recording_sampler, shared

torch.manual_seed(0)
np.random.seed(0)

# 4.4.4.1 Generating the dataset (生成数据集)
max_degree = 20  # 多项式的最大阶数
n_train, n_test = 100, 100  # 训练和测试数据集大小
true_w = np.zeros(max_degree)  # 分配大量的空间
true_w[0:4] = np.array([5, 1.2, -3.4, 5.6])

features = np.random.normal(size=(n_train + n_test, 1))
np.random.shuffle(features)
shared('features', torch.tensor(features, dtype=torch.float32))  # recorded for the port, whose tensors are float32
poly_features = np.power(features, np.arange(max_degree).reshape(1, -1))
for i in range(max_degree):
    poly_features[:, i] /= math.gamma(i + 1)  # gamma(n)=(n-1)!
# labels的维度:(n_train+n_test,)
labels = np.dot(poly_features, true_w)
noise = np.random.normal(scale=0.1, size=labels.shape)
shared('noise', torch.tensor(noise, dtype=torch.float32))
labels += noise

# NumPy ndarray转换为tensor
true_w, features, poly_features, labels = [torch.tensor(x, dtype=
    torch.float32) for x in [true_w, features, poly_features, labels]]

# the notebook displays the tuple
show((features[:2], poly_features[:2, :], labels[:2]))


# 4.4.4.2 Training and testing the model (对模型进行训练和测试)
# The book defines evaluate_loss here (#@save); d2l_torch.py holds it as written
evaluate_loss = d2l.evaluate_loss


def load_array(data_arrays, batch_size, is_train=True):
    """d2l.load_array; with D2L_SHARE_ORDERS=1 its shuffles go through the recording sampler."""
    if os.environ.get('D2L_SHARE_ORDERS') == '1':
        return d2l.load_array(data_arrays, batch_size, is_train)
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def train(train_features, test_features, train_labels, test_labels,
          num_epochs=400):
    loss = nn.MSELoss(reduction='none')
    input_shape = train_features.shape[-1]
    # 不设置偏置，因为我们已经在多项式中实现了它
    net = shared('net', nn.Sequential(nn.Linear(input_shape, 1, bias=False)))
    batch_size = min(10, train_labels.shape[0])
    train_iter = load_array((train_features, train_labels.reshape(-1,1)),
                            batch_size)
    test_iter = load_array((test_features, test_labels.reshape(-1,1)),
                           batch_size, is_train=False)
    trainer = torch.optim.SGD(net.parameters(), lr=0.01)
    animator = d2l.Animator(xlabel='epoch', ylabel='loss', yscale='log',
                            xlim=[1, num_epochs], ylim=[1e-3, 1e2],
                            legend=['train', 'test'], every_point=True)
    for epoch in range(num_epochs):
        d2l.train_epoch_ch3(net, train_iter, loss, trainer)
        if epoch == 0 or (epoch + 1) % 20 == 0:
            animator.add(epoch + 1, (evaluate_loss(net, train_iter, loss),
                                     evaluate_loss(net, test_iter, loss)))
    print('weight:', net[0].weight.data.numpy())


# 4.4.4.3 Third-order polynomial function fitting (三阶多项式函数拟合(正常))
# 从多项式特征中选择前4个维度，即1,x,x^2/2!,x^3/3!
train(poly_features[:n_train, :4], poly_features[n_train:, :4],
      labels[:n_train], labels[n_train:])

# 4.4.4.4 Linear function fitting (线性函数拟合(欠拟合))
# 从多项式特征中选择前2个维度，即1和x
train(poly_features[:n_train, :2], poly_features[n_train:, :2],
      labels[:n_train], labels[n_train:])

# 4.4.4.5 Higher-order polynomial function fitting (高阶多项式函数拟合(过拟合))
# 从多项式特征中选取所有维度
train(poly_features[:n_train, :], poly_features[n_train:, :],
      labels[:n_train], labels[n_train:], num_epochs=1500)
