// The `nn.utils` namespace (PyTorch's torch.nn.utils).

export { clipGradNorm_, type ClipGradNormOptions } from './clip-grad.js';
