// Points a line chart cannot show as a line: the chart draws these as dots.
/** Indices of the non-null values with a null (or nothing) on both sides. */
export function isolated(values: (number | null | undefined)[]): number[] | null {
  const out: number[] = [];
  const has = (i: number) => values[i] !== null && values[i] !== undefined;
  for (let i = 0; i < values.length; i++) if (has(i) && !has(i - 1) && !has(i + 1)) out.push(i);
  return out.length ? out : null;
}
