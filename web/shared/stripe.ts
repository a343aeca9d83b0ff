/**
 * Stripe Elements, only when the service runs with PAYMENT_PROVIDER=stripe: Stripe.js is
 * loaded from js.stripe.com (the one outside origin the CSP then allows), the card field is
 * Stripe's own iframe, and the page only ever sees the PaymentMethod id.
 */
export interface StripeCard {
  createPaymentMethod(): Promise<string>;
  handleNextAction(clientSecret: string): Promise<void>;
}

interface StripeJs {
  elements(): { create(type: 'card', options?: unknown): { mount(selector: string): void } };
  createPaymentMethod(input: { type: 'card'; card: unknown }): Promise<{ paymentMethod?: { id: string }; error?: { message?: string } }>;
  handleNextAction(input: { clientSecret: string }): Promise<{ error?: { message?: string } }>;
}

let script: Promise<void> | undefined;

function loadScript(): Promise<void> {
  script ??= new Promise<void>((resolve, reject) => {
    const tag = document.createElement('script');
    tag.src = 'https://js.stripe.com/v3/';
    tag.onload = () => resolve();
    tag.onerror = () => reject(new Error('Stripe.js did not load'));
    document.head.append(tag);
  });
  return script;
}

const failure = (message: string | undefined) =>
  Object.assign(new Error(message ?? 'Paiement refusé.'), { api: { code: 'PAYMENT_DECLINED', message: message ?? 'Le paiement a été refusé par votre banque.', status: 402 } });

export async function loadStripe(publishableKey: string, mountSelector: string): Promise<StripeCard> {
  await loadScript();
  const stripe = (window as unknown as { Stripe(key: string, options?: unknown): StripeJs }).Stripe(publishableKey, { locale: 'fr' });
  const card = stripe.elements().create('card', { hidePostalCode: true });
  card.mount(mountSelector);
  return {
    async createPaymentMethod() {
      const r = await stripe.createPaymentMethod({ type: 'card', card });
      if (!r.paymentMethod) throw failure(r.error?.message);
      return r.paymentMethod.id;
    },
    async handleNextAction(clientSecret) {
      const r = await stripe.handleNextAction({ clientSecret });
      if (r.error) throw failure(r.error.message);
    },
  };
}
