"""d2l 10.6 自注意力和位置编码 (self-attention and positional encoding), the book's code (mirror of
packages/ts-api/examples/d2l/self-attention.ts). 10.6.1's self-attention example (d2l.MultiHeadAttention
on X = torch.ones((2, 4, 100))) is left out: MultiHeadAttention belongs to 10.5, ported on its own.
PositionalEncoding (#@save) lives in d2l_torch.py, as the book's d2l library has it. Nothing is random
(dropout 0, eval mode). Instead of the plots it prints a few rows and columns of P."""
import torch

import d2l_torch as d2l
from common import show

# 10.6.1 自注意力: left out (d2l.MultiHeadAttention, 10.5)

# 10.6.3 位置编码
PositionalEncoding = d2l.PositionalEncoding  # 位置编码

encoding_dim, num_steps = 32, 60
pos_encoding = PositionalEncoding(encoding_dim, 0)
pos_encoding.eval()
X = pos_encoding(torch.zeros((1, num_steps, encoding_dim)))
P = pos_encoding.P[:, :X.shape[1], :]
show(list(X.shape), list(P.shape))
# d2l.plot(torch.arange(num_steps), P[0, :, 6:10].T, xlabel='Row (position)',
#          figsize=(6, 2.5), legend=["Col %d" % d for d in np.arange(6, 10)])
show(P[0, :4, 6:10])
show(P[0, -2:, 6:10])

# 10.6.3.1 绝对位置信息
for i in range(8):
    print(f'{i}的二进制是：{i:>03b}')

P = P[0, :, :].unsqueeze(0).unsqueeze(0)
# d2l.show_heatmaps(P, xlabel='Column (encoding dimension)', ylabel='Position (row)', figsize=(3.5, 4), cmap='Blues')
show(list(P.shape))
show(P[0, 0, :3, :8])
show(P[0, 0, -1, -8:])
