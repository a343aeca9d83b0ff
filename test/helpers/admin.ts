/** The API token every test service is started with (ADMIN_API_TOKEN). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** Headers that authenticate an admin request with the test API token. */
export const adminHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
  ...extra,
});
