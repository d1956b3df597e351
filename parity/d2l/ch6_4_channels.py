"""d2l 6.4 Multiple Input and Multiple Output Channels (多输入多输出通道), the book's code with one print
per value it displays (mirror of packages/ts-api/examples/d2l/channels.ts). The inputs of the 1×1
comparison are random draws, shared with the port (shared.py); the book only asserts on them."""
import torch
import d2l_torch as d2l
from common import show
from shared import shared

torch.manual_seed(0)


# 6.4.1 Multiple input channels (多输入通道)
def corr2d_multi_in(X, K):
    # 先遍历“X”和“K”的第0个维度（通道维度），再把它们加在一起
    return sum(d2l.corr2d(x, k) for x, k in zip(X, K))


X = torch.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])

show(corr2d_multi_in(X, K))


# 6.4.2 Multiple output channels (多输出通道)
def corr2d_multi_in_out(X, K):
    # 迭代“K”的第0个维度，每次都对输入“X”执行互相关运算。
    # 最后将所有结果都叠加在一起
    return torch.stack([corr2d_multi_in(X, k) for k in K], 0)


K = torch.stack((K, K + 1, K + 2), 0)
show(list(K.shape))

show(corr2d_multi_in_out(X, K))


# 6.4.3 1×1 convolutional layer (1×1 卷积层)
def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.reshape((c_i, h * w))
    K = K.reshape((c_o, c_i))
    # 全连接层中的矩阵乘法
    Y = torch.matmul(K, X)
    return Y.reshape((c_o, h, w))


X = shared('X', torch.normal(0, 1, (3, 3, 3)))
K = shared('K', torch.normal(0, 1, (2, 3, 1, 1)))

Y1 = corr2d_multi_in_out_1x1(X, K)
Y2 = corr2d_multi_in_out(X, K)
assert float(torch.abs(Y1 - Y2).sum()) < 1e-6
