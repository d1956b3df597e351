"""d2l 4.5 Weight Decay (权重衰减), the book's code (mirror of packages/ts-api/examples/d2l/weight-decay.ts).
The data, the initial weights and the batch order are random draws, shared with the port (shared.py,
d2l_torch.py); d2l.Animator's stand-in prints the last point of the loss curves the book plots."""
import torch
from torch import nn
import d2l_torch as d2l
from shared import shared

torch.manual_seed(0)

n_train, n_test, num_inputs, batch_size = 20, 100, 200, 5
true_w, true_b = torch.ones((num_inputs, 1)) * 0.01, 0.05
train_data = d2l.synthetic_data(true_w, true_b, n_train)
train_iter = d2l.load_array(train_data, batch_size)
test_data = d2l.synthetic_data(true_w, true_b, n_test)
test_iter = d2l.load_array(test_data, batch_size, is_train=False)


# 4.5.2.1 Initializing model parameters (初始化模型参数)
def init_params():
    w = shared('w', torch.normal(0, 1, size=(num_inputs, 1), requires_grad=True))
    b = torch.zeros(1, requires_grad=True)
    return [w, b]


# 4.5.2.2 Defining the L2 norm penalty (定义L2范数惩罚)
def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


# 4.5.2.3 Defining the training loop (定义训练代码实现)
def train(lambd):
    w, b = init_params()
    net, loss = lambda X: d2l.linreg(X, w, b), d2l.squared_loss
    num_epochs, lr = 100, 0.003
    animator = d2l.Animator(xlabel='epochs', ylabel='loss', yscale='log',
                            xlim=[5, num_epochs], legend=['train', 'test'])
    for epoch in range(num_epochs):
        for X, y in train_iter:
            # 增加了L2范数惩罚项，
            # 广播机制使l2_penalty(w)成为一个长度为batch_size的向量
            l = loss(net(X), y) + lambd * l2_penalty(w)
            l.sum().backward()
            d2l.sgd([w, b], lr, batch_size)
        if (epoch + 1) % 5 == 0:
            animator.add(epoch + 1, (d2l.evaluate_loss(net, train_iter, loss),
                                     d2l.evaluate_loss(net, test_iter, loss)))
    print('w的L2范数是：', torch.norm(w).item())


# 4.5.2.4 Training without regularization (忽略正则化直接训练)
train(lambd=0)

# 4.5.2.5 Using weight decay (使用权重衰减)
train(lambd=3)


# 4.5.3 Concise implementation (简洁实现)
def train_concise(wd):
    net = nn.Sequential(nn.Linear(num_inputs, 1))
    for param in net.parameters():
        param.data.normal_()
    shared('net', net)
    loss = nn.MSELoss(reduction='none')
    num_epochs, lr = 100, 0.003
    # 偏置参数没有衰减
    trainer = torch.optim.SGD([
        {"params": net[0].weight, 'weight_decay': wd},
        {"params": net[0].bias}], lr=lr)
    animator = d2l.Animator(xlabel='epochs', ylabel='loss', yscale='log',
                            xlim=[5, num_epochs], legend=['train', 'test'])
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            l = loss(net(X), y)
            l.mean().backward()
            trainer.step()
        if (epoch + 1) % 5 == 0:
            animator.add(epoch + 1,
                         (d2l.evaluate_loss(net, train_iter, loss),
                          d2l.evaluate_loss(net, test_iter, loss)))
    print('w的L2范数：', net[0].weight.norm().item())


train_concise(0)
train_concise(3)
