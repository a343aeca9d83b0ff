import { describe, expect, it } from 'vitest';
import { deletionOrderOf } from './business-data-store.ts';

const edge = (child: string, parent: string) => ({ child, parent });

describe('deletionOrderOf', () => {
  it.each([
    { name: 'no references: by name', tables: ['b', 'a'], edges: [], order: ['a', 'b'] },
    { name: 'a child before its parent', tables: ['bookings', 'booking_notes'], edges: [edge('booking_notes', 'bookings')], order: ['booking_notes', 'bookings'] },
    {
      name: 'a chain, whatever the names',
      tables: ['a_services', 'b_bookings', 'c_events'],
      edges: [edge('b_bookings', 'a_services'), edge('c_events', 'b_bookings')],
      order: ['c_events', 'b_bookings', 'a_services'],
    },
    { name: 'a reference to itself is set aside', tables: ['api_tokens'], edges: [edge('api_tokens', 'api_tokens')], order: ['api_tokens'] },
    { name: 'references to tables outside the set (artisans) do not hold anything', tables: ['services'], edges: [edge('services', 'artisans')], order: ['services'] },
  ])('$name', ({ tables, edges, order }) => {
    const got = deletionOrderOf(tables, edges);
    expect(got).toEqual(order);
    // The property the purge relies on: no table is deleted before a table that references it.
    for (const e of edges) if (e.child !== e.parent && got.includes(e.parent)) expect(got.indexOf(e.child)).toBeLessThan(got.indexOf(e.parent));
  });

  it('refuses a cycle, naming its tables', () => {
    expect(() => deletionOrderOf(['x', 'y', 'z'], [edge('x', 'y'), edge('y', 'x'), edge('z', 'x')])).toThrow(/cycle between x, y/);
  });
});
