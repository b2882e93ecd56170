/** What a config is validated against besides its own content. */
export interface ValidateOptions {
  /** Unix seconds against which series expiries are checked (the chain's latest block when known). */
  now: number;
  /** Whether `"mock"` tokens and feeds are allowed (development chains only). */
  allowMocks?: boolean;
  /** The deploying account: it must hold no role after the deployment. */
  deployer?: string;
}
