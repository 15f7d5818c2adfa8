// Every request the engine accepts: its name and its params schema (what each answers is in results.ts).
// The engine validates params against these schemas before anything acts on them.
import { z } from 'zod';
import { ADAPTER_IDS, BACKEND_KINDS, CONFIG_KEYS, MERGE_STRATEGIES, RULE_SCOPES, RUN_STATUSES } from '../domain.js';
import { MAX_BATCH_TASKS, MAX_BEST_OF, MAX_INPUT_CHARS, MAX_LIST_LIMIT, MAX_LOG_READ_BYTES, MAX_PROMPT_CHARS } from './limits.js';
import {
  MAX_BACKOFF_MS,
  MAX_CHECK_RETRIES,
  MAX_CHECK_TIMEOUT_MS,
  MAX_PROFILE_ENV,
  MAX_RETRIES,
  MAX_TRAIN_TASKS,
  absPath,
  attentionKind,
  chainName,
  chainStep,
  empty,
  envName,
  envSchema,
  id,
  name,
  needsInputRuleSchema,
  oneTarget,
  prerequisites,
  priority,
  prompt,
  secretRefSchema,
  snoozeTarget,
  termSize,
  text,
} from './schema-parts.js';

export * from './results.js';
export { needsInputRuleSchema } from './schema-parts.js';

export const APPROVE_ACTIONS = ['merge', 'pr', 'keep'] as const;
export type ApproveAction = (typeof APPROVE_ACTIONS)[number];

