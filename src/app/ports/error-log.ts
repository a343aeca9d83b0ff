/** Where use cases report what they cannot hand back to a caller (pino's signature). */
export interface ErrorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
