import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ZoneKind } from '../../domain/routing.ts';
import type { FrenchPlaces } from '../../app/ports/places.ts';

/**
 * The official list as @etalab/decoupage-administratif ships it (INSEE's Code officiel
 * géographique with La Poste's postcodes): every commune, delegated or associated commune and
 * municipal arrondissement with its postcodes and département, and the départements (2A/2B and
 * the overseas ones included). Its index.js reads the files relative to the working directory,
 * so the JSON files are read directly. Read once, on first use (about 9 MB of JSON), and kept as
 * three small indexes: the list only changes with a new version of the package.
 */
interface CommuneJson {
  code: string;
  departement?: string;
  codesPostaux?: string[];
}

interface Indexes {
  byPostcode: Map<string, { communes: Set<string>; departements: Set<string> }>;
  communes: Set<string>;
  departements: Set<string>;
}

function load(): Indexes {
  const require = createRequire(import.meta.url);
  const read = <T>(file: string): T => JSON.parse(readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8')) as T;
  const byPostcode: Indexes['byPostcode'] = new Map();
  const communes = new Set<string>();
  for (const c of read<CommuneJson[]>('communes.json')) {
    communes.add(c.code);
    for (const postcode of c.codesPostaux ?? []) {
      let entry = byPostcode.get(postcode);
      if (!entry) byPostcode.set(postcode, (entry = { communes: new Set(), departements: new Set() }));
      entry.communes.add(c.code);
      if (c.departement) entry.departements.add(c.departement);
    }
  }
  const departements = new Set(read<{ code: string }[]>('departements.json').map((d) => d.code));
  return { byPostcode, communes, departements };
}

export function makeFrenchPlaces(): FrenchPlaces {
  let indexes: Indexes | undefined;
  const get = (): Indexes => (indexes ??= load());
  return {
    place(postcode) {
      const entry = get().byPostcode.get(postcode);
      return entry ? { postcode, communes: [...entry.communes].sort(), departements: [...entry.departements].sort() } : undefined;
    },
    exists(kind: ZoneKind, code: string) {
      const i = get();
      return kind === 'postcode' ? i.byPostcode.has(code) : kind === 'commune' ? i.communes.has(code) : i.departements.has(code);
    },
  };
}