export const methodSchemas = {
  'engine.status': empty,
  'engine.stop': z.strictObject({ force: z.boolean().optional() }).optional(),

  'repo.add': z.strictObject({
    path: absPath,
    baseBranch: text(255).optional(),
    setupCommand: text(10_000).nullable().optional(),
    copyFiles: z.array(text(4096)).max(100).optional(),
    maxRunning: z.number().int().min(1).max(1000).nullable().optional(),
    mergeStrategy: z.enum(MERGE_STRATEGIES).optional(),
    checkCommand: text(10_000).nullable().optional(),
    checkRetries: z.number().int().min(0).max(MAX_CHECK_RETRIES).optional(),
    checkTimeoutMs: z.number().int().min(1000).max(MAX_CHECK_TIMEOUT_MS).nullable().optional(),
    deleteMergedBranches: z.boolean().optional(),
  }),
  'repo.list': empty,

  'profile.add': z
    .strictObject({
      name,
      adapter: z.enum(ADAPTER_IDS).default('command'),
      /** For the command adapter: the argv template. For an agent CLI: extra arguments. */
      command: z.array(text(MAX_PROMPT_CHARS)).max(1000).default([]),
      env: envSchema.optional(),
      /** Variables looked up at each launch, never stored: SecretRef. */
      secretEnv: z.record(envName, secretRefSchema).optional(),
      needsInput: needsInputRuleSchema.nullable().optional(),
      model: text(200).optional(),
      permissionMode: text(100).optional(),
      binary: absPath.optional(),
      /** The model backend the agent is pointed at (errand backend ls, or a detected local server). */
      backend: name.optional(),
      modelUrlEnv: envName.optional(),
      replace: z.boolean().optional(),
    })
    .refine((p) => p.adapter !== 'command' || p.command.length > 0, {
      message: 'a command profile needs a command: errand profile add NAME -- program args…',
      path: ['command'],
    })
    .superRefine((p, ctx) => {
      const literal = Object.keys(p.env ?? {});
      const refs = Object.keys(p.secretEnv ?? {});
      if (literal.length + refs.length > MAX_PROFILE_ENV) {
        ctx.addIssue({ code: 'custom', path: ['env'], message: `has more than ${MAX_PROFILE_ENV} variables` });
      }
      for (const key of refs.filter((k) => literal.includes(k))) {
        ctx.addIssue({ code: 'custom', path: ['env', key], message: 'is given both as a value and as a reference: give it once' });
      }
    }),
  'profile.list': empty,
  'profile.remove': z.strictObject({ name }),

  'agents.list': z.strictObject({ refresh: z.boolean().optional() }).optional(),

  'config.get': empty,
  'config.set': z.strictObject({ key: z.enum(CONFIG_KEYS), value: z.number().int().min(1).max(1000) }),

  'task.add': z.strictObject({
    prompt,
    repo: absPath,
    /** Optional with a chain whose every step names its profile. */
    profile: name.optional(),
    priority: priority.optional(),
    ...prerequisites,
    /** A chain template: the task runs its steps one after another. */
    chain: name.optional(),
    /** A natural time ("tonight 2am"): the task is held until then. */
    at: text(200).optional(),
    /** The person's IANA zone, for `at`. */
    timeZone: text(100).optional(),
  }),
  'task.list': z
    .strictObject({
      status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
      limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
    })
    .optional(),
  'task.search': z.strictObject({ query: text(1000).min(1), limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional() }),
  'task.get': z.strictObject({ id }),
  'task.cancel': z.strictObject({ id }),
  'task.retry': z.strictObject({ id }),
  'task.clean': z.strictObject({ id, force: z.boolean().optional() }),
  'task.decide': z
    .strictObject({ id, allow: z.boolean(), message: text(10_000).optional(), always: z.enum(RULE_SCOPES).optional() })
    .refine((p) => p.allow || p.always === undefined, { message: 'goes with allow only: a denial is never remembered', path: ['always'] }),
  'task.reply': z.strictObject({ id, message: text(MAX_PROMPT_CHARS).refine((m) => m.trim().length > 0, 'is empty: say what to tell the agent') }),
  'task.resume': z.strictObject({ id }),
  'task.review': z.strictObject({ id }),
  'task.approve': z.strictObject({ id, action: z.enum(APPROVE_ACTIONS) }),
  'task.reject': z.strictObject({
    id,
    feedback: text(MAX_PROMPT_CHARS).refine((m) => m.trim().length > 0, 'is empty: say what the agent should change'),
  }),
  'task.discard': z.strictObject({ id, force: z.boolean().optional() }),

  'run.input': z.strictObject({ taskId: id, data: z.string().min(1).max(MAX_INPUT_CHARS) }),
  'run.resize': z.strictObject({ taskId: id, ...termSize }),
  'run.screen': z.strictObject({ taskId: id }),
  'run.readLog': z.strictObject({
    taskId: id,
    runId: id.optional(),
    offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    length: z.number().int().min(1).max(MAX_LOG_READ_BYTES),
  }),
  'run.subscribe': z.strictObject({
    taskId: id,
    attach: z.strictObject(termSize).optional(),
    /** The client acknowledges what it renders with run.ack; the agent pauses while too much is unacknowledged. */
    ack: z.boolean().optional(),
  }),
  'run.unsubscribe': z.strictObject({ taskId: id }),
  /** The client has rendered the run's output up to this log offset (a follower subscribed with ack). */
  'run.ack': z.strictObject({ taskId: id, offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER) }),

  'events.subscribe': empty,

  // Attention and the inbox (w-inbox): what needs the person, seen or not, dismissed, snoozed, and the digest.
  'inbox.list': z
    .strictObject({
      kinds: z.array(attentionKind).max(32).optional(),
      /** A repo's path or name. */
      repo: text(4096).min(1).optional(),
      /** History: every item, dealt with or not, newest first. */
      all: z.boolean().optional(),
      snoozed: z.boolean().optional(),
      limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional(),
      /** Marks the items shown seen (the reply still shows which were new). */
      markSeen: z.boolean().optional(),
    })
    .optional(),
  'inbox.seen': z
    .strictObject({ itemIds: z.array(id).max(MAX_LIST_LIMIT).optional(), taskIds: z.array(id).max(MAX_LIST_LIMIT).optional(), all: z.boolean().optional() })
    .refine((p) => p.all || (p.itemIds?.length ?? 0) + (p.taskIds?.length ?? 0) > 0, 'name items or tasks, or pass all'),
  'inbox.dismiss': z
    .strictObject({ itemIds: z.array(id).max(MAX_LIST_LIMIT).optional(), taskIds: z.array(id).max(MAX_LIST_LIMIT).optional() })
    .refine((p) => (p.itemIds?.length ?? 0) + (p.taskIds?.length ?? 0) > 0, 'name items or tasks'),
  'inbox.snooze': z
    .strictObject({ ...snoozeTarget, when: text(200).min(1), timeZone: text(100).optional() })
    .refine(oneTarget, 'name a task or an item, not both'),
  'inbox.wake': z.strictObject(snoozeTarget).refine(oneTarget, 'name a task or an item, not both'),
  /** Without times: what is set. With them: the digest's times of day in timeZone; an empty list turns it off. */
  'inbox.digest': z.strictObject({ times: z.array(text(16)).max(48).optional(), timeZone: text(100).optional() }).optional(),
  // Batches, best-of-N and dependencies.
  'batch.create': z.strictObject({
    repo: absPath,
    /** For the tasks that name none. */
    profile: name.optional(),
    priority: priority.optional(),
    tasks: z
      .array(
        z.strictObject({
          prompt,
          profile: name.optional(),
          priority: priority.optional(),
          /** Where in the person's file it came from, so that an error can name the line. */
          line: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
        }),
      )
      .min(1, 'is empty: give one task per line, or a JSON array')
      .max(MAX_BATCH_TASKS, `holds more than ${MAX_BATCH_TASKS} tasks: split it into several batches`),
  }),
  'batch.list': z.strictObject({ limit: z.number().int().min(1).max(MAX_LIST_LIMIT).optional() }).optional(),
  'batch.show': z.strictObject({ id }),
  'batch.retry': z.strictObject({ id, failed: z.literal(true) }),
  'task.bestOf': z.strictObject({
    prompt,
    repo: absPath,
    profiles: z.array(name).min(2, 'needs two profiles or more to compare').max(MAX_BEST_OF),
    priority: priority.optional(),
    ...prerequisites,
  }),
  /** `id`: any task of the best-of group. */
  'group.compare': z.strictObject({ id }),
  /** Discards the worktrees of the group's other tasks than `id` (the one approved); with dryRun, only says which. */
  'group.discardOthers': z.strictObject({ id, dryRun: z.boolean().optional() }),
  'task.after': z.strictObject({ id, prereq: id, needs: z.enum(['success', 'merge']).optional() }),
  // ---- Model backends (issue 9, w-backends): the person's own, and local servers found on loopback.
  'backend.add': z.strictObject({
    name,
    kind: z.enum(BACKEND_KINDS),
    url: text(2048).min(1),
    /** Where its API key is at each use: never the key itself. */
    key: secretRefSchema.nullable().optional(),
    /** Requests it serves at once (default: the kind's; llama-server: its slots; cloud: no limit). */
    capacity: z.number().int().min(1).max(1000).nullable().optional(),
    replace: z.boolean().optional(),
  }),
  'backend.list': empty,
  'backend.remove': z.strictObject({ name }),
  /** Probes every backend (cached a few seconds unless refresh). */
  'models.list': z.strictObject({ refresh: z.boolean().optional() }).optional(),
  // Chains: templates (built-in and saved), and the chain of one task.
  'chain.add': z.strictObject({
    name: chainName,
    description: text(1000).optional(),
    steps: z.array(chainStep).min(1).max(50),
    replace: z.boolean().optional(),
  }),
  'chain.list': empty,
  'chain.get': z.strictObject({ name: chainName }),
  'chain.remove': z.strictObject({ name: chainName }),
  'chain.status': z.strictObject({ id }),
  'chain.continue': z.strictObject({ id }),
  'chain.skip': z.strictObject({ id, step: text(64).optional() }),
  'chain.edit': z
    .strictObject({ id, step: text(64), prompt: text(MAX_PROMPT_CHARS).optional(), profile: name.nullable().optional(), gate: z.boolean().optional() })
    .refine((p) => p.prompt !== undefined || p.profile !== undefined || p.gate !== undefined, 'says nothing to change: give a prompt, a profile or a gate'),
  // Schedules and retries (w-sched): recurring tasks, and each profile's retry policy and ladder.
  'schedule.add': z.strictObject({
    when: text(200).min(1),
    prompt: text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do'),
    repo: absPath,
    profile: name,
    timeZone: text(100).optional(),
  }),
  'schedule.list': empty,
  'schedule.get': z.strictObject({ id }),
  'schedule.edit': z.strictObject({
    id,
    when: text(200).min(1).optional(),
    prompt: text(MAX_PROMPT_CHARS).refine((p) => p.trim().length > 0, 'is empty: say what the agent should do').optional(),
    repo: absPath.optional(),
    profile: name.optional(),
    timeZone: text(100).optional(),
  }),
  'schedule.pause': z.strictObject({ id }),
  'schedule.resume': z.strictObject({ id }),
  'schedule.remove': z.strictObject({ id }),
  'retry.setPolicy': z.strictObject({
    profile: name,
    retries: z.number().int().min(0).max(MAX_RETRIES).optional(),
    backoffMs: z.number().int().min(0).max(MAX_BACKOFF_MS).optional(),
    transientRetries: z.number().int().min(0).max(MAX_RETRIES).optional(),
    escalateTo: name.nullable().optional(),
  }),
  'retry.listPolicies': empty,
  'retry.clearPolicy': z.strictObject({ profile: name }),
  // Web mode (issue 10): `errand serve`.
  'web.serve': z.strictObject({ port: z.number().int().min(0).max(65_535).optional() }).optional(),
  // Remembered decisions (errand allow --always, errand rules).
  'rules.list': z.strictObject({ taskId: id.optional() }).optional(),
  'rules.remove': z.strictObject({ id }),
  // Collisions, the merge train and hygiene (issue 8).
  /** Which open tasks touch the same files as which others (all open tasks, or these). */
  'review.collisions': z.strictObject({ ids: z.array(id).max(MAX_LIST_LIMIT).optional() }).optional(),
  /** Sends a task whose branch no longer merges into its moved base back to its agent, to rebase and resolve. */
  'task.rebase': z.strictObject({ id }),
  /** Approves several tasks of one repo with --merge: merged one by one, each rebased and re-checked. */
  'train.start': z.strictObject({ ids: z.array(id).min(2).max(MAX_TRAIN_TASKS) }),
  'train.get': z.strictObject({ id }),
  'train.list': empty,
  /** Lists (and with `reclaim`, removes) the worktrees of finished tasks that hold no unsaved work. */
  'gc.run': z.strictObject({ reclaim: z.boolean() }),
  'repo.disk': empty,
} as const;

export type Method = keyof typeof methodSchemas;
export type MethodParams<M extends Method> = z.output<(typeof methodSchemas)[M]>;
export type MethodInput<M extends Method> = z.input<(typeof methodSchemas)[M]>;



export function isMethod(name: string): name is Method {
  return Object.prototype.hasOwnProperty.call(methodSchemas, name);
}
