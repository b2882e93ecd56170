/** What a config is validated against besides its own content. */
export interface ValidateOptions {
  /** Unix seconds against which series expiries are checked (the chain's latest block when known). */
  now: number;
  /** Whether `"mock"` tokens and feeds are allowed (development chains only). */
  allowMocks?: boolean;
  /** The deploying account: it must hold no role after the deployment. */
  deployer?: string;
}

export const MOCKS_ONLY_ON_DEVELOPMENT_CHAINS = `"mock" is only allowed on a development chain (chain id 31337)`;
