"""d2l 6.5 Pooling (汇聚层), the book's code with one print per value it displays (mirror of
packages/ts-api/examples/d2l/pooling.ts)."""
import torch
from torch import nn
from common import show


# 6.5.1 Maximum pooling and average pooling (最大汇聚层和平均汇聚层)
def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y


X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
show(pool2d(X, (2, 2)))
show(pool2d(X, (2, 2), 'avg'))

# 6.5.2 Padding and stride (填充和步幅)
X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
show(X)

pool2d = nn.MaxPool2d(3)
show(pool2d(X))

pool2d = nn.MaxPool2d(3, padding=1, stride=2)
show(pool2d(X))

pool2d = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))
show(pool2d(X))

# 6.5.3 Multiple channels (多个通道)
X = torch.cat((X, X + 1), 1)
show(X)

pool2d = nn.MaxPool2d(3, padding=1, stride=2)
show(pool2d(X))
