"""d2l 5.5 File I/O, the book's code with one print per value (mirror of
packages/ts-api/examples/d2l/file-io.ts). The files go to a temporary folder, removed at the end."""
import atexit
import os
import shutil
import tempfile

import torch
from torch import nn
from torch.nn import functional as F
from common import show

workdir = tempfile.mkdtemp(prefix='d2l-file-io-')
atexit.register(shutil.rmtree, workdir)
os.chdir(workdir)


def show_dict(d):
    """A dict as JavaScript's console.log writes an object: { x: …, y: … }."""
    print('{ ' + ', '.join(f'{k}: {v}' for k, v in d.items()) + ' }')


# 5.5.1 Loading and Saving Tensors
x = torch.arange(4)
torch.save(x, 'x-file')
x2 = torch.load('x-file')
show(x2)

y = torch.zeros(4)
torch.save([x, y], 'x-files')
x2, y2 = torch.load('x-files')
show([x2, y2])

mydict = {'x': x, 'y': y}
torch.save(mydict, 'mydict')
mydict2 = torch.load('mydict')
show_dict(mydict2)


# 5.5.2 Loading and Saving Model Parameters
class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(20, 256)
        self.output = nn.Linear(256, 10)

    def forward(self, x):
        return self.output(F.relu(self.hidden(x)))


net = MLP()
X = torch.randn(size=(2, 20))
Y = net(X)

torch.save(net.state_dict(), 'mlp.params')

clone = MLP()
clone.load_state_dict(torch.load('mlp.params'))
show(clone.eval())

Y_clone = clone(X)
show(Y_clone == Y)
