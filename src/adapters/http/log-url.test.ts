import { describe, expect, it } from 'vitest';
import { maskUrlForLog } from './log-url.ts';

describe('maskUrlForLog', () => {
  it.each([
    ['/api/bookings/public?code=AC-AB12CD&email=jean%40example.com', '/api/bookings/public?code=AC-AB12CD&email=[masqué]'],
    ['/api/bookings/manage?token=abc.def', '/api/bookings/manage?token=[masqué]'],
    ['/gerer?token=abc.def&x=1', '/gerer?token=[masqué]&x=1'],
    ['/api/services', '/api/services'],
  ])('%s', (url, masked) => expect(maskUrlForLog(url)).toBe(masked));
});
