import { takesBusinessPrefix } from './business.ts';

interface OpenApiDocument {
  servers?: { url: string }[];
  paths?: Record<string, unknown>;
}

/**
 * A business's own API description (issue 19): the instance's document with the business's
 * address as its server and only the paths reachable under it (the public API; the back
 * office, setup and operator paths are the instance's and take no business prefix).
 */
export function businessOpenApi<T extends OpenApiDocument>(doc: T, address: string): T {
  const paths = Object.fromEntries(Object.entries(doc.paths ?? {}).filter(([path]) => takesBusinessPrefix(path)));
  return { ...doc, servers: [{ url: address }], paths };
}
