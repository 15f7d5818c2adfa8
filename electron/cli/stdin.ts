// Reads all of standard input as text. Not readFileSync(0): on a pipe left non-blocking it fails with EAGAIN as soon as
// the writer is slower than the reader (a 4 MB batch piped in did).
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
