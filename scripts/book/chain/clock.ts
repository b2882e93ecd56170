/** The service's notion of now (unix seconds): the later of the wall clock and the chain's latest block time. */
export class Clock {
  private chainSeconds = 0n;

  observeBlock(timestamp: number): void {
    if (BigInt(timestamp) > this.chainSeconds) this.chainSeconds = BigInt(timestamp);
  }

  now(): bigint {
    const wall = BigInt(Math.floor(Date.now() / 1000));
    return wall > this.chainSeconds ? wall : this.chainSeconds;
  }
}
