// The part of tar-stream 3 (no published types) the business export uses.
declare module 'tar-stream' {
  import type { Readable, Writable } from 'node:stream';
  export interface Headers {
    name: string;
    size?: number;
    mode?: number;
    mtime?: Date;
    type?: 'file' | 'directory';
  }
  export interface Pack extends Readable {
    entry(header: Headers, callback?: (error?: Error | null) => void): Writable;
    entry(header: Headers, content: string | Buffer, callback?: (error?: Error | null) => void): Writable;
    finalize(): void;
  }
  export function pack(): Pack;
  export interface Extract extends Writable {
    on(event: 'entry', listener: (header: Headers, stream: Readable, next: () => void) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  export function extract(): Extract;
}
