// d2l.ai 10.5 "Multi-Head Attention" (多头注意力), ported with the structure of the book's code: one
// console.log per value the book displays. What this section saves to d2l (MultiHeadAttention,
// transpose_qkv, transpose_output) is imported from ./d2l.ts rather than written twice, so the one copy
// later sections call is the one checked here against the book's code (parity/d2l/ch10_5_*.py).
// `torch.repeat_interleave(valid_lens, repeats=num_heads, dim=0)` is repeatInterleave(validLens, numHeads, 0).
// The weights are random draws; shared() lets the test replay PyTorch's (./shared.ts).

import { manualSeed, ones, slice, tensor } from '../../src/index.js';
import * as d2l from './d2l.js';
import { shared } from './shared.js';

manualSeed(0);

// 10.5.3 Testing (测试)
const [numHiddens, numHeads] = [100, 5];
const attention = shared('attention', new d2l.MultiHeadAttention(numHiddens, numHiddens, numHiddens, numHiddens, numHeads, 0.5));
attention.eval();

const [batchSize, numQueries] = [2, 4];
const [numKvpairs, validLens] = [6, tensor([3, 2])];
const X = ones([batchSize, numQueries, numHiddens]);
const Y = ones([batchSize, numKvpairs, numHiddens]);
console.log(attention.forward(X, Y, Y, validLens).shape);
// Beyond the book, which shows only the shape: the output's numbers, so that they are checked too.
console.log(attention.forward(X, Y, Y, validLens).index(slice(), slice(), slice(null, 4)));
