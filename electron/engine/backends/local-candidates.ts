// Where local model servers are looked for: loopback at each kind's default ports, or the ports ERRAND_LOCAL_PORTS
// names ("ollama=11434,llama-server=8080,llama-server=9931"; empty: look nowhere), so tests can point detection at
// scripted servers on random ports.
import type { BackendKind } from '../../../shared/domain.js';
import { DEFAULT_LOCAL_PORTS } from './backend-kinds.js';

export const LOCAL_PORTS_ENV = 'ERRAND_LOCAL_PORTS';

export interface LocalCandidate {
  /** The kind's name for its first port ("ollama"), "<kind>-<port>" for another ("llama-server-9931"). */
  name: string;
  kind: BackendKind;
  url: string;
}

export function localCandidates(env: NodeJS.ProcessEnv = process.env): LocalCandidate[] {
  const spec = env[LOCAL_PORTS_ENV];
  const pairs: [BackendKind, number][] =
    spec === undefined
      ? Object.entries(DEFAULT_LOCAL_PORTS).flatMap(([kind, ports]) => ports.map((port): [BackendKind, number] => [kind as BackendKind, port]))
      : spec.split(',').flatMap((part): [BackendKind, number][] => {
          const match = /^\s*(ollama|lmstudio|llama-server)\s*=\s*(\d{1,5})\s*$/.exec(part);
          const port = Number(match?.[2]);
          return match && port > 0 && port < 65536 ? [[match[1] as BackendKind, port]] : [];
        });
  const seen = new Set<BackendKind>();
  return pairs.map(([kind, port]) => {
    const name = seen.has(kind) ? `${kind}-${port}` : kind;
    seen.add(kind);
    return { name, kind, url: `http://127.0.0.1:${port}` };
  });
}
