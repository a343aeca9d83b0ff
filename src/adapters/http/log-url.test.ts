import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskUrlForLog } from './log-url.ts';

describe('maskUrlForLog', () => {
  it.each([
    ['/api/bookings/public?code=AC-AB12CD&email=jean%40example.com', '/api/bookings/public?code=AC-AB12CD&email=[masqué]'],
    ['/api/bookings/manage?token=abc.def', '/api/bookings/manage?token=[masqué]'],
    ['/gerer?token=abc.def&x=1', '/gerer?token=[masqué]&x=1'],
    ['/api/services', '/api/services'],
    ['/api/admin/bookings?q=leroy&page=2', '/api/admin/bookings?q=[masqué]&page=2'],
    ['/api/bookings/public?code=AC-AB12CD&e%6Dail=x', '/api/bookings/public?code=AC-AB12CD&e%6Dail=[masqué]'],
    ['/api/x?note=jean@example.com', '/api/x?note=[masqué]'],
    ['/api/x?contact=%2B33%206%2012%2034%2056%2078', '/api/x?contact=[masqué]'],
    ['/api/x?n=06.12.34.56.78', '/api/x?n=[masqué]'],
    ['/api/x/jean%40example.com/cancel', '/api/x/[masqué]/cancel'],
    ['/api/x?jean%40example.com', '/api/x?[masqué]'],
    ['/api/availability?serviceId=diag&date=2027-03-03', '/api/availability?serviceId=diag&date=2027-03-03'],
    ['/api/admin/exceptions/123e4567-e89b-12d3-a456-426614174000', '/api/admin/exceptions/123e4567-e89b-12d3-a456-426614174000'],
    ['/api/admin/bookings?from=2027-03-01&to=2027-03-31&pageSize=50', '/api/admin/bookings?from=2027-03-01&to=2027-03-31&pageSize=50'],
    ['/%ff?a=%ff', '/%ff?a=%ff'],
    ['/api/calendar/MBZqXoUml-QuMDI2FoZ7XNBwYLidJLYIRZEHSabcdef.ics', '/api/calendar/[masqué]'],
    ['/api//calendar/abc.ics?x=1', '/api//calendar/[masqué]?x=1'],
    ['/API/%63alendar/abc.ics/more', '/API/%63alendar/[masqué]/[masqué]'],
    ['/api/calendars/abc', '/api/calendars/abc'],
    ['/api/admin/calendar-feed', '/api/admin/calendar-feed'],
    ['/api/admin/calendars/oauth/google/callback?code=4%2F0Ab&state=xyz', '/api/admin/calendars/oauth/google/callback?code=[masqué]&state=[masqué]'],
    ['/api/admin/calendars/oauth/outlook/callback?error=access_denied', '/api/admin/calendars/oauth/outlook/callback?error=access_denied'],
  ])('%s', (url, masked) => expect(maskUrlForLog(url)).toBe(masked));

  it('no e-mail address survives, however it is percent-encoded, in any parameter', () => {
    const encodeSome = (text: string, mask: boolean[]): string =>
      [...text].map((c, i) => (mask[i % mask.length] || /[%&=#+]/.test(c) ? `%${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c)).join('');
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z]{1,10}$/),
        fc.emailAddress(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
        (name, email, mask) => {
          const encodedName = encodeSome(name, mask);
          expect(maskUrlForLog(`/api/x?a=1&${encodedName}=${encodeSome(email, mask)}`)).toBe(`/api/x?a=1&${encodedName}=[masqué]`);
        },
      ),
    );
  });
});
