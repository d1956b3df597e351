// Type-checked by the consumer test with module nodenext: CommonJS code that require()s the package.
import softmax = require('softmax-nn');

const t: softmax.Tensor = softmax.tensor([1, 2, 3]);
export const total: number = t.sum().item();
