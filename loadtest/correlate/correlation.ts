/** Pearson and Spearman correlation over paired values where both sides are present. */

/** Pearson's r of the pairs, or null when fewer than 3 pairs or either side is constant. */
export function pearson(xs: readonly (number | null)[], ys: readonly (number | null)[]): { r: number | null; n: number } {
  const pairs = paired(xs, ys);
  return { r: pearsonOfPairs(pairs), n: pairs.length };
}

/** Spearman's rho (Pearson of the ranks, ties averaged), or null like {@link pearson}. */
export function spearman(xs: readonly (number | null)[], ys: readonly (number | null)[]): number | null {
  const pairs = paired(xs, ys);
  const rx = ranks(pairs.map((p) => p[0]));
  const ry = ranks(pairs.map((p) => p[1]));
  return pearsonOfPairs(rx.map((r, i) => [r, ry[i] as number]));
}

function paired(xs: readonly (number | null)[], ys: readonly (number | null)[]): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) pairs.push([x, y]);
  }
  return pairs;
}

function pearsonOfPairs(pairs: readonly (readonly [number, number])[]): number | null {
  const n = pairs.length;
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (const [x, y] of pairs) {
    mx += x / n;
    my += y / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    syy += (y - my) ** 2;
  }
  // Relative tolerance: a series that is constant up to float noise has no correlation to report.
  if (sxx <= 1e-12 * (1 + mx * mx) * n || syy <= 1e-12 * (1 + my * my) * n) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}
