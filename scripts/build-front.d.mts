export const DIGEST_FILE: string;
export function sourcesDigest(outDir?: string): string;
export function buildFront(options?: { outDir?: string; force?: boolean; log?: (line: string) => void }): Promise<'built' | 'current'>;
