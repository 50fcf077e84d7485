/**
 * The card page's only script, served as /p/assets/card.js (no inline script, so the page's CSP
 * forbids any): mounts the processor's card Element, collects the card with `confirmCardSetup`,
 * then posts the form, and the server charges or saves the card. Works with Stripe.js and with
 * localstripe's fake of it.
 */
export const cardScript = `(() => {
  const form = document.getElementById('card-form');
  if (!form || typeof Stripe !== 'function') return;
  const stripe = Stripe(form.dataset.key);
  const card = stripe.elements().create('card');
  card.mount('#card');
  const error = document.getElementById('card-error');
  const button = form.querySelector('button[type=submit]');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = form.dataset.working;
    const result = await stripe.confirmCardSetup(form.dataset.secret, { payment_method: { card } });
    if (result.error) {
      error.textContent = result.error.message;
      button.disabled = false;
      return;
    }
    form.submit();
  });
})();
`;
