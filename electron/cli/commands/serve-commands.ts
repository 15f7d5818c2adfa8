// errand serve: web mode, on 127.0.0.1, for as long as this command runs.
import type { CliContext } from '../cli-context.js';
import { parse, UsageError } from '../cli-context.js';

export async function serve(ctx: CliContext, args: string[]): Promise<void> {
  const usage = 'errand serve [--port <N>]   (web mode on 127.0.0.1 until Ctrl-C; the URL printed carries its token)';
  const { values, positionals } = parse(args, { port: { type: 'string' } }, usage);
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments\nusage: ${usage}`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new UsageError(`--port takes a port number (0–65535)\nusage: ${usage}`);
  }
  const engine = await ctx.engine();
  const closed = new Promise<void>((resolve) => engine.onClose(() => resolve()));
  const web = await engine.request('web.serve', port === undefined ? undefined : { port });
  ctx.print(web, () => `Errand is served at ${web.url}\nOpen it in a browser on this machine; the token in it is the key, so share it with no one. Ctrl-C stops serving.`);
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await Promise.race([stopped, closed]);
}
