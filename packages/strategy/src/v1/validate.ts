/**
 * The v1 validity rules for a strategy's answer (SPEC.md §4), in one place: the engine's
 * strategy host and the conformance suite's `FakeHost` both call `validateDecisions`, so they
 * cannot disagree. An answer is valid or not as a whole: the host applies all of it or none.
 *
 * Rules: the answer is an array; every element is one of the four v1 decisions; an endpoint a
 * decision names is in the peer's endpoint set at the time of the answer; `initiate` names each
 * endpoint at most once, with a finite delay ≥ 0 (no targets: the engine's default); `wake` has
 * a finite time. Properties a v1 decision does not define are ignored (SPEC.md §4.6).
 */
import type { StrategyDecision } from './decisions.js';

export type DecisionCheck =
  | { readonly ok: true; readonly decisions: readonly StrategyDecision[] }
  | { readonly ok: false; readonly reason: string };

/** What validation needs of the context: which endpoint keys the peer has. */
export interface EndpointLookup {
  endpoint(key: string): unknown;
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function knownEndpoint(key: unknown, context: EndpointLookup, what: string): string | undefined {
  if (typeof key !== 'string') return `${what}: endpoint ${describe(key)} is not a string`;
  if (context.endpoint(key) === undefined) return `${what} names "${key}", which is not in the endpoint set`;
  return undefined;
}

function checkDecision(decision: unknown, context: EndpointLookup): string | undefined {
  if (typeof decision !== 'object' || decision === null)
    return `decision ${describe(decision)} is not an object`;
  const d = decision as Record<string, unknown>;
  switch (d.type) {
    case 'activate':
    case 'probe':
      return knownEndpoint(d.endpoint, context, d.type);
    case 'wake':
      return Number.isFinite(d.at) ? undefined : `wake at ${describe(d.at)} is not finite`;
    case 'initiate': {
      if (!Array.isArray(d.targets)) return `initiate: targets ${describe(d.targets)} is not an array`;
      const seen = new Set<string>();
      for (const target of d.targets as unknown[]) {
        const t = (target ?? {}) as Record<string, unknown>;
        const unknown = knownEndpoint(t.endpoint, context, 'initiate');
        if (unknown) return unknown;
        const delay = t.delayMs;
        if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
          return `initiate: delay ${describe(delay)} for ${String(t.endpoint)} is not a finite non-negative number`;
        }
        if (seen.has(t.endpoint as string)) return `initiate: ${String(t.endpoint)} listed twice`;
        seen.add(t.endpoint as string);
      }
      return undefined;
    }
    default:
      return `unknown decision ${describe(decision)}`;
  }
}

/** Checks a strategy's answer against the v1 rules; names the first thing wrong. */
export function validateDecisions(answer: unknown, context: EndpointLookup): DecisionCheck {
  if (!Array.isArray(answer)) return { ok: false, reason: 'handle() must return an array of decisions' };
  for (const decision of answer) {
    const reason = checkDecision(decision, context);
    if (reason !== undefined) return { ok: false, reason };
  }
  return { ok: true, decisions: answer as readonly StrategyDecision[] };
}
