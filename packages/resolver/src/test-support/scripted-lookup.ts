/** A DNS lookup for unit tests: answers come from a table the test edits, every question is logged. */
import type { DnsAnswer, DnsLookup } from '../dns-lookup.js';

type Answerable = DnsAnswer | 'hang';

export class ScriptedDns {
  readonly #answers = new Map<string, Answerable>();
  readonly questions: { hostname: string; family: 4 | 6 }[] = [];
  /** Questions still waiting (for 'hang'), with whether they were aborted. */
  readonly hanging: { hostname: string; family: 4 | 6; signal: AbortSignal }[] = [];

  set(hostname: string, family: 4 | 6, answer: Answerable): this {
    this.#answers.set(`${family}/${hostname}`, answer);
    return this;
  }

  /** A records with one TTL. */
  a(hostname: string, ttl: number, ...addresses: string[]): this {
    return this.set(hostname, 4, { kind: 'answer', records: addresses.map((address) => ({ address, ttl })) });
  }

  /** AAAA records with one TTL. */
  aaaa(hostname: string, ttl: number, ...addresses: string[]): this {
    return this.set(hostname, 6, { kind: 'answer', records: addresses.map((address) => ({ address, ttl })) });
  }

  /** Both families answer the same way (nxdomain, a failure, a hang). */
  both(hostname: string, answer: Answerable): this {
    return this.set(hostname, 4, answer).set(hostname, 6, answer);
  }

  count(hostname: string): number {
    return this.questions.filter((q) => q.hostname === hostname).length;
  }

  readonly lookup: DnsLookup = (hostname, family, signal) => {
    this.questions.push({ hostname, family });
    const answer = this.#answers.get(`${family}/${hostname}`) ?? { kind: 'nxdomain' };
    if (answer !== 'hang') return Promise.resolve(answer);
    this.hanging.push({ hostname, family, signal });
    return new Promise<DnsAnswer>(() => {});
  };
}
