// d2l.ai 10.3 "Attention Scoring Functions" (注意力评分函数), ported with the structure of the book's code:
// one console.log per value the book displays. The functions and classes this section saves to d2l
// (masked_softmax, AdditiveAttention, DotProductAttention; sequence_mask from 9.7) are imported from
// ./d2l.ts rather than written twice, so the one copy 10.5 calls is the one checked here against the
// book's in-section code (parity/d2l/ch10_3_attention_scoring.py). The heat maps become printed weights.
// The inputs and weights are random draws; shared() lets the test replay PyTorch's (./shared.ts).

import { arange, manualSeed, normal, ones, rand, tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

manualSeed(0);

// 10.3.1 Masked softmax operation (掩蔽softmax操作): d2l.maskedSoftmax, `X[~mask] = value` in
// d2l.sequenceMask as X.indexPut_([logicalNot(mask)], value).
const { maskedSoftmax } = d2l;

console.log(maskedSoftmax(shared('X', rand(2, 2, 4)), tensor([2, 3])));

console.log(maskedSoftmax(shared('X', rand(2, 2, 4)), tensor([[1, 3], [2, 4]])));

// 10.3.2 Additive attention (加性注意力): d2l.AdditiveAttention
let queries = shared('queries', normal(0, 1, [2, 1, 20]));
const keys = ones([2, 10, 2]);
// The minibatch of values: the two value matrices are the same.
const values = arange(40, { dtype: 'float32' }).reshape(1, 10, 4).repeat(2, 1, 1);
const validLens = tensor([2, 6]);

const additive = shared('attention', new d2l.AdditiveAttention(2, 20, 8, 0.1));
additive.eval();
console.log(additive.forward(queries, keys, values, validLens));

// d2l.show_heatmaps(attention.attention_weights.reshape((1, 1, 2, 10)), xlabel='Keys', ylabel='Queries')
console.log(additive.attentionWeights!.reshape(1, 1, 2, 10));

// 10.3.3 Scaled dot-product attention (缩放点积注意力): d2l.DotProductAttention
queries = shared('queries', normal(0, 1, [2, 1, 2]));
const attention = new d2l.DotProductAttention(0.5);
attention.eval();
console.log(attention.forward(queries, keys, values, validLens));

// d2l.show_heatmaps(attention.attention_weights.reshape((1, 1, 2, 10)), xlabel='Keys', ylabel='Queries')
console.log(attention.attentionWeights!.reshape(1, 1, 2, 10));
