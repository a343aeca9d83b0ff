import { domainToASCII } from 'node:url';
import type { ErrorDetail } from './errors.ts';

/**
 * A business's own host name (issue 19): its custom domain or a subdomain of the instance's,
 * where its page answers at `/` (business.ts). Kept lowercase, in ASCII (an accented domain is
 * kept in its punycode form, as browsers send it in `Host`), without a trailing dot.
 */
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_MAX = 253;

/** Problems with a host name, in French, added to `details`; the name as kept, or null for none. */
export function checkHostName(input: string | null | undefined, details: ErrorDetail[], options: { instanceHost?: string; field?: string } = {}): string | null {
  const field = options.field ?? 'hostName';
  const raw = (input ?? '').trim();
  if (raw === '') return null;
  if (/[/:@?#\s]/.test(raw)) {
    details.push({ field, message: "Indiquez seulement le nom d'hôte, sans http://, port ni chemin (ex. rdv.plomberie-dupont.fr)." });
    return raw.toLowerCase();
  }
  const host = domainToASCII(raw.replace(/\.$/, '')).toLowerCase();
  const labels = host.split('.');
  if (host === '' || host.length > HOST_MAX || labels.length < 2 || !labels.every((l) => LABEL_RE.test(l))) {
    details.push({ field, message: "Ce nom d'hôte n'est pas valide (ex. rdv.plomberie-dupont.fr : des lettres, chiffres et tirets, séparés par des points)." });
  } else if (/^[0-9]+$/.test(labels.at(-1)!)) {
    // An address like 192.0.2.10: a business's page needs a name its certificate can carry.
    details.push({ field, message: "Indiquez un nom d'hôte, pas une adresse IP." });
  } else if (host === options.instanceHost || host === 'localhost' || host.endsWith('.localhost')) {
    details.push({ field, message: "Ce nom d'hôte est celui de l'instance elle-même : choisissez-en un propre à l'entreprise." });
  }
  return host;
}
