/**
 * Stripe.js, loaded from the URL the API names (Stripe's own, or localstripe's fake one in
 * development and tests), once per page. Only the calls the payment panel makes are typed.
 */

export interface StripeCardElement {
  mount(target: HTMLElement): void;
  destroy(): void;
}

interface StripeResult<T> {
  error?: { message?: string } | null;
  setupIntent?: T;
  paymentIntent?: T;
}

export interface StripeJs {
  elements(): { create(type: 'card', options?: object): StripeCardElement };
  confirmCardSetup(clientSecret: string, data: { payment_method: { card: StripeCardElement } }): Promise<StripeResult<{ status: string }>>;
  confirmCardPayment(clientSecret: string): Promise<StripeResult<{ status: string }>>;
}

declare global {
  interface Window {
    Stripe?: (publishableKey: string) => StripeJs;
  }
}

const loading = new Map<string, Promise<void>>();

export async function loadStripe(scriptUrl: string, publishableKey: string): Promise<StripeJs> {
  let loaded = loading.get(scriptUrl);
  if (!loaded) {
    loaded = new Promise<void>((resolve, reject) => {
      const script = document.createElement('script');
      script.src = scriptUrl;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error(`could not load the payment script from ${scriptUrl}`));
      document.head.appendChild(script);
    });
    loaded.catch(() => loading.delete(scriptUrl));
    loading.set(scriptUrl, loaded);
  }
  await loaded;
  if (!window.Stripe) throw new Error('the payment script did not define Stripe');
  return window.Stripe(publishableKey);
}
