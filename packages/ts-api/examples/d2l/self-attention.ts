// d2l.ai 10.6 "自注意力和位置编码" (self-attention and positional encoding), ported with the structure of
// the book's code. 10.6.1's self-attention example (d2l.MultiHeadAttention on ones((2, 4, 100))) is left
// out: MultiHeadAttention belongs to 10.5, ported on its own. PositionalEncoding (#@save) lives in
// ./d2l.ts. Nothing is random (dropout 0, eval mode). Instead of the plot and the heatmap it prints a few
// rows and columns of P. Mirror: parity/d2l/ch10_6_self_attention.py.
//   node --import tsx examples/d2l/self-attention.ts
// `P[:, :, 0::2] = v` is P.indexPut_([':', ':', '0::2'], v); `P[:, :X.shape[1], :]` is P.index(':', `:${n}`, ':').

import { zeros } from '../../src/index.js';
import * as d2l from './d2l.js';

// 10.6.1 Self-attention (自注意力): left out (d2l.MultiHeadAttention, 10.5)

// 10.6.3 Positional encoding (位置编码)
// PositionalEncoding: d2l.PositionalEncoding (./d2l.ts)
const PositionalEncoding = d2l.PositionalEncoding;

const [encodingDim, numSteps] = [32, 60];
const posEncoding = new PositionalEncoding(encodingDim, 0);
posEncoding.eval();
const X = posEncoding.forward(zeros([1, numSteps, encodingDim]));
let P = posEncoding.P.index(':', `:${X.shape[1]}`, ':');
console.log(X.shape, P.shape);
// d2l.plot(torch.arange(num_steps), P[0, :, 6:10].T, xlabel='Row (position)',
//          figsize=(6, 2.5), legend=["Col %d" % d for d in np.arange(6, 10)])
console.log(P.index(0, ':4', '6:10'));
console.log(P.index(0, '-2:', '6:10'));

// 10.6.3.1 Absolute positional information (绝对位置信息)
for (let i = 0; i < 8; i++) {
  console.log(`${i}的二进制是：${i.toString(2).padStart(3, '0')}`);
}

P = P.index(0, ':', ':').unsqueeze(0).unsqueeze(0);
// d2l.show_heatmaps(P, xlabel='Column (encoding dimension)', ylabel='Position (row)', figsize=(3.5, 4), cmap='Blues')
console.log(P.shape);
console.log(P.index(0, 0, ':3', ':8'));
console.log(P.index(0, 0, -1, '-8:'));
