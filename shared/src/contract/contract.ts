import { z } from 'zod';
import { ApiError, apiErrorBodySchema, badInput, type ApiErrorBody } from '../errors.ts';

/**
 * One typed API table per app. Every call has an input and an output schema; every event channel has
 * a payload schema. The same table is bound to Electron's ipcMain, to the Node host's WebSocket and to
 * the renderer's client, so the three cannot drift apart.
 */
export interface CallSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
}

export interface Contract<
  C extends Record<string, CallSpec> = Record<string, CallSpec>,
  E extends Record<string, z.ZodType> = Record<string, z.ZodType>,
> {
  /** Prefix of the IPC channels, e.g. "booth" → "booth:getStatus". */
  readonly name: string;
  readonly calls: C;
  readonly events: E;
}

export function defineContract<C extends Record<string, CallSpec>, E extends Record<string, z.ZodType>>(
  name: string,
  calls: C,
  events: E,
): Contract<C, E> {
  return { name, calls, events };
}

export type CallName<K extends Contract> = Extract<keyof K['calls'], string>;
export type EventName<K extends Contract> = Extract<keyof K['events'], string>;
export type CallInput<K extends Contract, N extends CallName<K>> = z.input<K['calls'][N]['input']>;
export type CallOutput<K extends Contract, N extends CallName<K>> = z.output<K['calls'][N]['output']>;
export type EventPayload<K extends Contract, N extends EventName<K>> = z.output<K['events'][N]>;

/** What the Node services implement: validated input in, output (checked again on the way out). */
export type ApiImplementation<K extends Contract> = {
  [N in CallName<K>]: (input: z.output<K['calls'][N]['input']>) => Promise<z.input<K['calls'][N]['output']>>;
};

/** What the renderer holds: one async function per call. */
export type ApiClient<K extends Contract> = {
  [N in CallName<K>]: (input: CallInput<K, N>) => Promise<CallOutput<K, N>>;
};

export const callResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: apiErrorBodySchema }),
]);
export type CallResult = { ok: true; value: unknown } | { ok: false; error: ApiErrorBody };

export function ipcCallChannel(contract: Contract, call: string): string {
  return `${contract.name}:${call}`;
}
export function ipcEventChannel(contract: Contract, event: string): string {
  return `${contract.name}:event:${event}`;
}

export function isCallName<K extends Contract>(contract: K, name: unknown): name is CallName<K> {
  return typeof name === 'string' && Object.hasOwn(contract.calls, name);
}

export interface DispatchLogger {
  error(message: string, error: unknown): void;
}

/**
 * The single entry point from any transport into the services. It never throws: every outcome is a
 * CallResult, so a transport only has to serialise it.
 */
export function createDispatcher<K extends Contract>(
  contract: K,
  implementation: ApiImplementation<K>,
  logger: DispatchLogger = { error: (m, e) => console.error(m, e) },
): (name: unknown, input: unknown) => Promise<CallResult> {
  return async (name, input) => {
    if (!isCallName(contract, name)) {
      return {
        ok: false,
        error: new ApiError('UNKNOWN_CALL', `${contract.name}: no call named ${JSON.stringify(name)}`).toBody(),
      };
    }
    const spec = contract.calls[name] as CallSpec;
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      return { ok: false, error: badInput(parsed.error, `${contract.name}.${name} input`).toBody() };
    }
    try {
      const handler = implementation[name] as (i: unknown) => Promise<unknown>;
      const raw = await handler(parsed.data);
      const out = spec.output.safeParse(raw);
      if (!out.success) {
        // A service broke its own contract: a bug, never the caller's fault.
        logger.error(`${contract.name}.${name} returned output that breaks the contract`, out.error);
        return { ok: false, error: new ApiError('INTERNAL', `${contract.name}.${name}: invalid output`).toBody() };
      }
      return { ok: true, value: out.data };
    } catch (error) {
      if (error instanceof ApiError) return { ok: false, error: error.toBody() };
      logger.error(`${contract.name}.${name} failed`, error);
      return { ok: false, error: new ApiError('INTERNAL', `${contract.name}.${name} failed`).toBody() };
    }
  };
}

/** Checks an event payload against the contract before it leaves the services. */
export function validateEvent<K extends Contract, N extends EventName<K>>(
  contract: K,
  channel: N,
  payload: EventPayload<K, N>,
): EventPayload<K, N> {
  const schema = contract.events[channel];
  if (!schema) throw new ApiError('INTERNAL', `${contract.name}: no event channel ${channel}`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) throw badInput(parsed.error, `${contract.name} event ${channel}`);
  return parsed.data as EventPayload<K, N>;
}

type Listener = (payload: unknown) => void;

/**
 * Services publish events here; each transport (ipc, WebSocket) subscribes and forwards. Payloads are
 * validated once, at emit time.
 */
export class EventHub<K extends Contract> {
  private readonly listeners = new Set<(channel: EventName<K>, payload: unknown) => void>();

  constructor(private readonly contract: K) {}

  emit<N extends EventName<K>>(channel: N, payload: EventPayload<K, N>): void {
    const valid = validateEvent(this.contract, channel, payload);
    for (const listener of this.listeners) listener(channel, valid);
  }

  subscribe(listener: (channel: EventName<K>, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export type { Listener as EventListener };
