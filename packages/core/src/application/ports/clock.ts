/** The current time; injected so that expiry is decided deterministically in tests. */
export interface Clock {
  now(): Date;
}
