// The inbox: every attention event the engine raises, and every result to review, becomes a stored item; what deals
// with it resolves it; items are ranked by the work they block and how long they waited, and told in bursts and
// digests. Every change is pushed as an event with the inbox's counts.
import type { InboxCount, InboxItem, InboxKind } from '../../../shared/domain.js';
import type { EngineEvent } from '../../../shared/protocol/events.js';
import { ErrandError } from '../../../shared/protocol/errors.js';
import type { MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { EventHub } from '../event-hub.js';
import { formatWhen, parseWhen } from '../natural-time.js';
import type { Store } from '../store/store.js';
import type { Timers } from '../timers.js';
import { Coalescer } from './burst.js';
import { Digest } from './digest.js';
import { burstText, countKinds, inboxKind, WAITING_KINDS } from './inbox-kinds.js';
import type { ItemFilter, StoredItem } from './items-store.js';
import { ItemsStore } from './items-store.js';
import { resolutionFor } from './resolution.js';
import { Snoozes } from './snoozes.js';

/** How many other pieces of work wait on a task (chain steps, dependents): registered by the parts that know. */
export type BlockedCounter = (taskId: number) => number;
/** True keeps an attention of this kind for this task out of the inbox (a scheduled run that found nothing). */
export type KeepOut = (taskId: number, kind: InboxKind) => boolean;

const DEFAULT_INBOX_LIMIT = 50;
/** The most open items ranked in one read: the inbox is what one person has to deal with, never more than this. */
const MAX_RANKED = 10_000;
const DIGEST_ITEMS = 50;

export class AttentionService {
  readonly items: ItemsStore;
  private readonly snoozes: Snoozes;
  private readonly digest: Digest;
  private readonly burst: Coalescer;
  private readonly counters: BlockedCounter[] = [];
  private readonly keepOuts: KeepOut[] = [];

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    timers: Timers,
  ) {
    this.items = new ItemsStore(store.db);
    this.snoozes = new Snoozes(this.items, timers, (taskId, ids) => this.woke(taskId, ids));
    this.digest = new Digest(store.settings, timers, () => this.tellDigest());
    this.burst = new Coalescer((ids) => this.tellBurst(ids));
    // A snoozed task's attention waits for it to wake (the inbox keeps it, held); a failure gets through.
    hub.holdBack((event) => event.type === 'attention' && event.kind !== 'failed' && this.snoozes.taskUntil(event.taskId) !== null);
    hub.listen((event) => this.follow(event));
  }

  addBlockedCounter(counter: BlockedCounter): void {
    this.counters.push(counter);
  }

  addKeepOut(keepOut: KeepOut): void {
    this.keepOuts.push(keepOut);
  }

  count(): InboxCount {
    return this.items.count();
  }

  stop(): void {
    this.burst.stop();
  }

  list(params: MethodParams<'inbox.list'>): MethodResults['inbox.list'] {
    const filter = { kinds: params?.kinds, repo: params?.repo };
    const limit = params?.limit ?? DEFAULT_INBOX_LIMIT;
    let items: InboxItem[];
    let total: number;
    if (params?.all || params?.snoozed) {
      const read = params.all ? this.items.history(filter, limit) : this.items.snoozed(filter, limit);
      items = read.items.map((i) => this.ranked(i));
      total = read.total;
    } else {
      ({ items, total } = this.ranking(filter, limit));
      if (params?.markSeen) this.seenNow(items.map((i) => i.id));
    }
    return { items, total, inbox: this.count(), nextDigestAt: this.digest.get().nextAt, snoozedTasks: this.snoozes.snoozedTasks() };
  }

  seen(params: MethodParams<'inbox.seen'>): MethodResults['inbox.seen'] {
    const ids = params.all ? this.items.unseenIds() : this.targets(params.itemIds, params.taskIds).map((i) => i.id);
    return { itemIds: this.seenNow(ids), inbox: this.count() };
  }

  dismiss(params: MethodParams<'inbox.dismiss'>): MethodResults['inbox.dismiss'] {
    const open = this.targets(params.itemIds, params.taskIds);
    return { itemIds: this.resolve(open.map((i) => i.id), 'dismissed'), inbox: this.count() };
  }

  snooze(params: MethodParams<'inbox.snooze'>): MethodResults['inbox.snooze'] {
    // Read first: a time that cannot be read, or has passed, changes nothing.
    const until = parseWhen(params.when, { timeZone: params.timeZone });
    let itemIds: number[];
    if (params.taskId !== undefined) {
      this.task(params.taskId);
      itemIds = this.snoozes.snoozeTask(params.taskId, until);
    } else {
      this.openItem(params.itemId!);
      itemIds = this.snoozes.snoozeItem(params.itemId!, until);
    }
    const taskId = params.taskId ?? null;
    const inbox = this.count();
    this.hub.emit({ type: 'inbox.snoozed', taskId, itemIds, until, inbox, at: Date.now() });
    return { taskId, itemIds, until, untilText: formatWhen(until, params.timeZone), inbox };
  }

  wake(params: MethodParams<'inbox.wake'>): MethodResults['inbox.wake'] {
    if (params.taskId !== undefined) {
      this.task(params.taskId);
      const before = this.items.snoozedWithTask(params.taskId);
      if (!this.snoozes.wakeTask(params.taskId)) throw new ErrandError('conflict', `Task ${params.taskId} is not snoozed. \`errand inbox --snoozed\` lists what is.`);
      return { taskId: params.taskId, itemIds: before, inbox: this.count() };
    }
    const item = this.openItem(params.itemId!);
    if (item.snoozedUntil === null || !this.snoozes.wakeItem(item.id)) {
      throw new ErrandError('conflict', `Item i${item.id} is not snoozed: it is in the inbox.`);
    }
    return { taskId: null, itemIds: [item.id], inbox: this.count() };
  }

  digestSetting(params: MethodParams<'inbox.digest'>): MethodResults['inbox.digest'] {
    return params?.times === undefined ? this.digest.get() : this.digest.set(params.times, params.timeZone);
  }

  /** Resolves the task's open items that `covers` picks (a part of the engine that dealt with them for the person). */
  resolveForTask(taskId: number, resolution: string, covers: (item: StoredItem) => boolean = () => true): number[] {
    return this.resolve(this.items.openOfTask(taskId).filter(covers).map((i) => i.id), resolution);
  }

  private follow(event: EngineEvent): void {
    if (event.type === 'attention') {
      this.raise(event.taskId, event.runId, inboxKind(event.kind, this.store.runs.byId(event.runId)), event.message, event.at);
    } else if (event.type === 'task.review' && event.review === 'unreviewed') {
      const run = this.store.tasks.byId(event.taskId)?.run ?? null;
      this.raise(event.taskId, run?.id ?? null, 'result', run?.reason ?? 'succeeded', event.at);
    }
    const done = resolutionFor(event);
    if (done) this.resolveForTask(done.taskId, done.resolution, done.covers);
  }

  private raise(taskId: number, runId: number | null, kind: InboxKind, message: string, at: number): void {
    if (this.keepOuts.some((keepOut) => keepOut(taskId, kind))) return;
    // One item per thing asked: the result a run's success and its review state both announce, say.
    const same = this.items.openOfTask(taskId).find((i) => i.kind === kind && i.runId === runId);
    if (same) {
      if (same.message !== message) this.items.setMessage(same.id, message, runId);
      return;
    }
    const heldUntil = kind === 'failure' ? null : this.snoozes.taskUntil(taskId);
    const id = this.items.insert({ taskId, runId, kind, message, at, heldUntil });
    if (heldUntil !== null) return;
    const item = this.items.byId(id)!;
    this.hub.emit({ type: 'inbox.added', item: this.ranked(item), inbox: this.count(), at: Date.now() });
    this.burst.add(id);
  }

  private resolve(ids: number[], resolution: string): number[] {
    if (ids.length === 0) return [];
    const resolved = this.items.resolve(ids, resolution, Date.now());
    if (resolved.length === 0) return [];
    this.snoozes.forget(resolved);
    this.hub.emit({ type: 'inbox.resolved', itemIds: resolved, resolution, inbox: this.count(), at: Date.now() });
    return resolved;
  }

  private seenNow(ids: number[]): number[] {
    if (ids.length === 0) return [];
    const seen = this.items.markSeen(ids, Date.now());
    if (seen.length > 0) this.hub.emit({ type: 'inbox.seen', itemIds: seen, inbox: this.count(), at: Date.now() });
    return seen;
  }

  private woke(taskId: number | null, ids: number[]): void {
    const items = this.items.byIds(ids).map((i) => this.ranked(i));
    this.hub.emit({ type: 'inbox.woken', taskId, items, inbox: this.count(), at: Date.now() });
    for (const id of ids) this.burst.add(id);
    // Told now are what still needs the person: an attention dealt with while the task slept is not news.
    if (taskId === null) return;
    const still = (event: EngineEvent) =>
      event.type === 'attention' && items.some((i) => i.runId === event.runId && i.kind === inboxKind(event.kind, this.store.runs.byId(event.runId)));
    this.hub.release((event) => event.type === 'attention' && event.taskId === taskId, still);
  }

  private tellBurst(ids: number[]): void {
    // What was dealt with (or snoozed) before the burst went quiet is not news any more.
    const items = this.items.byIds(ids).filter((i) => i.resolvedAt === null && i.snoozedUntil === null).map((i) => this.ranked(i));
    if (items.length === 0) return;
    const kinds = items.map((i) => i.kind);
    this.hub.emit({
      type: 'inbox.burst',
      count: items.length,
      kinds: countKinds(kinds),
      text: burstText(kinds),
      itemIds: items.map((i) => i.id),
      interrupt: items.filter((i) => i.interrupts).map((i) => i.id),
      nextDigestAt: this.digest.get().nextAt,
      inbox: this.count(),
      at: Date.now(),
    });
  }

  private tellDigest(): void {
    const { items, total, kinds } = this.ranking({ unseen: true }, DIGEST_ITEMS);
    const text = total === 0 ? 'nothing needs you' : burstText(kinds);
    this.hub.emit({ type: 'inbox.digest', items, total, text, nextDigestAt: this.digest.get().nextAt, inbox: this.count(), at: Date.now() });
  }

  private blocked(taskId: number): number {
    let n = 0;
    for (const counter of this.counters) {
      try {
        n += counter(taskId);
      } catch (error) {
        console.error(`[engine] could not count the work task ${taskId} blocks: ${(error as Error).message}`);
      }
    }
    return n;
  }

  /** An item with how much it blocks, and whether it may interrupt now (else it waits for the next digest). */
  private ranked(item: StoredItem, blockedOf = (taskId: number) => this.blocked(taskId), digestOn = this.digest.isOn()): InboxItem {
    if (item.resolvedAt !== null) return { ...item, blocked: 0, interrupts: false };
    const blocked = blockedOf(item.taskId);
    return { ...item, blocked, interrupts: !digestOn || blocked > 0 || WAITING_KINDS.has(item.kind) };
  }

  /**
   * The inbox's items that pass the filter, most work blocked first, then longest waiting; every one is ranked from
   * its index entry, and only the first `limit` are read whole. Each task's blocked work is counted once.
   */
  private ranking(filter: ItemFilter, limit: number): { items: InboxItem[]; total: number; kinds: InboxKind[] } {
    const counted = new Map<number, number>();
    const blockedOf = (taskId: number) => counted.get(taskId) ?? counted.set(taskId, this.blocked(taskId)).get(taskId)!;
    const keys = this.items.visibleKeys(filter, MAX_RANKED).map((key) => ({ ...key, blocked: blockedOf(key.taskId) }));
    keys.sort((a, b) => b.blocked - a.blocked || a.createdAt - b.createdAt || a.id - b.id);
    const top = keys.slice(0, limit);
    const rows = new Map(this.items.byIds(top.map((k) => k.id)).map((item) => [item.id, item]));
    const digestOn = this.digest.isOn();
    const items = top.flatMap((k) => {
      const item = rows.get(k.id);
      return item ? [this.ranked(item, blockedOf, digestOn)] : [];
    });
    return { items, total: keys.length, kinds: keys.map((k) => k.kind) };
  }

  private targets(itemIds: number[] | undefined, taskIds: number[] | undefined): StoredItem[] {
    const items = (itemIds ?? []).map((id) => this.openItem(id));
    for (const taskId of taskIds ?? []) {
      this.task(taskId);
      const open = this.items.openOfTask(taskId);
      if (open.length === 0) throw new ErrandError('conflict', `Task ${taskId} has nothing in the inbox. \`errand inbox\` lists what does.`);
      items.push(...open);
    }
    return items;
  }

  private openItem(id: number): StoredItem {
    const item = this.items.byId(id);
    if (!item) throw new ErrandError('not_found', `There is no inbox item i${id}. \`errand inbox\` lists them.`);
    if (item.resolvedAt !== null) throw new ErrandError('conflict', `Item i${id} was dealt with already (${item.resolution}).`);
    return item;
  }

  private task(id: number): void {
    if (!this.store.tasks.byId(id)) throw new ErrandError('not_found', `There is no task ${id}. \`errand ls\` lists them.`);
  }
}
