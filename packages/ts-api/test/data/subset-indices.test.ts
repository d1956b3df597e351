// data.subset's indices become an Int32Array: an index that is not an integer of the dataset must be
// an error, never wrapped (2**32 + 3 → 3) or truncated (1.7 → 1, NaN → 0) into another item.

import { describe, expect, it } from 'vitest';
import { data, tensor } from '../../src/index.js';

const ds = () => new data.TensorDataset(tensor([[10], [11], [12], [13]]), tensor([0, 1, 2, 3], { dtype: 'int32' }));

describe('data.subset indices', () => {
  it('rejects indices outside int32, non-integers and NaN instead of picking another item', () => {
    expect(() => data.subset(ds(), [2 ** 32 + 3])).toThrow('subset: index 4294967299 is out of range for a dataset of 4 items');
    expect(() => data.subset(ds(), [0, 1.7])).toThrow('subset: index 1.7 is out of range for a dataset of 4 items');
    expect(() => data.subset(ds(), [NaN])).toThrow('subset: index NaN is out of range for a dataset of 4 items');
  });

  it('keeps valid indices, from arrays and Int32Arrays', () => {
    expect(data.subset(ds(), [3, 0]).get(0)[0].tolist()).toEqual([13]);
    expect(data.subset(ds(), new Int32Array([2])).get(0)[1].item()).toBe(2);
  });
});
