// Requests about the inbox: list it, mark items seen, dismiss, snooze and wake, and the digest's times.
import type { Method, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { AttentionService } from '../attention/attention-service.js';

type InboxMethod = Extract<Method, `inbox.${string}`>;

export function inboxHandlers(attention: AttentionService): { [M in InboxMethod]: (params: MethodParams<M>) => MethodResults[M] } {
  return {
    'inbox.list': (p) => attention.list(p),
    'inbox.seen': (p) => attention.seen(p),
    'inbox.dismiss': (p) => attention.dismiss(p),
    'inbox.snooze': (p) => attention.snooze(p),
    'inbox.wake': (p) => attention.wake(p),
    'inbox.digest': (p) => attention.digestSetting(p),
  };
}
