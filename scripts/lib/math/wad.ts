/** TypeScript reference of contracts/libraries/WadMath.sol: exact bigint arithmetic with explicit rounding. */
export const WAD = 10n ** 18n;

export function divDown(x: bigint, y: bigint): bigint {
  return x / y;
}

export function divUp(x: bigint, y: bigint): bigint {
  return x === 0n ? 0n : (x - 1n) / y + 1n;
}

export const mulWadDown = (x: bigint, y: bigint): bigint => divDown(x * y, WAD);
export const mulWadUp = (x: bigint, y: bigint): bigint => divUp(x * y, WAD);
export const divWadDown = (x: bigint, y: bigint): bigint => divDown(x * WAD, y);
export const divWadUp = (x: bigint, y: bigint): bigint => divUp(x * WAD, y);

export function scale(x: bigint, from: number, to: number, up: boolean): bigint {
  if (from <= to) return x * 10n ** BigInt(to - from);
  const d = 10n ** BigInt(from - to);
  return up ? divUp(x, d) : divDown(x, d);
}
