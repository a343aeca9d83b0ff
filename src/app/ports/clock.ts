/** The current time, epoch milliseconds: a dependency, so tests run on a clock they set. */
export interface Clock {
  now(): number;
}
