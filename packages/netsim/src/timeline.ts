/** The simulation timeline: tagged entries logged by nodes (`io.record`), faults and hosts. */

export interface TimelineEntry {
  readonly time: number;
  /** Node name, `net` for host/address changes, `fault` for scheduled faults, or user-given. */
  readonly source: string;
  readonly kind: string;
  readonly data: unknown;
}

export class Timeline {
  readonly entries: TimelineEntry[] = [];

  add(time: number, source: string, kind: string, data?: unknown): void {
    this.entries.push({ time, source, kind, data });
  }

  ofKind(kind: string): TimelineEntry[] {
    return this.entries.filter((e) => e.kind === kind);
  }

  fromSource(source: string): TimelineEntry[] {
    return this.entries.filter((e) => e.source === source);
  }
}
