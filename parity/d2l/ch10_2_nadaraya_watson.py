"""d2l 10.2 Attention Pooling: Nadaraya-Watson Kernel Regression (注意力汇聚：Nadaraya-Watson 核回归), the
book's code with one print per value it displays (mirror of packages/ts-api/examples/d2l/nadaraya-watson.ts).
The plots are left out: plot_kernel_reg's stand-in prints the first predictions instead, the heat maps are
not drawn. The data and the initial weight are random draws, shared with the port (shared.py)."""
import torch
from torch import nn
from common import show
from shared import shared

torch.manual_seed(0)

# 10.2.1 Generating the dataset (生成数据集)
n_train = 50  # 训练样本数
x_train, _ = torch.sort(shared('rand', torch.rand(n_train)) * 5)   # 排序后的训练样本


def f(x):
    return 2 * torch.sin(x) + x**0.8


y_train = f(x_train) + shared('noise', torch.normal(0.0, 0.5, (n_train,)))  # 训练样本的输出
x_test = torch.arange(0, 5, 0.1)  # 测试样本
y_truth = f(x_test)  # 测试样本的真实输出
n_test = len(x_test)  # 测试样本数
show(n_test)


def plot_kernel_reg(y_hat):
    """Stand-in for the book's plot of the truth and the predictions: the first 5 predictions."""
    show(y_hat.reshape(-1)[:5])


# 10.2.2 Average pooling (平均汇聚)
y_hat = torch.repeat_interleave(y_train.mean(), n_test)
plot_kernel_reg(y_hat)

# 10.2.3 Nonparametric attention pooling (非参数注意力汇聚)
# X_repeat的形状:(n_test,n_train),
# 每一行都包含着相同的测试输入（例如：同样的查询）
X_repeat = x_test.repeat_interleave(n_train).reshape((-1, n_train))
# x_train包含着键。attention_weights的形状：(n_test,n_train),
# 每一行都包含着要在给定的每个查询的值（y_train）之间分配的注意力权重
attention_weights = nn.functional.softmax(-(X_repeat - x_train)**2 / 2, dim=1)
# y_hat的每个元素都是值的加权平均值，其中的权重是注意力权重
y_hat = torch.matmul(attention_weights, y_train)
plot_kernel_reg(y_hat)
# d2l.show_heatmaps(attention_weights.unsqueeze(0).unsqueeze(0), ...) is not drawn.

# 10.2.4 Parametric attention pooling (带参数注意力汇聚): batched matrix multiplication (批量矩阵乘法)
X = torch.ones((2, 1, 4))
Y = torch.ones((2, 4, 6))
show(list(torch.bmm(X, Y).shape))

weights = torch.ones((2, 10)) * 0.1
values = torch.arange(20.0).reshape((2, 10))
show(torch.bmm(weights.unsqueeze(1), values.unsqueeze(-1)))


# Defining the model (定义模型)
class NWKernelRegression(nn.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = nn.Parameter(torch.rand((1,), requires_grad=True))

    def forward(self, queries, keys, values):
        # queries和attention_weights的形状为(查询个数，“键－值”对个数)
        queries = queries.repeat_interleave(keys.shape[1]).reshape((-1, keys.shape[1]))
        self.attention_weights = nn.functional.softmax(
            -((queries - keys) * self.w)**2 / 2, dim=1)
        # values的形状为(查询个数，“键－值”对个数)
        return torch.bmm(self.attention_weights.unsqueeze(1),
                         values.unsqueeze(-1)).reshape(-1)


# Training (训练)
# X_tile的形状:(n_train，n_train)，每一行都包含着相同的训练输入
X_tile = x_train.repeat((n_train, 1))
# Y_tile的形状:(n_train，n_train)，每一行都包含着相同的训练输出
Y_tile = y_train.repeat((n_train, 1))
# keys的形状:('n_train'，'n_train'-1)
keys = X_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))
# values的形状:('n_train'，'n_train'-1)
values = Y_tile[(1 - torch.eye(n_train)).type(torch.bool)].reshape((n_train, -1))

net = shared('net', NWKernelRegression())
loss = nn.MSELoss(reduction='none')
trainer = torch.optim.SGD(net.parameters(), lr=0.5)
# animator = d2l.Animator(xlabel='epoch', ylabel='loss', xlim=[1, 5]): the loss is printed below.

for epoch in range(5):
    trainer.zero_grad()
    l = loss(net(x_train, keys, values), y_train)
    l.sum().backward()
    trainer.step()
    print(f'epoch {epoch + 1}, loss {float(l.sum()):.6f}')

# keys的形状:(n_test，n_train)，每一行包含着相同的训练输入（例如，相同的键）
keys = x_train.repeat((n_test, 1))
# value的形状:(n_test，n_train)
values = y_train.repeat((n_test, 1))
y_hat = net(x_test, keys, values).unsqueeze(1).detach()
plot_kernel_reg(y_hat)
# d2l.show_heatmaps(net.attention_weights.unsqueeze(0).unsqueeze(0), ...) is not drawn.
