export interface Randomness {
  uuid(): string;
  bytes(n: number): Uint8Array;
}
