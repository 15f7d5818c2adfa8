// Requests about schedules and retry policies (errand schedule …, errand policy …).
import type { Method, MethodParams, MethodResults } from '../../../shared/protocol/methods.js';
import type { RetryService } from '../retries/retry-service.js';
import type { ScheduleService } from '../schedules/schedule-service.js';

type ScheduleMethod = Extract<Method, `schedule.${string}` | `retry.${string}`>;
type Handlers = { [M in ScheduleMethod]: (params: MethodParams<M>) => MethodResults[M] | Promise<MethodResults[M]> };

export function scheduleHandlers(schedules: ScheduleService, retries: RetryService): Handlers {
  return {
    'schedule.add': (p) => schedules.add(p),
    'schedule.list': () => schedules.list(),
    'schedule.get': (p) => schedules.get(p.id),
    'schedule.edit': (p) => schedules.edit(p),
    'schedule.pause': (p) => schedules.pause(p.id),
    'schedule.resume': (p) => schedules.resume(p.id),
    'schedule.remove': (p) => schedules.remove(p.id),
    'retry.setPolicy': (p) => retries.setPolicy(p),
    'retry.listPolicies': () => retries.listPolicies(),
    'retry.clearPolicy': (p) => retries.clearPolicy(p.profile),
  };
}
