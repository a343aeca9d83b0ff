import { describe, expect, it } from 'vitest';
import { SERVICE_ID_RE, slugify } from './service-id.ts';

describe('slugify: a service id from its name', () => {
  it.each([
    ['Diagnostic et audit complet', 'diagnostic-et-audit-complet'],
    ['Entretien de chaudière', 'entretien-de-chaudiere'],
    ['  Pose   de robinet ! ', 'pose-de-robinet'],
    ['Désembouage – radiateurs (x4)', 'desembouage-radiateurs-x4'],
    ['Œil-de-bœuf', 'oeil-de-boeuf'],
    ['€€€', 'prestation'],
    ['a'.repeat(70), 'a'.repeat(64)],
    [`${'a'.repeat(63)} b`, 'a'.repeat(63)],
  ])('%j -> %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
    expect(SERVICE_ID_RE.test(slug)).toBe(true);
  });
});
