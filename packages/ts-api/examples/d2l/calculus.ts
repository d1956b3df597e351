// d2l.ai 2.4 "Calculus": the numerical limit of f'(1) as h shrinks, as the book prints it. The
// chapter's plots (matplotlib) are left out.

function f(x: number): number {
  return 3 * x ** 2 - 4 * x;
}

for (const h of [-1, -2, -3, -4, -5].map((e) => 10.0 ** e)) {
  console.log(`h=${h.toFixed(5)}, numerical limit=${((f(1 + h) - f(1)) / h).toFixed(5)}`);
}
