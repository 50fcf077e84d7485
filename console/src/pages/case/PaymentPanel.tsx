import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Problem } from '../../components/Problem';
import { money, toMinor } from '../../format';
import { loadStripe, type StripeCardElement, type StripeJs } from './stripe-js';

/** Reloads the case until its payments list `reference` (the read model follows the case a moment later), at most ~10 s. */
function useShowPayment(caseId: string) {
  const queryClient = useQueryClient();
  return async (reference: string) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const detail = unwrap(await api.GET('/api/v1/cases/{caseId}', { params: { path: { caseId } } }));
      if (detail.payments.some((payment) => payment.reference === reference) || attempt === 19) {
        queryClient.setQueryData(['case', caseId], detail);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
}

/**
 * The officer takes a payment on the case: a card the debtor reads out over the phone, charged
 * through the payment processor (Stripe.js collects it; the API records it once by its payment
 * id, as the debtor's page and the webhooks do), or a payment made elsewhere, recorded with its
 * reference. Amounts above the balance or in another currency are refused by the API, naming the field.
 */
export function PaymentPanel({ caseId, currency, balance }: { caseId: string; currency: string; balance: number }) {
  const [mode, setMode] = useState<'card' | 'external'>('card');
  return (
    <section aria-labelledby="take-payment-title" className="panel">
      <h3 id="take-payment-title">Take a payment</h3>
      <fieldset className="row">
        <legend className="muted">How the debtor pays (balance {money(balance, currency)})</legend>
        <label>
          <input type="radio" name="payment-mode" checked={mode === 'card'} onChange={() => setMode('card')} /> Card by phone
        </label>
        <label>
          <input type="radio" name="payment-mode" checked={mode === 'external'} onChange={() => setMode('external')} /> Paid elsewhere (reference)
        </label>
      </fieldset>
      {mode === 'card' ? <CardPayment caseId={caseId} currency={currency} /> : <ExternalPayment caseId={caseId} currency={currency} />}
    </section>
  );
}

interface Started {
  paymentId: string;
  clientSecret: string;
  setupClientSecret: string;
  amount: number;
  currency: string;
  stripe: StripeJs;
  card: StripeCardElement;
}

function CardPayment({ caseId, currency }: { caseId: string; currency: string }) {
  const showPayment = useShowPayment(caseId);
  const [amount, setAmount] = useState('');
  const [started, setStarted] = useState<Started | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const cardBox = useRef<HTMLDivElement>(null);

  useEffect(() => () => started?.card.destroy(), [started]);

  async function start(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setOutcome(null);
    setBusy(true);
    try {
      const answer = unwrap(await api.POST('/api/v1/cases/{caseId}/card-payments', { params: { path: { caseId } }, body: { amount: toMinor(amount) } }));
      const stripe = await loadStripe(answer.scriptUrl, answer.publishableKey);
      const card = stripe.elements().create('card');
      if (cardBox.current) card.mount(cardBox.current);
      setStarted({ ...answer, stripe, card });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (!started) return;
    setError(null);
    setBusy(true);
    const path = { params: { path: { caseId, paymentId: started.paymentId } } };
    try {
      const collected = await started.stripe.confirmCardSetup(started.setupClientSecret, { payment_method: { card: started.card } });
      if (collected.error) throw new Error(collected.error.message ?? 'the card was not accepted');
      let answer = unwrap(await api.POST('/api/v1/cases/{caseId}/card-payments/{paymentId}/confirm', path));
      if (answer.state === 'requires_action') {
        // The bank asks the cardholder to authenticate (3-D Secure), then the charge is read again.
        const authenticated = await started.stripe.confirmCardPayment(started.clientSecret);
        if (authenticated.error) throw new Error(authenticated.error.message ?? 'authentication failed');
        answer = unwrap(await api.POST('/api/v1/cases/{caseId}/card-payments/{paymentId}/confirm', path));
      }
      if (answer.state === 'succeeded') {
        setOutcome(`Paid: ${money(answer.amount, answer.currency)} (${answer.paymentId}).`);
        started.card.destroy();
        setStarted(null);
        setAmount('');
        await showPayment(answer.paymentId);
      } else if (answer.state === 'failed') {
        setOutcome(`Declined: ${answer.failureReason ?? 'the card was declined'}. Nothing was charged; try another card.`);
        started.card.destroy();
        setStarted(null);
      } else {
        setOutcome(`The payment is ${answer.state.replace('_', ' ')}; it is recorded when the processor confirms it.`);
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card-payment">
      <form className="row" onSubmit={(event) => void start(event)} aria-label="Card payment by phone">
        <div className="field">
          <label htmlFor="card-amount">To charge ({currency})</label>
          <input id="card-amount" inputMode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} required disabled={Boolean(started)} />
        </div>
        <button type="submit" className="secondary" disabled={busy || Boolean(started)}>
          Enter card
        </button>
      </form>
      <div ref={cardBox} className="card-element" data-testid="card-element" aria-label="Card details" />
      {started && (
        <button type="button" onClick={() => void confirm()} disabled={busy}>
          Charge {money(started.amount, started.currency)}
        </button>
      )}
      {outcome && (
        <p role="status" data-testid="payment-outcome">
          {outcome}
        </p>
      )}
      <Problem error={error} title="Not charged" />
    </div>
  );
}

function ExternalPayment({ caseId, currency }: { caseId: string; currency: string }) {
  const showPayment = useShowPayment(caseId);
  const [reference, setReference] = useState('');
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);

  async function record(event: FormEvent) {
    event.preventDefault();
    setError(null);
    setDone(null);
    setBusy(true);
    try {
      unwrap(await api.POST('/api/v1/cases/{caseId}/payments', { params: { path: { caseId } }, body: { reference: reference.trim(), amount: toMinor(amount), currency } }));
      const recorded = reference.trim();
      setDone(`Recorded ${money(toMinor(amount), currency)} (${recorded}).`);
      setReference('');
      setAmount('');
      await showPayment(recorded);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="row" onSubmit={(event) => void record(event)} aria-label="Payment made elsewhere">
      <div className="field">
        <label htmlFor="external-reference">Reference (bank transfer, check, receipt)</label>
        <input id="external-reference" value={reference} onChange={(event) => setReference(event.target.value)} required maxLength={200} />
      </div>
      <div className="field">
        <label htmlFor="external-amount">Amount paid ({currency})</label>
        <input id="external-amount" inputMode="decimal" pattern="[0-9]+([.][0-9]{1,2})?" value={amount} onChange={(event) => setAmount(event.target.value)} required />
      </div>
      <button type="submit" className="secondary" disabled={busy}>
        Record payment
      </button>
      {done && <p role="status">{done}</p>}
      <Problem error={error} title="Not recorded" />
    </form>
  );
}
