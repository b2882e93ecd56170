/** ICircuitBreaker.TripReason, mirrored for scripts and tests. */
export const TripReason = {
  None: 0n,
  GuardianPause: 1n,
  PriceBand: 2n,
  QuorumLost: 3n,
  SequencerDown: 4n,
} as const;

export type TripReasonName = keyof typeof TripReason;
