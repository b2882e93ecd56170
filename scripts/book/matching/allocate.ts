/** How much a taker takes from each crossing maker: in the makers' order (price, then time), until it is done. */
export function allocate(takerRemaining: bigint, makerRemaining: bigint[]): bigint[] {
  const amounts: bigint[] = [];
  let left = takerRemaining;
  for (const m of makerRemaining) {
    if (left === 0n) break;
    const take = m < left ? m : left;
    if (take > 0n) amounts.push(take);
    else amounts.push(0n);
    left -= take;
  }
  return amounts;
}
