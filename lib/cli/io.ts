/**
 * Where a command writes: stdout for results, stderr for errors. Writes wait for the stream to
 * drain, so that a large listing piped into `head` or a file is complete before the process
 * exits.
 * @internal
 */
export interface Io {
  out(text: string): Promise<void>;
  /** JSON of `value`, one line. */
  json(value: unknown): Promise<void>;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (e) => (e ? reject(e) : resolve()));
  });
}

export const processIo: Io = {
  out: (text) => write(process.stdout, text),
  json: (value) => write(process.stdout, `${JSON.stringify(value)}\n`),
};
