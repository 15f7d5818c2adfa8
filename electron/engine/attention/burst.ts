// Gathers what arrives close together into one burst, told once the arrivals go quiet ("10 tasks finished").
// In memory only: the items themselves are stored, and a burst lost with the engine is only a notification.

/** A burst is told once nothing new has come for this long. */
export const BURST_QUIET_MS = 1500;
/** However busy it stays, a burst is told within this long of its first arrival. */
export const BURST_MAX_MS = 10_000;

export class Coalescer {
  private pending: number[] = [];
  private firstAt = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly tell: (ids: number[]) => void,
    private readonly quietMs = BURST_QUIET_MS,
    private readonly maxMs = BURST_MAX_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(id: number): void {
    if (this.pending.length === 0) this.firstAt = this.now();
    this.pending.push(id);
    if (this.timer) clearTimeout(this.timer);
    const delay = Math.max(0, Math.min(this.quietMs, this.firstAt + this.maxMs - this.now()));
    this.timer = setTimeout(() => this.flush(), delay);
    this.timer.unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ids = this.pending;
    this.pending = [];
    if (ids.length > 0) this.tell(ids);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
