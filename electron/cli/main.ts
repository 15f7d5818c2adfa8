// The `errand` command: a client of the engine. Exit codes: 0 ok, 1 failure, 2 usage.
import { ErrandError } from '../../shared/protocol/errors.js';
import { AnsweredFailure, CliContext, HelpRequested, UsageError } from './cli-context.js';
import { agents, allow, deny, reply, resume } from './commands/agent-commands.js';
import { after, batch } from './commands/batch-commands.js';
import { backend, models } from './commands/backend-commands.js';
import { chain } from './commands/chain-commands.js';
import { db } from './commands/db-commands.js';
import { digest, dismiss, inbox, seen, snooze, wake } from './commands/inbox-commands.js';
import { attach, logs, send, watch } from './commands/output-commands.js';
import { approve, discard, reject, review } from './commands/review-commands.js';
import { serve } from './commands/serve-commands.js';
import { rules } from './commands/rules-commands.js';
import { config, daemon, profile, repo } from './commands/setup-commands.js';
import { policy, schedule } from './commands/schedule-commands.js';
import { add, cancel, clean, ls, retry, search, show } from './commands/task-commands.js';
import { gc, rebase, train } from './commands/train-commands.js';

type Command = (ctx: CliContext, args: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  add, ls, show, search, logs, attach, send, cancel, retry, clean, watch, daemon, profile, repo, config,
  agents, allow, deny, reply, resume, db, review, approve, reject, discard,
  inbox, seen, dismiss, snooze, wake, digest, batch, after,
  backend, models, chain, schedule, policy,
  serve,
  rules,
  train, rebase, gc,
};

const HELP = `errand: hand coding tasks to agents and walk away

  errand add "<prompt>" --repo <path> --profile <name>   file a task (prompt "-" reads stdin)
      [--after <id>] [--after-merge <id>]                start once those succeed / are merged
      [--best-of a,b,c] instead of --profile             one prompt to several agents, compared in review
  errand batch --repo <path> --profile <name> < file     one task per line (or a JSON array), filed as one group
  errand batch ls | show <id> | retry <id> --failed      groups, k of n done, failures; retry the failed ones
  errand after <id> <prereq> [--merge]                   make a queued task wait for another
  errand add "<prompt>" --repo <path> --profile <name>   file a task (prompt "-" reads stdin; --at "tonight 2am")
  errand ls [--status running,needs_input]               tasks, their status and time
  errand show <id>                                       one task and its runs
  errand search <words>                                  find tasks by prompt or question
  errand logs <id> [--follow]                            the agent's output
  errand attach <id>                                     its live terminal (Ctrl-] detaches)
  errand send <id> "<text>"                              type a line into it
  errand allow <id> | deny <id>                          answer the agent's permission request
  errand allow <id> --always task|repo|profile           allow that tool from now on; errand rules ls|rm <id>
  errand reply <id> "<message>"                          answer it, or continue its session after it finished
  errand resume <id>                                     continue an interrupted run's session
  errand review <id>                                     its summary, files changed with +/-, and the diff
  errand approve <id> --merge | --pr | --keep-branch     accept the result (commits the worktree's work first)
  errand reject <id> "<feedback>"                        send it back: a follow-up run in the same worktree
  errand discard <id> [--force] [--yes]                  remove its worktree and branch
  errand inbox [--kind K] [--repo R] [--all]             what needs you: questions, tool requests, results, failures
  errand seen <id>… | dismiss <id>…                      mark items seen; take them out without acting (i12, or a task)
  errand snooze <id> <when> | wake <id>                  out of the inbox until "2h", "tomorrow 9am", "monday"…
  errand digest ["9:00,13:00,17:00" | off]               when what blocks nothing is delivered
  errand approve <id> <id>… --merge                      a merge train: each rebased, re-checked, merged in turn
  errand train [<id>]                                    merge trains and where their tasks stand
  errand rebase <id>                                     send a task that conflicts with its moved base back to rebase
  errand gc [--yes] | ls --disk                          reclaim finished tasks' worktrees (dry run without --yes); space per repo
  errand agents                                          the agent CLIs found, and their built-in profiles
  errand models [--refresh]                              model backends found and added, and which agents run on them
  errand backend add|ls|rm                               add Ollama, LM Studio, llama-server or an OpenAI/Anthropic URL
  errand cancel <id> | retry <id> | clean <id> [--force]
  errand watch [--json]                                  events as they happen
  errand add "<prompt>" --repo <path> --chain <name>     run a chain of steps (plan → critique → implement …)
  errand chain add|ls|show|rm                            chain templates; errand chain show <id> for a task's chain
  errand chain continue|skip|edit <id>                   go on past a gate or a halted step, skip or change a step
  errand schedule add "every weekday 9:00" "<prompt>" --repo <path> --profile <name>   (ls|show|edit|pause|resume|rm)
  errand policy set <profile> --retries N --backoff 30s --escalate-to <profile>   retries and escalation
  errand profile add|ls|rm   errand repo add|ls   errand config get|set
  errand daemon status|start|stop
  errand serve [--port N]                                web mode: prints a local URL with its token
  errand db check | restore [BACKUP]                     the database's health; bring back a backup

Every command takes --json, and --help (or errand help <command>) for its usage and options. Data lives in $ERRAND_HOME (default: your app-data directory).`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'help' && argv[1] && Object.hasOwn(COMMANDS, argv[1])) return main([...argv.slice(1), '--help']);
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`errand: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  const dashes = rest.indexOf('--');
  // After "--" come a profile's command and its own arguments, never errand's flags.
  const ctx = new CliContext((dashes === -1 ? rest : rest.slice(0, dashes)).includes('--json'));
  try {
    await command(ctx, rest);
    return 0;
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${error.message}\n`);
      return 0;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`errand ${name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AnsweredFailure) {
      process.stderr.write(`errand ${name}: ${error.message}\n`);
      return 1;
    }
    const message = error instanceof ErrandError ? error.message : (error as Error).message;
    if (ctx.json) process.stdout.write(`${JSON.stringify({ error: { code: (error as ErrandError).code ?? 'internal', message } })}\n`);
    process.stderr.write(`errand ${name}: ${message.split('\n')[0]}\n`);
    return 1;
  } finally {
    ctx.close();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // Commands that followed a stream may leave stdin or the socket open; the answer is given, so leave, but only
  // once stdout and stderr are flushed: a pipe takes 64 KiB at once, and exiting earlier cuts a long answer short.
  const leave = () => process.exit(code);
  process.stdout.write('', () => process.stderr.write('', leave));
});
