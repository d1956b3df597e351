"""d2l 3.3 Concise Implementation of Linear Regression (线性回归的简洁实现), the book's code (mirror of
packages/ts-api/examples/d2l/linear-regression-concise.ts). The data, the initial weight and every pass's
batch order are random draws, shared with the port (shared.py, d2l_torch.py)."""
import torch
from torch import nn
import d2l_torch as d2l
from common import show
from shared import shared

torch.manual_seed(0)

# 3.3.1 Generating the dataset (生成数据集)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)

# 3.3.2 Reading the dataset (读取数据集): the book defines load_array here (#@save); d2l_torch.py holds
# it as written, its shuffling sampler recorded
load_array = d2l.load_array

batch_size = 10
data_iter = load_array((features, labels), batch_size)

show(next(iter(data_iter)))

# 3.3.3 Defining the model (定义模型)
# nn是神经网络的缩写
net = nn.Sequential(nn.Linear(2, 1))

# 3.3.4 Initializing model parameters (初始化模型参数)
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
shared('net', net)

# 3.3.5 Defining the loss function (定义损失函数)
loss = nn.MSELoss()

# 3.3.6 Defining the optimization algorithm (定义优化算法)
trainer = torch.optim.SGD(net.parameters(), lr=0.03)

# 3.3.7 Training (训练)
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')

w = net[0].weight.data
print('w的估计误差：', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('b的估计误差：', true_b - b)
