import type { Client } from '@temporalio/client';
import { since } from './stats.js';

type Note = (part: string, ms: number) => void;
type AnyCall = (...args: unknown[]) => Promise<unknown>;

/** `call` with its time noted under `part`. */
function timed(call: AnyCall, note: Note, part: string): AnyCall {
  return async (...args) => {
    const begin = performance.now();
    try {
      return await call(...args);
    } finally {
      note(part, since(begin));
    }
  };
}

/**
 * The client with some of its calls timed, for the profile scripts: `workflow` names methods of
 * `client.workflow` (start, signalWithStart), `handle` methods of the handles `getHandle` answers
 * (query, signal). Each is noted as `temporal <method>`, or under the name `parts` gives it.
 */
export function timedTemporal(client: Client, note: Note, { workflow = [], handle = [], parts = {} }: { workflow?: string[]; handle?: string[]; parts?: Record<string, string> }): Client {
  const part = (method: string) => parts[method] ?? `temporal ${method}`;
  const timedWorkflow = new Proxy(client.workflow, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof key !== 'string') return value;
      if (workflow.includes(key)) return timed((value as AnyCall).bind(target), note, part(key));
      if (key !== 'getHandle' || handle.length === 0) return value;
      return (...args: unknown[]) => {
        const answered = (value as (...a: unknown[]) => Record<string, AnyCall>).apply(target, args);
        for (const method of handle) answered[method] = timed(answered[method]!.bind(answered), note, part(method));
        return answered;
      };
    },
  });
  return new Proxy(client, { get: (target, key, receiver): unknown => (key === 'workflow' ? timedWorkflow : Reflect.get(target, key, receiver)) });
}
