"""d2l 2.4 Calculus: the numerical limit of f at x = 1 (mirror of
packages/ts-api/examples/d2l/calculus.ts; the chapter's plots are left out)."""
import numpy as np


def f(x):
    return 3 * x ** 2 - 4 * x


for h in 10.0**np.arange(-1, -6, -1):
    print(f'h={h:.5f}, numerical limit={(f(1+h)-f(1))/h:.5f}')
