/**
 * Which business a visitor reaches (issue 19): by its address on the instance (`/{slug}`),
 * by its own host name, or, on an instance with one business, that one.
 */
export interface BusinessDirectory {
  bySlug(slug: string): Promise<string | undefined>;
  byHost(host: string): Promise<string | undefined>;
  /** The instance's business when it has exactly one (the contract's paths then need no prefix). */
  sole(): Promise<string | undefined>;
  /** Whether a booking code is this business's (codes are unique on the instance; asked within the business). */
  hasBookingCode(artisanId: string, publicCode: string): Promise<boolean>;
  /** What a business's own address is made of (domain/business-address.ts); undefined for no such business. */
  addressOf(artisanId: string): Promise<{ slug: string | null; hostName: string | null } | undefined>;
  /** A business was just published (sign-up confirmed): forget what was kept about its address. */
  published(slug: string): void;
  /** A business's slug or host name was just changed here: forget every address kept. */
  moved(): void;
}
