"""What the d2l chapter mirrors share: a print that writes Python scalars the way the TypeScript ports'
console.log does, and a marker for values drawn at random (ours and PyTorch's generators differ)."""
import re

NUMBER = re.compile(r'-?(?:\d+\.?\d*(?:e[+-]\d+)?|nan|inf)')


def show(*values):
    """print() with booleans and None as JavaScript writes them, lists as they are, tensors as str(t)."""
    print(*['true' if v is True else 'false' if v is False else 'null' if v is None else v for v in values])


def show_random(t):
    """A tensor of random values: its printed layout with every number replaced by {{num}}."""
    print(NUMBER.sub('{{num}}', str(t)))
