export declare const TABLES_NOT_BACKED_UP: string[];
export declare function scrubSnapshot(snapshot: Uint8Array): Promise<Uint8Array>;
