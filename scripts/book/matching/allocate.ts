/** How much a taker takes from each crossing maker: in the makers' order (price, then time), until it is done. */
export function allocate(takerRemaining: bigint, makerRemaining: bigint[]): bigint[] {
  const amounts: bigint[] = [];
  let left = takerRemaining;
  for (const m of makerRemaining) {
    if (left === 0n) break;
    const take = m < left ? m : left;
    amounts.push(take);
    left -= take;
  }
  return amounts;
}
